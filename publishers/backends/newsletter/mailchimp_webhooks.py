"""Mailchimp's audience webhooks: the form body of one POST, as events.

Mailchimp POSTs ``application/x-www-form-urlencoded`` bodies with ``type``,
``fired_at`` ("2009-03-26 21:35:57", no zone: read as UTC, like the API's
times) and PHP-style ``data[...]`` fields, for example:

- unsubscribe: data[action] (unsub | delete), data[reason] (manual | abuse),
  data[id], data[list_id], data[email], data[merges][...], data[campaign_id]
- cleaned: data[list_id], data[campaign_id], data[reason] (hard | abuse),
  data[email]
- upemail: data[list_id], data[new_id], data[new_email], data[old_email]
- subscribe, profile: data[id], data[list_id], data[email], data[merges][...]
- campaign: data[id], data[subject], data[status], data[reason], data[list_id]

Mailchimp signs nothing: the secret is in the URL, which the view checks.
https://mailchimp.com/developer/marketing/guides/sync-audience-data-webhooks/
(kept here, without the SDK, so the in-memory twin parses the same bodies).
"""

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from .base import WEBHOOK_TYPES, InvalidWebhook, WebhookEvent

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^data((?:\[[^\[\]]*\])+)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


def _value(value: str | list[str]) -> str:
    # request.POST (a QueryDict) gives the last value for a key; a dict from
    # parse_qs gives lists: take the last one too.
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


def _fired_at(text: str) -> datetime | None:
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def webhook_events_parse(form: Mapping[str, str | list[str]]) -> list[WebhookEvent]:
    raw = {str(key): _value(form[key]) for key in form}
    kind = raw.get("type", "").strip()
    if not kind:
        raise InvalidWebhook("Not a Mailchimp webhook: the body has no type.")
    if kind not in WEBHOOK_TYPES:
        logger.info("Mailchimp webhook of unknown type %r ignored", kind)
        return []
    data: dict[str, str] = {}
    merges: dict[str, str] = {}
    for key, value in raw.items():
        match = _KEY.match(key)
        if match is None:
            continue
        parts = _PART.findall(match.group(1))
        if parts[0] == "merges" and len(parts) > 1:
            merges[".".join(parts[1:])] = value
        else:
            data[".".join(parts)] = value
    email = data.get("old_email", "") if kind == "upemail" else data.get("email", "")
    email = email.strip()
    if kind != "campaign" and not email:
        raise InvalidWebhook(f"A Mailchimp {kind} webhook without an e-mail address.")
    if kind == "campaign" and not data.get("id"):
        raise InvalidWebhook("A Mailchimp campaign webhook without a campaign id.")
    is_campaign = kind == "campaign"
    return [
        WebhookEvent(
            type=kind,
            email=email,
            reason="" if is_campaign else data.get("reason", ""),
            fired_at=_fired_at(raw.get("fired_at", "")),
            raw=raw,
            list_id=data.get("list_id", ""),
            remote_id=data.get("new_id" if kind == "upemail" else "id", "")
            if not is_campaign
            else "",
            new_email=data.get("new_email", "").strip(),
            action=data.get("action", ""),
            campaign_id=data.get("id" if is_campaign else "campaign_id", ""),
            campaign_status=data.get("status", "") if is_campaign else "",
            merges=merges,
        )
    ]
