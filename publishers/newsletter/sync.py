"""Keeping Mailchimp in step with the subscribers here.

A change here sets ``sync_needed`` (and raises ``sync_version``) in its own
transaction; after the commit a task runs ``subscriber_sync``, which talks to
Mailchimp outside any transaction and then clears the flag only if the row
did not change meanwhile. Errors back off and the sweep
(jobs.newsletter_sweep) rings again: a sign-up, unsubscription or erasure is
never dropped, whatever Mailchimp answers.

What a sync does depends on the row's status: pending or subscribed, an
upsert (Mailchimp sends its own double opt-in e-mail to a new address);
unsubscribed, the member unsubscribed there; erased, the member deleted
permanently there and then the row here; cleaned, nothing (it came from
Mailchimp).

Merge fields: Mailchimp refuses a member whose merge fields name a tag the
audience lacks, so the first upsert of each process makes sure ORG and PREF
exist (``merge_fields_ensure``), and a refused upsert makes the next one
look again (an operator may have deleted a field).

Interests: one Mailchimp interest per region and per topic, in two
categories Tsunagu owns. ``MailchimpInterest`` rows keep their ids; a region
or topic that is new, renamed or gone makes the rows stale, and the next
sweep (or sync) calls ``interests_sync``. A renamed one gets a new interest
id there, so its subscribers are synced again.
"""

from __future__ import annotations

import logging
import random
import weakref
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cms.models import Region, Topic
from publishers.backends.newsletter import (
    NewsletterBackend,
    NewsletterError,
    NotFound,
    RateLimited,
    Rejected,
    TemporaryError,
    newsletter_backend,
)
from publishers.conf import outbox_setting

from .addresses import email_ascii
from .models import ConsentRecord, MailchimpInterest, Subscriber
from .records import consent_record_add, remote_status_apply

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Kind = MailchimpInterest.Kind

#: The interest categories Tsunagu owns in the audience (by title: Mailchimp
#: keys them so; other categories are left alone).
REGION_CATEGORY = "Tsunagu: regions"
TOPIC_CATEGORY = "Tsunagu: topics"
#: Merge tags; the audience needs text merge fields with these tags.
MERGE_ORGANISATION = "ORG"
MERGE_PREFECTURE = "PREF"
#: tag → the field's name in Mailchimp (the sign-up form's labels).
MERGE_FIELDS = {MERGE_ORGANISATION: "所属団体", MERGE_PREFECTURE: "都道府県"}
#: Mailchimp's limits: an interest's name, a text merge field.
INTEREST_NAME_LENGTH = 100
MERGE_VALUE_LENGTH = 255
# An enqueued sync that has not started after this long lost its task.
REQUEUE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
# Mailchimp's language codes where they differ from the site's.
MAILCHIMP_LANGUAGES = {"zh-hans": "zh"}

# The backends (one per process and configuration) whose audience is known
# to have MERGE_FIELDS: asking once per process is enough.
_merge_fields_known: weakref.WeakSet[NewsletterBackend] = weakref.WeakSet()


# -- interests -----------------------------------------------------------------


def _names(rows, kind: str) -> dict[tuple[str, int], str]:
    """(kind, id) → the interest's name: the Japanese name, made unique in
    its category and cut to Mailchimp's length."""
    found: dict[tuple[str, int], str] = {}
    used: set[str] = set()
    for row in rows:
        name = (row.name_ja or row.name_en).strip()[:INTEREST_NAME_LENGTH]
        if name in used:
            code = getattr(row, "code", None) or getattr(row, "slug", "")
            suffix = f" ({code})"
            name = name[: INTEREST_NAME_LENGTH - len(suffix)] + suffix
        used.add(name)
        found[(kind, row.pk)] = name
    return found


def interests_wanted() -> dict[tuple[str, int], tuple[str, str]]:
    """(kind, id) → (category, name) for every region and topic now."""
    wanted = {
        key: (REGION_CATEGORY, name)
        for key, name in _names(
            Region.objects.order_by("sort_order", "code"), Kind.REGION
        ).items()
    }
    wanted.update(
        {
            key: (TOPIC_CATEGORY, name)
            for key, name in _names(
                Topic.objects.order_by("sort_order", "slug"), Kind.TOPIC
            ).items()
        }
    )
    return wanted


def interests_stale() -> bool:
    have = {
        (row.kind, row.object_id): (row.category, row.name)
        for row in MailchimpInterest.objects.all()
    }
    return have != interests_wanted()


def newsletter_interests_sync(*, backend: NewsletterBackend | None = None) -> str:
    """Make Mailchimp's interest categories match the regions and topics,
    and keep their ids. Subscribers of a region or topic whose interest id
    changed are synced again. Raises NewsletterError (the caller retries)."""
    backend = backend or newsletter_backend()
    if backend is None:
        return "no newsletter backend"
    wanted = interests_wanted()
    categories: dict[str, list[str]] = {REGION_CATEGORY: [], TOPIC_CATEGORY: []}
    for category, name in wanted.values():
        categories[category].append(name)
    synced = backend.interests_sync(categories=categories)
    now = timezone.now()
    changed: list[tuple[str, int]] = []
    with transaction.atomic():
        old = {(r.kind, r.object_id): r for r in MailchimpInterest.objects.all()}
        for key, (category, name) in wanted.items():
            interest_id = synced.get(category, {}).get(name)
            if not interest_id:
                logger.warning("Mailchimp returned no id for interest %r", name)
                continue
            row = old.pop(key, None)
            if row is not None and row.interest_id == interest_id:
                if row.name != name or row.category != category:
                    MailchimpInterest.objects.filter(pk=row.pk).update(
                        name=name, category=category, synced_at=now
                    )
                continue
            MailchimpInterest.objects.update_or_create(
                kind=key[0],
                object_id=key[1],
                defaults={
                    "category": category,
                    "name": name,
                    "interest_id": interest_id,
                    "synced_at": now,
                },
            )
            if row is not None:
                changed.append(key)
        MailchimpInterest.objects.filter(pk__in=[r.pk for r in old.values()]).delete()
        affected = Q(pk__in=[])
        for kind, object_id in changed:
            field = "regions" if kind == Kind.REGION else "topics"
            affected |= Q(**{field: object_id})
        ids = list(
            Subscriber.objects.filter(affected)
            .filter(status__in=[Status.PENDING, Status.SUBSCRIBED])
            .values_list("pk", flat=True)
            .distinct()
        )
        sync_mark(subscriber_ids=ids)
    return (
        f"interests synced: {len(wanted)} interests, {len(changed)} changed, "
        f"{len(ids)} subscribers to resend"
    )


def _interests_ensure(backend: NewsletterBackend) -> dict[tuple[str, int], str]:
    if interests_stale():
        newsletter_interests_sync(backend=backend)
    return {
        (row.kind, row.object_id): row.interest_id
        for row in MailchimpInterest.objects.all()
    }


def _merge_fields_ensure(backend: NewsletterBackend) -> None:
    if backend not in _merge_fields_known:
        backend.merge_fields_ensure(fields=MERGE_FIELDS)
        _merge_fields_known.add(backend)


# -- marking and enqueueing ----------------------------------------------------


def sync_mark(*, subscriber_ids: list[int]) -> None:
    """These rows have a change for Mailchimp: flag them, ring after the
    commit. Nothing when there is no backend (the embedded default)."""
    if not subscriber_ids or newsletter_backend() is None:
        return
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        sync_needed=True,
        sync_version=F("sync_version") + 1,
        sync_attempts=0,
        sync_next_at=None,
        sync_error="",
    )
    sync_enqueue(subscriber_ids=subscriber_ids)


def sync_enqueue(*, subscriber_ids: list[int]) -> None:
    from .tasks import newsletter_subscriber_sync

    if not subscriber_ids:
        return
    Subscriber.objects.filter(pk__in=subscriber_ids).update(
        sync_enqueued_at=timezone.now()
    )
    for subscriber_id in subscriber_ids:
        transaction.on_commit(
            lambda subscriber_id=subscriber_id: newsletter_subscriber_sync.enqueue(
                subscriber_id
            )
        )


def syncs_due(*, now: datetime) -> list[int]:
    due = Q(sync_needed=True) & (
        Q(sync_next_at__isnull=True) | Q(sync_next_at__lte=now)
    )
    due &= Q(sync_enqueued_at__isnull=True) | Q(
        sync_enqueued_at__lt=now - REQUEUE_AFTER
    )
    return list(
        Subscriber.objects.filter(due)
        .order_by("sync_next_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


# -- one subscriber ------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    base = outbox_setting("RETRY_BASE_SECONDS")
    most = outbox_setting("RETRY_MAX_SECONDS")
    seconds = min(most, base * 2 ** max(0, attempts - 1))
    # Up to a tenth more, so rows that failed together do not retry together.
    return timedelta(seconds=seconds * (1 + random.random() / 10))  # noqa: S311


def _failed(subscriber: Subscriber, error: Exception) -> str:
    attempts = subscriber.sync_attempts + 1
    now = timezone.now()
    if isinstance(error, RateLimited):
        next_at = now + timedelta(seconds=error.retry_after_seconds)
    elif isinstance(error, TemporaryError):
        next_at = now + _backoff(attempts)
    else:
        # Refused, misconfigured or unsupported: repeating soon will not
        # help, but an operator may fix it, so it is tried again hourly.
        next_at = now + timedelta(seconds=outbox_setting("RETRY_MAX_SECONDS"))
    Subscriber.objects.filter(pk=subscriber.pk).update(
        sync_attempts=attempts,
        sync_next_at=next_at,
        sync_enqueued_at=None,
        sync_error=str(error)[:2000],
    )
    logger.info(
        "Newsletter subscriber %s: Mailchimp sync failed (attempt %s): %s",
        subscriber.pk,
        attempts,
        error,
        extra={"subscriber_id": subscriber.pk},
    )
    return (
        f"subscriber {subscriber.pk}: failed, retry at {next_at.isoformat()}: {error}"
    )


def _done(subscriber: Subscriber, *, remote_status: str, note: str = "") -> None:
    """Clear the flag, unless the row changed while Mailchimp was asked."""
    now = timezone.now()
    cleared = Subscriber.objects.filter(
        pk=subscriber.pk, sync_version=subscriber.sync_version
    ).update(
        sync_needed=False,
        synced_at=now,
        remote_status=remote_status,
        sync_attempts=0,
        sync_next_at=None,
        sync_enqueued_at=None,
        sync_error=note,
    )
    if not cleared:
        Subscriber.objects.filter(pk=subscriber.pk).update(
            synced_at=now, remote_status=remote_status
        )


def _merge_fields(subscriber: Subscriber) -> dict[str, str]:
    return {
        MERGE_ORGANISATION: subscriber.organisation[:MERGE_VALUE_LENGTH],
        MERGE_PREFECTURE: subscriber.get_prefecture_display()
        if subscriber.prefecture
        else "",
    }


def _upsert(backend: NewsletterBackend, subscriber: Subscriber) -> str:
    ids = _interests_ensure(backend)
    _merge_fields_ensure(backend)
    chosen = {
        (Kind.REGION, pk) for pk in subscriber.regions.values_list("pk", flat=True)
    }
    chosen |= {
        (Kind.TOPIC, pk) for pk in subscriber.topics.values_list("pk", flat=True)
    }
    # Every interest of our categories, so one taken off is taken off there.
    interests = {interest_id: key in chosen for key, interest_id in ids.items()}
    email = email_ascii(subscriber.email)
    try:
        member = backend.member_upsert(
            email=email,
            merge_fields=_merge_fields(subscriber),
            interests=interests,
            language=MAILCHIMP_LANGUAGES.get(subscriber.language, subscriber.language),
        )
    except Rejected:
        # Perhaps a merge field was deleted at Mailchimp: look next time.
        _merge_fields_known.discard(backend)
        raise
    note = ""
    if member.status == "unsubscribed" and subscriber.status == Status.PENDING:
        # Someone who left signed up again on the site: "pending" makes
        # Mailchimp send its opt-in e-mail (it never puts them back as
        # subscribed by API).
        member = backend.member_status_set(email=email, status="pending")
    if member.status == "subscribed" and subscriber.status == Status.PENDING:
        # Confirmed at Mailchimp, and its webhook has not come (or was lost).
        remote_status_apply(
            subscriber_id=subscriber.pk,
            remote_status="subscribed",
            reason="sync",
            pending_only=True,
        )
    elif member.status in ("cleaned", "archived") and subscriber.status == (
        Status.PENDING
    ):
        note = (
            f"Mailchimp keeps this address {member.status} and does not let it "
            "back in by API: the person can subscribe again through "
            "Mailchimp's own sign-up form."
        )
    _done(subscriber, remote_status=member.status, note=note)
    return f"subscriber {subscriber.pk}: upserted, Mailchimp status {member.status}"


def _unsubscribe(backend: NewsletterBackend, subscriber: Subscriber) -> str:
    email = email_ascii(subscriber.email)
    try:
        member = backend.member_status_set(email=email, status="unsubscribed")
    except NotFound:
        # Never added there (the sign-up's upsert had not gone through), or
        # deleted there since: Mailchimp mails nobody it does not hold.
        _done(subscriber, remote_status="")
        return f"subscriber {subscriber.pk}: not at Mailchimp, nothing to unsubscribe"
    _done(subscriber, remote_status=member.status)
    return f"subscriber {subscriber.pk}: unsubscribed at Mailchimp"


def _erasure_reason(subscriber: Subscriber) -> str:
    by = subscriber.erasure_requested_by
    return f"on request, by user {by}" if by else "on request"


def erasure_run(*, subscriber_id: int, backend: NewsletterBackend | None = None) -> str:
    """Finish an erasure: delete the member permanently at Mailchimp first
    (outside any transaction), then the row here, leaving the audit's
    digest-only record. Mailchimp failing leaves the row erased and due."""
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Status.ERASED
    ).first()
    if subscriber is None:
        return f"subscriber {subscriber_id}: nothing to erase"
    backend = backend if backend is not None else newsletter_backend()
    if backend is not None:
        try:
            backend.member_delete_permanently(email=email_ascii(subscriber.email))
        except NewsletterError as error:
            return _failed(subscriber, error)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(pk=subscriber_id, status=Status.ERASED)
            .first()
        )
        if subscriber is None:
            return f"subscriber {subscriber_id}: already erased"
        consent_record_add(
            subscriber=subscriber,
            action=ConsentRecord.Action.ERASED,
            source=ConsentRecord.Source.ADMIN,
            reason=_erasure_reason(subscriber),
        )
        # The records keep their digest; the link to the row goes.
        subscriber.delete()
    logger.info(
        "Newsletter subscriber %s erased",
        subscriber_id,
        extra={"subscriber_id": subscriber_id},
    )
    return f"subscriber {subscriber_id}: erased"


def subscriber_sync(*, subscriber_id: int) -> str:
    """Send this row's pending change to Mailchimp (see the module's
    docstring); the task's body."""
    backend = newsletter_backend()
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None:
        return f"subscriber {subscriber_id}: gone"
    if backend is None or not subscriber.sync_needed:
        Subscriber.objects.filter(pk=subscriber_id).update(sync_enqueued_at=None)
        return f"subscriber {subscriber_id}: nothing to send"
    if subscriber.sync_next_at and subscriber.sync_next_at > timezone.now():
        Subscriber.objects.filter(pk=subscriber_id).update(sync_enqueued_at=None)
        return f"subscriber {subscriber_id}: not due"
    if subscriber.status == Status.ERASED:
        return erasure_run(subscriber_id=subscriber_id, backend=backend)
    try:
        if subscriber.status in (Status.PENDING, Status.SUBSCRIBED):
            return _upsert(backend, subscriber)
        if subscriber.status == Status.UNSUBSCRIBED:
            return _unsubscribe(backend, subscriber)
    except NewsletterError as error:
        return _failed(subscriber, error)
    # Cleaned: Mailchimp said so; nothing to tell it.
    _done(subscriber, remote_status=subscriber.remote_status or subscriber.status)
    return f"subscriber {subscriber_id}: nothing to send for {subscriber.status}"


__all__ = [
    "REGION_CATEGORY",
    "TOPIC_CATEGORY",
    "erasure_run",
    "interests_stale",
    "newsletter_interests_sync",
    "subscriber_sync",
    "sync_enqueue",
    "sync_mark",
    "syncs_due",
]
