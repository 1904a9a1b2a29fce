"""Writes of the newsletter's subscribers: sign-up, confirmation,
unsubscription, erasure (what Mailchimp's webhooks report is in
webhooks.py).

Every change is one transaction here; what goes out (the confirmation
e-mail, the Mailchimp sync) is enqueued after the commit and retried from
the row (jobs.newsletter_sweep). Return values and log lines name
subscribers by id only: task results and logs outlive an erasure.

Sign-up answers the same whatever the address's state (the view shows one
page), so the form tells nobody who subscribes:

- new, pending, unsubscribed or bounced address: the choices are stored, the
  row is pending, consent "given" is recorded, and the confirmation goes out
  (an e-mailed link here; Mailchimp's own e-mail with Mailchimp);
- subscribed address: the new choices wait in ``pending_change`` until the
  e-mailed link is confirmed, so a form cannot change someone else's
  subscription;
- at most one confirmation e-mail per address every
  NEWSLETTER_CONFIRM_RESEND_SECONDS: the form cannot flood an inbox.
"""

from __future__ import annotations

import enum
import logging
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cms.models import Region, Topic
from publishers.backends.newsletter import newsletter_backend

from .addresses import email_key
from .conf import newsletter_setting
from .consent import Consent
from .mail import confirmation_message
from .models import ConsentRecord, Subscriber
from .records import consent_record_add
from .sync import _backoff, erasure_run, sync_mark

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Action = ConsentRecord.Action
Source = ConsentRecord.Source
# A requested confirmation e-mail that has not gone after this long lost
# its task.
REQUEUE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500


# -- sign-up -------------------------------------------------------------------


def _choices(regions: Iterable[Region], topics: Iterable[Topic]) -> dict:
    return {
        "regions": sorted(r.pk for r in regions),
        "topics": sorted(t.pk for t in topics),
    }


def subscriber_signup(
    *,
    email: str,
    organisation: str,
    prefecture: str,
    regions: Iterable[Region],
    topics: Iterable[Topic],
    language: str,
    consent: Consent,
) -> None:
    """Someone sent the sign-up form, consent box ticked (see the module's
    docstring for what follows). Returns nothing on purpose: the caller
    answers the same in every case."""
    backend = newsletter_backend()
    regions, topics = list(regions), list(topics)
    profile = {
        "organisation": organisation.strip(),
        "prefecture": prefecture,
        "language": language,
        "consent_version": consent.version,
    }
    now = timezone.now()
    key = email_key(email)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(email_key=key).first()
        )
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email.strip(),
                        email_key=key,
                        status=Status.PENDING,
                        status_changed_at=now,
                        **profile,
                    )
            except IntegrityError:  # the same address at the same moment
                subscriber = Subscriber.objects.select_for_update().get(email_key=key)
        if subscriber.status == Status.ERASED:
            # Its erasure is still waiting for Mailchimp: let it finish.
            logger.info(
                "Sign-up for subscriber %s ignored: erasure in progress",
                subscriber.pk,
                extra={"subscriber_id": subscriber.pk},
            )
            return
        if subscriber.status == Status.SUBSCRIBED:
            Subscriber.objects.filter(pk=subscriber.pk).update(
                pending_change={**profile, **_choices(regions, topics)},
                updated_at=now,
            )
            subscriber.refresh_from_db()
        else:
            # Pending, unsubscribed or bounced: nothing is sent to it until
            # the address confirms, so the choices are stored as they come.
            was = subscriber.status
            for name, value in profile.items():
                setattr(subscriber, name, value)
            subscriber.email = email.strip()
            subscriber.status = Status.PENDING
            if was != Status.PENDING:
                subscriber.status_changed_at = now
            subscriber.pending_change = {}
            subscriber.save()
            subscriber.regions.set(regions)
            subscriber.topics.set(topics)
        consent_record_add(
            subscriber=subscriber,
            action=Action.GIVEN,
            source=Source.SITE,
            consent=consent,
            reason="change" if subscriber.pending_change else "",
            at=now,
        )
        if backend is None or subscriber.status == Status.SUBSCRIBED:
            _confirmation_request(subscriber, now)
        if backend is not None and subscriber.status == Status.PENDING:
            sync_mark(subscriber_ids=[subscriber.pk])


def _confirmation_request(subscriber: Subscriber, now: datetime) -> None:
    """A new link (a new nonce) and its e-mail after the commit, unless one
    went out to this address a moment ago: then that link stays valid and
    confirms what the row holds now."""
    last = subscriber.confirm_requested_at
    resend = timedelta(seconds=newsletter_setting("NEWSLETTER_CONFIRM_RESEND_SECONDS"))
    if last is not None and subscriber.confirm_nonce and now - last < resend:
        logger.info(
            "Confirmation for subscriber %s not sent again so soon",
            subscriber.pk,
            extra={"subscriber_id": subscriber.pk},
        )
        return
    Subscriber.objects.filter(pk=subscriber.pk).update(
        confirm_nonce=secrets.token_urlsafe(12),
        confirm_requested_at=now,
        confirm_sent_at=None,
        confirm_attempts=0,
        confirm_next_at=None,
        confirm_error="",
    )
    confirmation_enqueue(subscriber_ids=[subscriber.pk])


def confirmation_enqueue(*, subscriber_ids: list[int]) -> None:
    from .tasks import newsletter_confirmation_send

    for subscriber_id in subscriber_ids:
        transaction.on_commit(
            lambda subscriber_id=subscriber_id: newsletter_confirmation_send.enqueue(
                subscriber_id
            )
        )


def _confirmation_due(now: datetime) -> Q:
    unsent = Q(confirm_sent_at__isnull=True) | Q(
        confirm_sent_at__lt=F("confirm_requested_at")
    )
    waiting = Q(status=Status.PENDING) | (
        Q(status=Status.SUBSCRIBED) & ~Q(pending_change={})
    )
    return (
        Q(confirm_requested_at__isnull=False)
        & ~Q(confirm_nonce="")
        & unsent
        & waiting
        & (Q(confirm_next_at__isnull=True) | Q(confirm_next_at__lte=now))
    )


def confirmations_due(*, now: datetime) -> list[int]:
    """Confirmation e-mails whose task was lost, or whose retry is due."""
    lost = Q(confirm_next_at__isnull=True) & Q(
        confirm_requested_at__lt=now - REQUEUE_AFTER
    )
    retry = Q(confirm_next_at__isnull=False)
    return list(
        Subscriber.objects.filter(_confirmation_due(now) & (lost | retry))
        .order_by("confirm_requested_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def confirmation_send(*, subscriber_id: int) -> str:
    """Send the confirmation e-mail if it is still due. The row is claimed
    first (at most one e-mail per request, even if the sweep rang too); a
    failed send is released and retried with a back-off."""
    now = timezone.now()
    claimed = Subscriber.objects.filter(
        _confirmation_due(now), pk=subscriber_id
    ).update(confirm_sent_at=now)
    if not claimed:
        return f"subscriber {subscriber_id}: no confirmation due"
    subscriber = Subscriber.objects.get(pk=subscriber_id)
    try:
        confirmation_message(subscriber).send()
    except Exception as error:
        # SMTP refused, timed out or is down (smtplib, OSError, ...).
        attempts = subscriber.confirm_attempts + 1
        Subscriber.objects.filter(pk=subscriber_id).update(
            confirm_sent_at=None,
            confirm_attempts=attempts,
            confirm_next_at=now + _backoff(attempts),
            confirm_error=f"{error.__class__.__name__}: {error}"[:2000],
        )
        logger.warning(
            "Confirmation e-mail for subscriber %s failed (attempt %s): %s",
            subscriber_id,
            attempts,
            error,
            extra={"subscriber_id": subscriber_id},
        )
        return f"subscriber {subscriber_id}: confirmation failed, will retry"
    Subscriber.objects.filter(pk=subscriber_id).update(
        confirm_attempts=0, confirm_next_at=None, confirm_error=""
    )
    return f"subscriber {subscriber_id}: confirmation sent"


# -- confirmation --------------------------------------------------------------


class Confirmation(enum.Enum):
    CONFIRMED = "confirmed"
    # The link was used already: the subscription stands.
    ALREADY = "already"
    # A newer link replaced this one, or the person unsubscribed since.
    REPLACED = "replaced"


def subscriber_confirm(*, subscriber: Subscriber, nonce: str) -> Confirmation:
    """The person pressed "Confirm" on the page of the e-mailed link: the
    subscription starts, or the changed choices apply."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if not subscriber.confirm_nonce or not secrets.compare_digest(
            subscriber.confirm_nonce, nonce
        ):
            if subscriber.status == Status.SUBSCRIBED and not subscriber.pending_change:
                return Confirmation.ALREADY
            return Confirmation.REPLACED
        change = subscriber.pending_change
        if subscriber.status == Status.PENDING:
            subscriber.status = Status.SUBSCRIBED
            subscriber.status_changed_at = now
            subscriber.confirmed_at = now
        elif subscriber.status == Status.SUBSCRIBED and change:
            for name in ("organisation", "prefecture", "language", "consent_version"):
                setattr(subscriber, name, change.get(name, getattr(subscriber, name)))
            subscriber.regions.set(
                Region.objects.filter(pk__in=change.get("regions", []))
            )
            subscriber.topics.set(Topic.objects.filter(pk__in=change.get("topics", [])))
        else:
            return Confirmation.REPLACED
        subscriber.confirm_nonce = ""
        subscriber.pending_change = {}
        subscriber.save()
        consent_record_add(
            subscriber=subscriber,
            action=Action.CONFIRMED,
            source=Source.SITE,
            reason="change" if change else "double opt-in",
            at=now,
        )
        sync_mark(subscriber_ids=[subscriber.pk])
    return Confirmation.CONFIRMED


# -- unsubscription ------------------------------------------------------------


def subscriber_unsubscribe(
    *, subscriber: Subscriber, source: str = Source.SITE, reason: str = ""
) -> bool:
    """Stop sending to ``subscriber`` and record the withdrawal; with
    Mailchimp, the member is unsubscribed there too (retried until it is).
    False when there was nothing to do (already unsubscribed)."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        )
        if subscriber is None or subscriber.status in (
            Status.UNSUBSCRIBED,
            Status.ERASED,
        ):
            return False
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.status_changed_at = now
        subscriber.unsubscribed_at = now
        subscriber.confirm_nonce = ""
        subscriber.pending_change = {}
        subscriber.save()
        consent_record_add(
            subscriber=subscriber,
            action=Action.WITHDRAWN,
            source=source,
            reason=reason,
            at=now,
        )
        if source != Source.MAILCHIMP:
            sync_mark(subscriber_ids=[subscriber.pk])
    logger.info(
        "Newsletter subscriber %s unsubscribed (%s)",
        subscriber.pk,
        reason or source,
        extra={"subscriber_id": subscriber.pk},
    )
    return True


def subscriber_clean(*, subscriber: Subscriber, reason: str = "refused") -> bool:
    """The address bounced for good (the embedded default: the mail server
    refused the recipient): stop sending and record it. Mailchimp reports
    its own bounces by webhook. False when there was nothing to do."""
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        )
        if subscriber is None or subscriber.status not in (
            Status.PENDING,
            Status.SUBSCRIBED,
        ):
            return False
        subscriber.status = Status.CLEANED
        subscriber.status_changed_at = now
        subscriber.unsubscribed_at = now
        subscriber.confirm_nonce = ""
        subscriber.pending_change = {}
        subscriber.save()
        consent_record_add(
            subscriber=subscriber,
            action=Action.CLEANED,
            source=Source.SYSTEM,
            reason=reason,
            at=now,
        )
    return True


# -- erasure -------------------------------------------------------------------


class Erasure(enum.Enum):
    DONE = "done"
    # Mailchimp could not be reached (or refused): the row is erased here as
    # far as it can be, and the sweep tries Mailchimp again.
    WAITING = "waiting"


def subscriber_erase(*, subscriber: Subscriber, user: AbstractBaseUser) -> Erasure:
    """Erase a person on request (GDPR Art. 17, APPI Art. 35): Mailchimp's
    member is deleted permanently first, outside any transaction; then the
    row here. The consent records stay, with the address's keyed digest
    only. Until Mailchimp has done it, the row keeps the address alone (to
    ask Mailchimp again) and is in no list."""
    backend = newsletter_backend()
    now = timezone.now()
    with transaction.atomic():
        row = Subscriber.objects.select_for_update().filter(pk=subscriber.pk).first()
        if row is None:
            return Erasure.DONE
        row.regions.clear()
        row.topics.clear()
        Subscriber.objects.filter(pk=row.pk).update(
            status=Status.ERASED,
            status_changed_at=now,
            organisation="",
            prefecture="",
            pending_change={},
            confirm_nonce="",
            confirm_error="",
            erasure_requested_at=now,
            erasure_requested_by=user.pk if user is not None else None,
            sync_needed=backend is not None,
            sync_version=F("sync_version") + 1,
            sync_attempts=0,
            sync_next_at=None,
            sync_enqueued_at=None,
            sync_error="",
            updated_at=now,
        )
    erasure_run(subscriber_id=subscriber.pk, backend=backend)
    if Subscriber.objects.filter(pk=subscriber.pk).exists():
        return Erasure.WAITING
    return Erasure.DONE


# -- housekeeping --------------------------------------------------------------


def pending_prune(*, now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed within NEWSLETTER_PENDING_KEEP_DAYS
    (the embedded default: Mailchimp keeps its own pending members). Whoever
    typed the address may not own it; keeping it serves no purpose."""
    if newsletter_backend() is not None:
        return 0
    now = now or timezone.now()
    cutoff = now - timedelta(days=newsletter_setting("NEWSLETTER_PENDING_KEEP_DAYS"))
    pruned = 0
    # Not one whose latest confirmation link may still work.
    old = Q(status=Status.PENDING, status_changed_at__lt=cutoff) & (
        Q(confirm_requested_at__isnull=True) | Q(confirm_requested_at__lt=cutoff)
    )
    for subscriber_id in Subscriber.objects.filter(old).values_list("pk", flat=True)[
        :SWEEP_BATCH
    ]:
        with transaction.atomic():
            subscriber = (
                Subscriber.objects.select_for_update()
                .filter(pk=subscriber_id, status=Status.PENDING)
                .first()
            )
            if subscriber is None:
                continue
            consent_record_add(
                subscriber=subscriber,
                action=Action.EXPIRED,
                source=Source.SYSTEM,
                at=now,
            )
            subscriber.delete()
            pruned += 1
    return pruned
