"""The webhooks Mailchimp posts to a site, for tests that drive the site's
webhook view: ``webhook_form(...)`` builds the form body of one event, field
by field as Mailchimp's webhook guide shows them, and ``post_webhook(url,
form)`` posts it as Mailchimp does (form-encoded; Mailchimp signs nothing, the
secret is in the URL).
https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from .mailchimp_rules import DEFAULT_LIST_ID, subscriber_hash


def webhook_form(
    kind: str,
    email: str = "",
    *,
    list_id: str = DEFAULT_LIST_ID,
    reason: str = "",
    fired_at: datetime | None = None,
    merges: dict[str, str] | None = None,
    new_email: str = "",
    campaign_id: str = "",
    subject: str = "",
    status: str = "sent",
) -> dict[str, str]:
    """The form body Mailchimp POSTs for one event, field by field as its
    webhook guide shows them: ``type``, ``fired_at`` ("Y-m-d H:i:s", UTC)
    and ``data[...]``."""
    when = (fired_at or datetime.now(UTC)).astimezone(UTC)
    form = {"type": kind, "fired_at": when.strftime("%Y-%m-%d %H:%M:%S")}
    if kind == "campaign":
        data = {
            "id": campaign_id,
            "subject": subject,
            "status": status,
            "reason": reason,
            "list_id": list_id,
        }
    elif kind == "upemail":
        data = {
            "list_id": list_id,
            "new_id": subscriber_hash(new_email),
            "new_email": new_email,
            "old_email": email,
        }
    elif kind == "cleaned":
        data = {
            "list_id": list_id,
            "campaign_id": campaign_id,
            "reason": reason or "hard",
            "email": email,
        }
    else:  # subscribe, unsubscribe, profile
        data = {
            "id": subscriber_hash(email),
            "list_id": list_id,
            "email": email,
            "email_type": "html",
            "ip_opt": "198.51.100.7",
        }
        if kind == "unsubscribe":
            data.update(action="unsub", reason=reason or "manual")
            data["campaign_id"] = campaign_id
    form.update({f"data[{key}]": value for key, value in data.items()})
    if kind in ("subscribe", "unsubscribe", "profile"):
        for tag, value in {"EMAIL": email, **(merges or {})}.items():
            form[f"data[merges][{tag}]"] = value
    return form


def post_webhook(
    url: str, form: dict[str, str], *, timeout: float = 10.0
) -> httpx.Response:
    """POST a webhook form to ``url`` as Mailchimp does."""
    return httpx.post(
        url, data=form, headers={"User-Agent": "MailChimp.com"}, timeout=timeout
    )
