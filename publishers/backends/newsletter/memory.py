"""The in-memory twin of the newsletter service, for the services' tests.

It keeps members, merge fields, interests and campaigns the way Mailchimp
treats them (status_if_new upserts that refuse a merge tag the audience
lacks, status changes that do not put back a member who left or bounced,
permanent deletion that refuses the address afterwards, quarter-hour
schedules, a send that is not idempotent) and counts sends per campaign.
Tests steer it: ``fail_next(error)`` raises an error on the next call
(``after_effect=True``: the call takes effect first, as when an answer is
lost), ``member_confirm`` / ``member_unsubscribe`` / ``member_clean`` play
the subscriber's or Mailchimp's part and return the webhook form Mailchimp
would post. The real client is tested against
tests/fakes/mailchimp_server.py over HTTP.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from .base import (
    CAMPAIGN_SENT_STATUSES,
    MEMBER_STATUSES_SETTABLE,
    AlreadySent,
    Member,
    NewsletterBackend,
    NotFound,
    Rejected,
    WebhookEvent,
    on_quarter_hour,
    subscriber_hash,
)
from .mailchimp_webhooks import webhook_events_parse

#: The merge fields Mailchimp gives a new audience (tag → name).
DEFAULT_MERGE_FIELDS = {
    "FNAME": "First Name",
    "LNAME": "Last Name",
    "ADDRESS": "Address",
    "PHONE": "Phone Number",
}
#: Status → the statuses Mailchimp will not set by API from it ("Member In
#: Compliance State"): only the person can come back.
COMPLIANCE_BLOCKED = {
    "unsubscribed": frozenset({"subscribed"}),
    "cleaned": frozenset({"subscribed", "pending"}),
}


@dataclass
class Campaign:
    id: str
    title: str
    subject: str
    preview_text: str
    from_name: str
    reply_to: str
    html: str
    text: str
    interest_ids: list[str] | None
    status: str = "save"
    scheduled_at: datetime | None = None
    send_count: int = 0
    tests: list[list[str]] = field(default_factory=list)
    #: Addresses it went to, at its (last) send.
    recipients: list[str] = field(default_factory=list)


@dataclass
class _Failure:
    error: Exception
    method: str | None
    after_effect: bool


class InMemoryNewsletterBackend(NewsletterBackend):
    name = "memory"
    display_name = "Memory newsletter"

    def __init__(self, options: Mapping[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        self._lock = threading.RLock()
        self.reset()

    # -- what tests steer and read ------------------------------------------

    def reset(self) -> None:
        with self._lock:
            #: subscriber hash → member
            self.members: dict[str, Member] = {}
            #: hashes of permanently deleted addresses
            self.forgotten: set[str] = set()
            #: the audience's merge fields: tag → name
            self.merge_fields: dict[str, str] = dict(DEFAULT_MERGE_FIELDS)
            #: category title → {interest name → interest id}
            self.categories: dict[str, dict[str, str]] = {}
            self.campaigns: dict[str, Campaign] = {}
            #: (method, keyword arguments) of every call, in order
            self.calls: list[tuple[str, dict[str, Any]]] = []
            self._failures: list[_Failure] = []
            self._ids = itertools.count(1)

    def fail_next(
        self,
        error: Exception,
        *,
        times: int = 1,
        method: str | None = None,
        after_effect: bool = False,
    ) -> None:
        """Raise ``error`` from the next ``times`` calls (of ``method``, e.g.
        "campaign_send", if given); with ``after_effect`` the call takes
        effect first, as when an answer is lost."""
        with self._lock:
            self._failures.extend(
                _Failure(error, method, after_effect) for _ in range(times)
            )

    def member_confirm(self, email: str) -> dict[str, str]:
        """The subscriber clicked the double opt-in link."""
        self._status_set(email, "subscribed")
        return webhook_form("subscribe", email)

    def member_unsubscribe(self, email: str, reason: str = "manual") -> dict[str, str]:
        self._status_set(email, "unsubscribed")
        return webhook_form("unsubscribe", email, reason=reason)

    def member_clean(self, email: str, reason: str = "hard") -> dict[str, str]:
        self._status_set(email, "cleaned")
        return webhook_form("cleaned", email, reason=reason)

    def campaign_deliver_due(self, now: datetime | None = None) -> list[str]:
        """Send the scheduled campaigns whose time has come (Mailchimp does
        it by itself); returns their ids."""
        now = now or datetime.now(UTC)
        due = []
        with self._lock:
            for campaign in self.campaigns.values():
                if campaign.status == "schedule" and campaign.scheduled_at <= now:
                    self._deliver(campaign)
                    due.append(campaign.id)
        return due

    def send_count(self, campaign_id: str) -> int:
        return self.campaigns[campaign_id].send_count

    # -- plumbing -----------------------------------------------------------

    def _begin(self, method: str, **kwargs: Any) -> _Failure | None:
        """Record the call; raise a queued failure meant to come before the
        effect, or return one meant to come after it."""
        with self._lock:
            self.calls.append((method, kwargs))
            for index, failure in enumerate(self._failures):
                if failure.method in (None, method):
                    self._failures.pop(index)
                    if failure.after_effect:
                        return failure
                    raise failure.error
        return None

    @staticmethod
    def _end(failure: _Failure | None) -> None:
        if failure is not None:
            raise failure.error

    def _status_set(self, email: str, status: str) -> None:
        with self._lock:
            key = subscriber_hash(email)
            self.members[key] = replace(self.members[key], status=status)

    def _campaign(self, campaign_id: str) -> Campaign:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            raise NotFound(
                f"No campaign {campaign_id}.",
                status=404,
                title="Resource Not Found",
                detail="The requested resource could not be found.",
            )
        return campaign

    def _interest_ids(self) -> set[str]:
        return {i for interests in self.categories.values() for i in interests.values()}

    def _deliver(self, campaign: Campaign) -> None:
        wanted = set(campaign.interest_ids or [])
        campaign.recipients = [
            member.email
            for member in self.members.values()
            if member.status == "subscribed"
            and (
                campaign.interest_ids is None
                or any(member.interests.get(i) for i in wanted)
            )
        ]
        campaign.status = "sent"
        campaign.send_count += 1

    # -- members ------------------------------------------------------------

    def member_upsert(
        self,
        *,
        email: str,
        merge_fields: dict[str, str],
        interests: dict[str, bool],
        language: str = "ja",
    ) -> Member:
        failure = self._begin(
            "member_upsert",
            email=email,
            merge_fields=merge_fields,
            interests=interests,
            language=language,
        )
        with self._lock:
            key = subscriber_hash(email)
            if key in self.forgotten:
                raise Rejected(
                    f"{email} was permanently deleted and cannot be re-imported.",
                    status=400,
                    title="Forgotten Email Not Subscribed",
                )
            unknown = set(interests) - self._interest_ids()
            if unknown:
                raise Rejected(
                    f"Invalid interest ID: {sorted(unknown)[0]!r}.",
                    status=400,
                    title="Invalid Resource",
                )
            missing = sorted(set(merge_fields) - set(self.merge_fields))
            if missing:
                raise Rejected(
                    f"The audience has no merge field {missing[0]}.",
                    status=400,
                    title="Invalid Resource",
                    errors=[
                        {"field": f"merge_fields.{tag}", "message": "Unknown field."}
                        for tag in missing
                    ],
                )
            old = self.members.get(key)
            member = Member(
                email=email,
                remote_id=key,
                status=old.status if old else "pending",
                merge_fields={**(old.merge_fields if old else {}), **merge_fields},
                interests={**(old.interests if old else {}), **interests},
                language=language,
            )
            self.members[key] = member
        self._end(failure)
        return member

    def member_status_set(self, *, email: str, status: str) -> Member:
        if status not in MEMBER_STATUSES_SETTABLE:
            raise ValueError(f"A member's status cannot be set to {status!r}.")
        failure = self._begin("member_status_set", email=email, status=status)
        with self._lock:
            member = self.members.get(subscriber_hash(email))
            if member is None:
                raise NotFound(
                    f"No member {email}.",
                    status=404,
                    title="Resource Not Found",
                    detail="The requested resource could not be found.",
                )
            if status in COMPLIANCE_BLOCKED.get(member.status, frozenset()):
                raise Rejected(
                    f"{email} is in a compliance state due to unsubscribe, "
                    "bounce, or compliance review and cannot be subscribed.",
                    status=400,
                    title="Member In Compliance State",
                )
            self._status_set(email, status)
            member = self.members[member.remote_id]
        self._end(failure)
        return member

    def member_get(self, *, email: str) -> Member | None:
        failure = self._begin("member_get", email=email)
        self._end(failure)
        return self.members.get(subscriber_hash(email))

    def member_delete_permanently(self, *, email: str) -> None:
        failure = self._begin("member_delete_permanently", email=email)
        with self._lock:
            key = subscriber_hash(email)
            if self.members.pop(key, None) is not None:
                self.forgotten.add(key)
        self._end(failure)

    # -- merge fields -------------------------------------------------------

    def merge_fields_ensure(self, *, fields: dict[str, str]) -> None:
        failure = self._begin("merge_fields_ensure", fields=fields)
        with self._lock:
            for tag, name in fields.items():
                self.merge_fields.setdefault(tag, name)
        self._end(failure)

    # -- interests ----------------------------------------------------------

    def interests_sync(
        self, *, categories: dict[str, list[str]]
    ) -> dict[str, dict[str, str]]:
        failure = self._begin("interests_sync", categories=categories)
        with self._lock:
            for title, names in categories.items():
                found = self.categories.setdefault(title, {})
                for name in set(found) - set(names):
                    del found[name]
                for name in names:
                    found.setdefault(name, f"interest-{next(self._ids)}")
            synced = {
                title: {name: self.categories[title][name] for name in names}
                for title, names in categories.items()
            }
        self._end(failure)
        return synced

    # -- campaigns ----------------------------------------------------------

    def campaign_create(
        self,
        *,
        title: str,
        subject: str,
        preview_text: str,
        from_name: str,
        reply_to: str,
        html: str,
        text: str,
        interest_ids: list[str] | None = None,
    ) -> str:
        if interest_ids is not None and not interest_ids:
            raise ValueError("A campaign to no interest would go to nobody.")
        failure = self._begin("campaign_create", title=title, interest_ids=interest_ids)
        with self._lock:
            unknown = set(interest_ids or []) - self._interest_ids()
            if unknown:
                raise Rejected(
                    f"No interest {sorted(unknown)[0]}.", title="Unknown Interest"
                )
            campaign = Campaign(
                id=f"c{next(self._ids):09x}",
                title=title,
                subject=subject,
                preview_text=preview_text,
                from_name=from_name,
                reply_to=reply_to,
                html=html,
                text=text,
                interest_ids=list(interest_ids) if interest_ids else None,
            )
            self.campaigns[campaign.id] = campaign
        self._end(failure)
        return campaign.id

    def campaign_status(self, *, campaign_id: str) -> str:
        failure = self._begin("campaign_status", campaign_id=campaign_id)
        self._end(failure)
        return self._campaign(campaign_id).status

    def campaign_test(self, *, campaign_id: str, emails: list[str]) -> None:
        failure = self._begin("campaign_test", campaign_id=campaign_id, emails=emails)
        self._campaign(campaign_id).tests.append(list(emails))
        self._end(failure)

    def campaign_schedule(self, *, campaign_id: str, at: datetime) -> None:
        if not on_quarter_hour(at):
            raise ValueError(f"Not on a quarter hour: {at.isoformat()}")
        failure = self._begin("campaign_schedule", campaign_id=campaign_id, at=at)
        with self._lock:
            campaign = self._campaign(campaign_id)
            if campaign.status not in ("save", "paused"):
                raise Rejected(
                    f"Campaign {campaign_id} is {campaign.status}: it cannot be "
                    "scheduled.",
                    status=400,
                    title="Bad Request",
                )
            campaign.status, campaign.scheduled_at = "schedule", at.astimezone(UTC)
        self._end(failure)

    def campaign_unschedule(self, *, campaign_id: str) -> None:
        failure = self._begin("campaign_unschedule", campaign_id=campaign_id)
        with self._lock:
            campaign = self._campaign(campaign_id)
            if campaign.status != "schedule":
                raise Rejected(
                    f"Campaign {campaign_id} is not scheduled.",
                    status=400,
                    title="Bad Request",
                )
            campaign.status, campaign.scheduled_at = "save", None
        self._end(failure)

    def campaign_send(self, *, campaign_id: str) -> None:
        failure = self._begin("campaign_send", campaign_id=campaign_id)
        with self._lock:
            campaign = self._campaign(campaign_id)
            if campaign.status in CAMPAIGN_SENT_STATUSES:
                raise AlreadySent(
                    f"Mailchimp campaign {campaign_id} is already {campaign.status}.",
                    status=400,
                    title="Bad Request",
                )
            if campaign.status == "schedule":
                raise Rejected(
                    f"Campaign {campaign_id} is scheduled: unschedule it first.",
                    status=400,
                    title="Bad Request",
                )
            self._deliver(campaign)
        self._end(failure)

    # -- webhooks -----------------------------------------------------------

    def webhook_events(self, form: Mapping[str, str | list[str]]) -> list[WebhookEvent]:
        return webhook_events_parse(form)


def webhook_form(
    kind: str,
    email: str,
    *,
    reason: str = "",
    list_id: str = "memory",
    fired_at: datetime | None = None,
    merges: dict[str, str] | None = None,
    new_email: str = "",
) -> dict[str, str]:
    """The form body Mailchimp posts for one member event (subscribe,
    unsubscribe, profile, upemail, cleaned), for tests of the webhook view."""
    when = (fired_at or datetime.now(UTC)).astimezone(UTC)
    form = {
        "type": kind,
        "fired_at": when.strftime("%Y-%m-%d %H:%M:%S"),
        "data[list_id]": list_id,
    }
    if kind == "upemail":
        form["data[old_email]"] = email
        form["data[new_email]"] = new_email
        form["data[new_id]"] = subscriber_hash(new_email)
        return form
    form["data[email]"] = email
    if kind == "cleaned":
        form["data[reason]"] = reason or "hard"
        return form
    form["data[id]"] = subscriber_hash(email)
    form["data[email_type]"] = "html"
    if kind == "unsubscribe":
        form["data[action]"] = "unsub"
        form["data[reason]"] = reason or "manual"
    for tag, value in {"EMAIL": email, **(merges or {})}.items():
        form[f"data[merges][{tag}]"] = value
    return form
