"""What a newsletter backend offers the publishers' services.

One small class per service, chosen in settings (``TSUNAGU_NEWSLETTER``), like
Django's e-mail backends. Plain dataclasses go in and out: the services map
their own models. Only a backend talks to the vendor and catches its
exceptions; the services see the errors below, whose messages are plain words
and never carry the API key.

What the service must know of the errors:

- ``TemporaryError`` (5xx, a refused connection, a timeout on a read or on a
  write that is safe to repeat) and ``RateLimited``: nothing changed, or
  repeating changes nothing more; try again later.
- ``OutcomeUnknown``: a request that must not be repeated blindly (a campaign
  created, scheduled, unscheduled or sent) left, and no answer came back.
  Look before trying again: ``campaign_status`` of the id stored before
  sending. After ``campaign_create`` creating again is safe (campaigns cannot
  be found by title; at worst an unsent draft stays in the account).
- ``AlreadySent``: the campaign is sent or sending; record it as sent.
- ``Rejected`` (and ``NotFound``): the vendor refused this request; repeating
  it will not help until something changes.
- ``ConfigurationError``: nothing works until an operator fixes the settings.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured

# -- errors --------------------------------------------------------------------


class NewsletterError(Exception):
    """A newsletter request failed."""


class ConfigurationError(NewsletterError, ImproperlyConfigured):
    """The key is wrong, lacks rights or is malformed, or the audience does
    not exist: nothing works until an operator fixes the settings. Also an
    ImproperlyConfigured, so a check at start-up reads as Django's own."""


class TemporaryError(NewsletterError):
    """The service was unavailable or could not be reached; nothing changed
    (or the request is safe to repeat): try again later."""


class RateLimited(TemporaryError):
    """Too many requests at once (Mailchimp: 429 beyond 10 connections)."""

    def __init__(self, message: str, *, retry_after_seconds: float) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class OutcomeUnknown(NewsletterError):
    """The request went out and no answer came back (a timeout, a dropped
    connection): it may or may not have taken effect. Deliberately not a
    TemporaryError, so that no retry loop repeats a send on a guess."""


class Rejected(NewsletterError):
    """The vendor refused the request (a 4xx other than 401, 403 and 429);
    ``title`` and ``detail`` are the vendor's own words."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        title: str = "",
        detail: str = "",
        errors: list[dict] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors or []


class NotFound(Rejected):
    """The campaign (or other resource) does not exist (404)."""


class AlreadySent(Rejected):
    """A send of a campaign that is already sent or sending."""


class InvalidWebhook(NewsletterError, ValueError):
    """A webhook body that is not one the vendor sends (no type, no address):
    the view answers 400."""


# -- data ----------------------------------------------------------------------

#: Member statuses (Mailchimp's words; "archived" is Mailchimp's own removal).
MEMBER_STATUSES = frozenset(
    {"subscribed", "unsubscribed", "cleaned", "pending", "transactional", "archived"}
)
#: The statuses member_status_set may ask for: the others are Mailchimp's
#: own verdicts (cleaned, archived) or not for newsletters (transactional).
MEMBER_STATUSES_SETTABLE = frozenset({"subscribed", "unsubscribed", "pending"})
#: Campaign statuses after which a send must never be tried again.
CAMPAIGN_SENT_STATUSES = frozenset({"sending", "sent"})
#: The webhook event types (Mailchimp's).
WEBHOOK_TYPES = frozenset(
    {"subscribe", "unsubscribe", "profile", "upemail", "cleaned", "campaign"}
)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: the MD5 of the lower-cased address (an id, not
    a security measure)."""
    normalised = email.strip().lower().encode()
    return hashlib.md5(normalised, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Member:
    email: str
    #: The vendor's id: for Mailchimp the subscriber hash.
    remote_id: str
    #: subscribed, pending (double opt-in not yet confirmed), unsubscribed,
    #: cleaned (bounced), transactional or archived.
    status: str
    merge_fields: dict[str, str] = field(default_factory=dict)
    #: interest id → chosen
    interests: dict[str, bool] = field(default_factory=dict)
    language: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    #: subscribe, unsubscribe, profile, upemail, cleaned or campaign.
    type: str
    #: The member's address (for upemail, the old one); "" for campaign.
    email: str
    #: unsubscribe: "manual" or "abuse"; cleaned: "hard" or "abuse"; else "".
    reason: str
    #: When the vendor fired it (UTC); None when the body has no usable time.
    fired_at: datetime | None
    #: Every form field as sent, for the audit record.
    raw: dict[str, str]
    list_id: str = ""
    #: The member's id (subscriber hash) when sent; for upemail, the id of
    #: the new address.
    remote_id: str = ""
    #: upemail: the new address.
    new_email: str = ""
    #: unsubscribe: "unsub", or "delete" when an admin removed the member.
    action: str = ""
    #: campaign: its id and status; unsubscribe/cleaned: the campaign that
    #: led to it, when known.
    campaign_id: str = ""
    campaign_status: str = ""
    #: subscribe/profile: merge fields (data[merges][...]).
    merges: dict[str, str] = field(default_factory=dict)


# -- schedules -----------------------------------------------------------------

QUARTER_HOUR = timedelta(minutes=15)


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("A schedule time needs a time zone (an aware datetime).")
    return at.astimezone(UTC)


def on_quarter_hour(at: datetime) -> bool:
    """Whether ``at`` is exactly on :00, :15, :30 or :45 (UTC)."""
    at = _utc(at)
    return at.minute % 15 == 0 and at.second == 0 and at.microsecond == 0


def quarter_hour_next(at: datetime) -> datetime:
    """The first quarter hour (:00, :15, :30, :45 UTC) at or after ``at``, in
    UTC. Every zone's offset is a multiple of 15 minutes, so it is a quarter
    hour in local time too."""
    at = _utc(at)
    floor = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
    return floor if floor == at else floor + QUARTER_HOUR


# -- the interface -------------------------------------------------------------


class NewsletterBackend(ABC):
    #: Short name, stored with deliveries.
    name = "base"
    #: Shown to editors ("Sent with ...").
    display_name = "Newsletter"
    #: A campaign can go to the members interested in some interests.
    supports_segments = True
    #: Campaigns can be scheduled with the vendor (quarter hours).
    supports_schedule = True

    def check(self) -> None:
        """Raise ConfigurationError when the key or the audience is wrong
        (for a health check or a management command). Nothing to check by
        default."""
        return None

    # -- members -----------------------------------------------------------

    @abstractmethod
    def member_upsert(
        self,
        *,
        email: str,
        merge_fields: dict[str, str],
        interests: dict[str, bool],
        language: str = "ja",
    ) -> Member:
        """Add the address as pending (the vendor sends the double opt-in
        e-mail), or update an existing member's fields and interests without
        changing its status: an unsubscribed or cleaned member stays so."""

    @abstractmethod
    def member_status_set(self, *, email: str, status: str) -> Member:
        """Set an existing member's status: "unsubscribed" when the person
        leaves on the site (the vendor must stop mailing them), "pending" when
        someone who left signs up again (the vendor sends its opt-in e-mail),
        "subscribed". NotFound when the audience does not hold the address;
        Rejected (the vendor's title, e.g. "Member In Compliance State") when
        the vendor will not put a member who left or bounced back by API.
        Safe to repeat. ValueError for another status, before any request."""

    @abstractmethod
    def member_get(self, *, email: str) -> Member | None:
        """The member, or None when the audience does not hold the address."""

    @abstractmethod
    def member_delete_permanently(self, *, email: str) -> None:
        """Erase the member for good (erasure on request); the address can
        then only come back by signing up again. Already gone counts as done."""

    # -- merge fields ------------------------------------------------------

    @abstractmethod
    def merge_fields_ensure(self, *, fields: dict[str, str]) -> None:
        """Make sure the audience has a text merge field for each tag (tag →
        name), creating the missing ones; fields already there, whatever
        their name or type, are left alone. The vendor refuses a member
        whose merge fields name a tag the audience lacks. Idempotent."""

    # -- interests ---------------------------------------------------------

    @abstractmethod
    def interests_sync(
        self, *, categories: dict[str, list[str]]
    ) -> dict[str, dict[str, str]]:
        """Make the vendor's interest categories match: category title →
        interest names. Creates what is missing, deletes interests of these
        categories that are no longer listed, leaves other categories alone.
        Returns category title → {interest name → interest id}. Idempotent."""

    # -- campaigns ---------------------------------------------------------

    @abstractmethod
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
        """A draft campaign with its content, to the whole audience or to the
        members with any of ``interest_ids``; returns its id. Store the id
        before sending: campaigns cannot be found by title."""

    @abstractmethod
    def campaign_status(self, *, campaign_id: str) -> str:
        """save, paused, schedule, sending, sent, … (NotFound when unknown)."""

    @abstractmethod
    def campaign_test(self, *, campaign_id: str, emails: list[str]) -> None:
        """Send the test e-mail of the campaign to ``emails``."""

    @abstractmethod
    def campaign_schedule(self, *, campaign_id: str, at: datetime) -> None:
        """Send at ``at`` (aware; on a quarter hour, else ValueError before
        any request: see quarter_hour_next)."""

    @abstractmethod
    def campaign_unschedule(self, *, campaign_id: str) -> None:
        """Back to a draft, before its time."""

    @abstractmethod
    def campaign_send(self, *, campaign_id: str) -> None:
        """Send now. Not idempotent: AlreadySent when it is sent or sending;
        OutcomeUnknown when no answer came (then read campaign_status)."""

    # -- webhooks ----------------------------------------------------------

    @abstractmethod
    def webhook_events(self, form: Mapping[str, str | list[str]]) -> list[WebhookEvent]:
        """The events in one webhook POST's form body (request.POST). Empty
        for a type this code does not know (the vendor may add some: we
        ignore them rather than make it retry); InvalidWebhook for a body
        that is not a webhook at all."""
