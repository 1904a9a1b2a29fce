"""The outbox's writes: deliveries made for a change, run, retried, skipped.

A publish, update, correction or unpublish makes one Delivery per channel
(and target) in the publishing transaction; the tasks are enqueued after
the commit. The sweep (``outbox_sweep``, a scheduler job) makes any delivery
the signal path missed, from Wagtail's log of publishes, and rings again for
rows that are due or whose worker died.

Running a delivery (``delivery_run``):

1. claim the row (an UPDATE that only one worker can win; a lease);
2. if an earlier send left no recorded outcome (``sent_at`` set), ask the
   channel to look on the remote side first: found means done;
3. write ``sent_at`` (committed) and send, outside any transaction;
4. record the outcome under the same lease: done with the remote id; an
   error backs off (or waits for the reset a rate limit named); an unknown
   outcome is looked up before any retry; used-up attempts wait for an
   operator.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Page, PageLogEntry, Revision

from cms.caching import affected_urls
from cms.selectors import (
    PUBLISH_ACTIONS,
    UNPUBLISH_ACTIONS,
    page_is_public,
    publish_log_latest,
)

from .channels import Change, ChannelError, OutcomeUnknown, Sent, channel_get
from .conf import outbox_setting
from .models import Delivery, SweepCursor
from .selectors import channels_for_page, deliveries_due

logger = logging.getLogger(__name__)

Purpose = Delivery.Purpose
State = Delivery.State
# How many rows one sweep enqueues at most; the next sweep takes the rest.
SWEEP_BATCH = 500


# -- making deliveries ---------------------------------------------------------


def deliveries_make(*, change: Change) -> list[Delivery]:
    """One row per channel (and target) that acts on ``change``; rows that
    exist already are left as they are (the unique key is the intent), except
    that a refresh done before is armed again. Enqueued after the commit."""
    page = change.page
    public = page_is_public(page_id=page.pk)
    made: list[Delivery] = []
    for alias, channel in channels_for_page(page=page).items():
        if change.purpose not in channel.purposes:
            continue
        withheld = channel.public_only and not public
        for target in channel.targets(change=change):
            key = {
                "page_key": page.pk,
                "channel": alias,
                "target": target,
                "purpose": change.purpose,
                "revision_key": change.revision_id or 0,
            }
            if withheld:
                # A row that says so, holding nothing of the page.
                with transaction.atomic():
                    Delivery.objects.get_or_create(
                        **key,
                        defaults={
                            "page": page,
                            "page_title": page.title[:255],
                            "revision_id": change.revision_id,
                            "state": State.SKIPPED,
                            "payload": Delivery.WITHHELD_RESTRICTED,
                        },
                    )
                continue
            payload = channel.payload(change=change, target=target)
            try:
                with transaction.atomic():
                    delivery = Delivery.objects.create(
                        **key,
                        page=page,
                        page_title=page.title[:255],
                        revision_id=change.revision_id,
                        payload=payload,
                    )
            except IntegrityError:
                if change.purpose != Purpose.REFRESH:
                    continue
                # The same live revision refreshed again: run the row again.
                rearmed = Delivery.objects.filter(**key).exclude(
                    state__in=[State.PENDING, State.SENDING]
                )
                if not rearmed.update(
                    state=State.PENDING,
                    payload=payload,
                    attempts=0,
                    next_attempt_at=None,
                    last_error="",
                    sent_at=None,
                ):
                    continue
                delivery = Delivery.objects.get(**key)
            made.append(delivery)
    deliveries_enqueue(delivery_ids=[d.pk for d in made])
    return made


def _purpose_of_publish(
    *, page: Page, revision_id: int | None, entry: PageLogEntry | None
) -> str:
    """First publication, update or correction, from the version that was
    live before. At the signal, this publish's log entry is not written yet;
    from the sweep, ``entry`` is it."""
    before = publish_log_latest(
        page_id=page.pk,
        before_id=entry.pk if entry is not None else None,
        other_than_revision=revision_id,
    )
    if before is None:
        return Purpose.PUBLISH
    previous = before.revision.as_object()
    correction = (getattr(page, "correction", "") or "").strip()
    if correction and correction != (getattr(previous, "correction", "") or "").strip():
        return Purpose.CORRECTION
    return Purpose.UPDATE


def outbox_page_published(
    *, page: Page, revision: Revision | None = None, entry: PageLogEntry | None = None
) -> list[Delivery]:
    """``page`` was published (``revision``, its live revision). From the
    signal, or from the sweep with the log ``entry`` it found."""
    page = page.specific
    revision_id = revision.pk if revision is not None else page.live_revision_id
    purpose = _purpose_of_publish(page=page, revision_id=revision_id, entry=entry)
    urls = affected_urls(page=page, published=entry is None)
    return deliveries_make(
        change=Change(page=page, purpose=purpose, revision_id=revision_id, urls=urls)
    )


def outbox_page_unpublished(
    *, page: Page, entry: PageLogEntry | None = None
) -> list[Delivery]:
    """``page`` was unpublished (or is about to be deleted): the key is the
    revision that was live."""
    page = page.specific
    last = publish_log_latest(
        page_id=page.pk, before=entry.timestamp if entry is not None else None
    )
    revision_id = last.revision_id if last is not None else None
    return deliveries_make(
        change=Change(
            page=page,
            purpose=Purpose.UNPUBLISH,
            revision_id=revision_id,
            urls=affected_urls(page=page),
        )
    )


def outbox_page_refreshed(
    *, page: Page, moved_from: Page | None = None
) -> list[Delivery]:
    """A live page looks different without a new revision (moved, its
    translation reviewed): caches outside refresh; nobody is told."""
    page = page.specific
    if not page.live:
        return []
    return deliveries_make(
        change=Change(
            page=page,
            purpose=Purpose.REFRESH,
            revision_id=page.live_revision_id,
            urls=affected_urls(page=page, moved_from=moved_from),
        )
    )


def outbox_translation_state_changed(
    *, page_id: int, origin: object = None
) -> list[Delivery]:
    """A page's translation state was saved or deleted: the live page shows
    it, so caches outside refresh. ``origin`` is what a deletion started
    from: a state deleted with its page (Wagtail deletes the specific row
    first, so the page cannot even be loaded) changes nothing live, and the
    page's unpublish made its deliveries already."""
    deleting_pages = isinstance(origin, Page) or (
        isinstance(origin, QuerySet) and issubclass(origin.model, Page)
    )
    if deleting_pages:
        return []
    page = Page.objects.filter(pk=page_id, live=True).first()
    if page is None:
        return []
    return outbox_page_refreshed(page=page)


def deliveries_enqueue(*, delivery_ids: list[int]) -> None:
    """Ring the bell for these rows after the commit."""
    from .tasks import deliver

    if not delivery_ids:
        return
    Delivery.objects.filter(pk__in=delivery_ids).update(enqueued_at=timezone.now())
    for delivery_id in delivery_ids:
        transaction.on_commit(
            lambda delivery_id=delivery_id: deliver.enqueue(delivery_id)
        )


# -- running one ---------------------------------------------------------------


def _backoff(attempts: int) -> timedelta:
    base = outbox_setting("RETRY_BASE_SECONDS")
    most = outbox_setting("RETRY_MAX_SECONDS")
    seconds = min(most, base * 2 ** max(0, attempts - 1))
    # Up to a tenth more, so rows that failed together do not retry together.
    return timedelta(seconds=seconds * (1 + random.random() / 10))  # noqa: S311


def _claim(delivery_id: int, now: datetime) -> datetime | None:
    """Take the row for this worker; its lease end is the proof of holding it."""
    lease = now + timedelta(seconds=outbox_setting("LEASE_SECONDS"))
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter(
            (Q(state__in=[State.PENDING, State.UNKNOWN]) & due)
            | Q(state=State.SENDING, lease_until__lt=now)
        )
        .update(state=State.SENDING, lease_until=lease, enqueued_at=None)
    )
    return lease if claimed else None


def _record(delivery: Delivery, lease: datetime, **changes: object) -> bool:
    """Write the outcome if this worker still holds the row."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, state=State.SENDING, lease_until=lease
    ).update(lease_until=None, **changes)
    if not updated:
        logger.warning(
            "Delivery %s lost its lease before its outcome was recorded; the "
            "next run looks on the remote side first",
            delivery.pk,
            extra={"delivery_id": delivery.pk},
        )
    return bool(updated)


def _done(delivery: Delivery, lease: datetime, sent: Sent, *, sends: int) -> str:
    _record(
        delivery,
        lease,
        state=State.DONE,
        done_at=timezone.now(),
        attempts=delivery.attempts + sends,
        remote_id=sent.remote_id[:255],
        remote_url=sent.remote_url[:2000],
        last_error="",
        next_attempt_at=None,
    )
    return f"done: {sent.note or sent.remote_id or 'ok'}"


def _withhold(delivery: Delivery, lease: datetime) -> str:
    """A view restriction was added to the page (or above it) after the
    delivery was made: it is never sent, and what it held of the page goes."""
    _record(
        delivery,
        lease,
        state=State.SKIPPED,
        payload=Delivery.WITHHELD_RESTRICTED,
        next_attempt_at=None,
        last_error="",
    )
    logger.info(
        "Delivery %s (%s) withheld: its page is restricted",
        delivery.pk,
        delivery.channel,
        extra={"delivery_id": delivery.pk, "page_id": delivery.page_key},
    )
    return "skipped: the page is restricted"


def _failed(
    delivery: Delivery, lease: datetime, exc: ChannelError, *, unknown: bool
) -> str:
    attempts = delivery.attempts + (1 if exc.counts else 0)
    now = timezone.now()
    # A wait the error names (a rate limit's reset) is kept as it is; an
    # error that counts waits at least the back-off, so a service that is
    # down is not asked every minute.
    if exc.retry_at is not None and not exc.counts:
        next_at = exc.retry_at
    else:
        next_at = max(exc.retry_at or now, now + _backoff(attempts))
    if exc.permanent or attempts >= outbox_setting("MAX_ATTEMPTS"):
        state, next_at = State.FAILED, None
    elif unknown:
        state = State.UNKNOWN
    else:
        state = State.PENDING
    changes: dict[str, object] = {
        "state": state,
        "attempts": attempts,
        "next_attempt_at": next_at,
        "last_error": str(exc)[:2000],
    }
    if not unknown:
        # The service answered, or the request never left: nothing to look for.
        changes["sent_at"] = None
    _record(delivery, lease, **changes)
    logger.info(
        "Delivery %s (%s) %s: %s",
        delivery.pk,
        delivery.channel,
        state,
        exc,
        extra={"delivery_id": delivery.pk, "channel": delivery.channel},
    )
    return f"{state}: {exc}"


def delivery_run(*, delivery_id: int) -> str:
    """Run one delivery if it is due (see the module's docstring)."""
    now = timezone.now()
    lease = _claim(delivery_id, now)
    if lease is None:
        return "not due"
    delivery = Delivery.objects.get(pk=delivery_id)
    channel = channel_get(delivery.channel)
    if (
        channel is not None
        and channel.public_only
        and not page_is_public(page_id=delivery.page_key)
    ):
        return _withhold(delivery, lease)
    if channel is None:
        return _failed(
            delivery,
            lease,
            ChannelError(
                f"The channel {delivery.channel!r} is no longer configured",
                permanent=True,
            ),
            unknown=delivery.sent_at is not None,
        )
    try:
        if delivery.sent_at is not None:
            found = channel.look(delivery=delivery)
            if found is not None:
                return _done(delivery, lease, found, sends=0)
        Delivery.objects.filter(pk=delivery.pk, lease_until=lease).update(
            sent_at=timezone.now()
        )
        sent = channel.deliver(delivery=delivery)
    except OutcomeUnknown as exc:
        return _failed(delivery, lease, exc, unknown=True)
    except ChannelError as exc:
        return _failed(delivery, lease, exc, unknown=False)
    except Exception as exc:
        # A channel's bug: the request may or may not have left.
        logger.exception(
            "Delivery %s: the %s channel raised", delivery.pk, delivery.channel
        )
        return _failed(
            delivery,
            lease,
            OutcomeUnknown(f"Unexpected error: {exc.__class__.__name__}: {exc}"),
            unknown=True,
        )
    return _done(delivery, lease, sent, sends=1)


# -- operators -----------------------------------------------------------------


def delivery_retry(*, delivery: Delivery, user: AbstractBaseUser | None) -> bool:
    """Try a failed (or stuck) delivery again now, with its attempts counted
    afresh; one whose last send has no known outcome is looked up first."""
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, state__in=[State.FAILED, State.UNKNOWN, State.PENDING]
        ).update(state=State.PENDING, attempts=0, next_attempt_at=None)
        if updated:
            _log(delivery, "tsunagu.delivery.retry", user)
            deliveries_enqueue(delivery_ids=[delivery.pk])
    return bool(updated)


def delivery_skip(*, delivery: Delivery, user: AbstractBaseUser | None) -> bool:
    """Give up on a delivery that is not done: it is never sent."""
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, state__in=[State.FAILED, State.UNKNOWN, State.PENDING]
        ).update(state=State.SKIPPED, next_attempt_at=None, lease_until=None)
        if updated:
            _log(delivery, "tsunagu.delivery.skip", user)
    return bool(updated)


def _log(delivery: Delivery, action: str, user: AbstractBaseUser | None) -> None:
    page = Page.objects.filter(pk=delivery.page_key).first()
    if page is None:
        return
    log(
        instance=page,
        action=action,
        user=user,
        data={
            "delivery": delivery.pk,
            "channel": delivery.channel,
            "purpose": delivery.purpose,
        },
    )


# -- the sweep -----------------------------------------------------------------


def _reconcile(now: datetime) -> int:
    """Deliveries for publishes and unpublishes in Wagtail's log that have
    none: a worker died between the publish and the signal's work, or the
    page was published by a path that sent no signal."""
    cursor, _created = SweepCursor.objects.get_or_create(name="page-log")
    lookback = timedelta(seconds=outbox_setting("LOG_LOOKBACK_SECONDS"))
    since = (cursor.checked_until or now) - lookback
    entries = (
        PageLogEntry.objects.filter(
            action__in=[*PUBLISH_ACTIONS, *UNPUBLISH_ACTIONS], timestamp__gte=since
        )
        .exclude(page_id=None)
        .order_by("timestamp", "pk")
    )
    entries = list(entries)
    page_ids = {entry.page_id for entry in entries}
    pages = Page.objects.in_bulk(page_ids)
    # What the signal path made already: one query for the whole window.
    made_keys = {
        purpose: set(
            Delivery.objects.filter(page_key__in=page_ids, purpose__in=purposes)
            .values_list("page_key", "revision_key")
            .distinct()
        )
        for purpose, purposes in (
            ("publish", [Purpose.PUBLISH, Purpose.UPDATE, Purpose.CORRECTION]),
            ("unpublish", [Purpose.UNPUBLISH]),
        )
    }
    made = 0
    for entry in entries:
        page = pages.get(entry.page_id)
        if page is None:
            continue
        if entry.action in PUBLISH_ACTIONS:
            if (
                entry.revision_id is None
                or (page.pk, entry.revision_id) in made_keys["publish"]
            ):
                continue
            with transaction.atomic():
                made += len(
                    outbox_page_published(
                        page=page, revision=entry.revision, entry=entry
                    )
                )
            continue
        if page.live:
            continue  # published again since: nothing to retract now
        last = publish_log_latest(page_id=page.pk, before=entry.timestamp)
        if (page.pk, last.revision_id if last else 0) in made_keys["unpublish"]:
            continue
        with transaction.atomic():
            made += len(outbox_page_unpublished(page=page, entry=entry))
    SweepCursor.objects.filter(pk=cursor.pk).update(checked_until=now)
    return made


def outbox_sweep() -> str:
    """The scheduler's job: make what is missing, then ring for what is due."""
    now = timezone.now()
    made = _reconcile(now)
    due = list(deliveries_due(now=now).values_list("pk", flat=True)[:SWEEP_BATCH])
    with transaction.atomic():
        deliveries_enqueue(delivery_ids=due)
    return f"made {made} missing deliveries, enqueued {len(due)}"
