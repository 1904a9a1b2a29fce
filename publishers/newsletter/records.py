"""The consent audit, and the status changes that Mailchimp reports (by a
webhook, or in the answer to a sync): used by services.py and sync.py."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .addresses import email_digest
from .consent import Consent, consent_get
from .models import ConsentRecord, Subscriber

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Action = ConsentRecord.Action
Source = ConsentRecord.Source


def consent_record_add(
    *,
    subscriber: Subscriber,
    action: str,
    source: str,
    consent: Consent | None = None,
    reason: str = "",
    at: datetime | None = None,
) -> ConsentRecord:
    """Append one line to the audit. ``consent`` is the text agreed to
    (given, confirmed); by default the version the subscriber holds."""
    if consent is None and action in (Action.GIVEN, Action.CONFIRMED):
        consent = _consent_held(subscriber)
    return ConsentRecord.objects.create(
        subscriber=subscriber,
        email_digest=email_digest(subscriber.email),
        action=action,
        consent_version=consent.version if consent else subscriber.consent_version,
        text_sha256=consent.sha256 if consent else "",
        language=consent.language if consent else subscriber.language,
        source=source,
        reason=reason[:40],
        at=at or timezone.now(),
    )


def _consent_held(subscriber: Subscriber) -> Consent | None:
    try:
        return consent_get(
            language=subscriber.language, version=subscriber.consent_version
        )
    except Exception:  # a version whose template is gone: keep the version only
        logger.warning(
            "Consent text %r not found", subscriber.consent_version, exc_info=True
        )
        return None


# What each status Mailchimp reports does to the local row (from → to), and
# the audit's action for it.
_REMOTE = {
    "subscribed": (
        {Status.PENDING, Status.UNSUBSCRIBED, Status.CLEANED},
        Action.CONFIRMED,
    ),
    "unsubscribed": (
        {Status.PENDING, Status.SUBSCRIBED, Status.CLEANED},
        Action.WITHDRAWN,
    ),
    "cleaned": (
        {Status.PENDING, Status.SUBSCRIBED, Status.UNSUBSCRIBED},
        Action.CLEANED,
    ),
}


def remote_status_apply(
    *,
    subscriber_id: int,
    remote_status: str,
    at: datetime | None = None,
    reason: str = "",
    pending_only: bool = False,
) -> bool:
    """Mailchimp, which holds the truth about membership, says the member
    is ``remote_status``: follow it here, once (a second report of the same
    status changes nothing). A report fired before the last change here is
    stale and ignored; so is "subscribed" while an unsubscription made here
    waits to reach Mailchimp. ``pending_only``: only confirm a pending row
    (a sync's answer, which cannot tell an old state from a new one)."""
    if remote_status not in _REMOTE:
        return False
    sources, action = _REMOTE[remote_status]
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        )
        if subscriber is None:
            return False
        fields = {"remote_status": remote_status, "updated_at": now}
        allowed = {Status.PENDING} if pending_only else sources
        stale = at is not None and at < subscriber.status_changed_at.replace(
            microsecond=0
        )
        ours_waiting = subscriber.sync_needed and subscriber.status in (
            Status.UNSUBSCRIBED,
            Status.ERASED,
        )
        change = subscriber.status in allowed and not stale and not ours_waiting
        if change:
            fields.update(status=remote_status, status_changed_at=now)
            if remote_status == Status.SUBSCRIBED:
                fields["confirmed_at"] = at or now
            else:
                fields.update(unsubscribed_at=at or now, confirm_nonce="")
                fields["pending_change"] = {}
        Subscriber.objects.filter(pk=subscriber.pk).update(**fields)
        if change:
            subscriber.status = remote_status
            consent_record_add(
                subscriber=subscriber,
                action=action,
                source=Source.MAILCHIMP,
                reason=reason,
                at=at or now,
            )
    return change
