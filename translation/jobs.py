"""The scheduler's job for translation: ring the bell again for every job
that is due (the database is the truth, the queue only a doorbell)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .backends import backend_get
from .budget import budget_status
from .conf import translation_setting
from .glossary import glossary_sync_due
from .models import ServiceStatus, TranslationJob
from .quota import quota_left, quota_recheck
from .services import key_fingerprint, service_status, service_status_set

# An enqueued job that has not started after this long lost its task.
REQUEUE_AFTER = timedelta(minutes=10)


def _enqueue(job_ids: list[int]) -> None:
    from .tasks import translate_job

    if not job_ids:
        return
    with transaction.atomic():
        TranslationJob.objects.filter(pk__in=job_ids).update(enqueued_at=timezone.now())
        for job_id in job_ids:
            transaction.on_commit(lambda job_id=job_id: translate_job.enqueue(job_id))


def _service_recheck() -> str:
    """A quota or configuration stop is lifted when it no longer holds."""
    status = service_status()
    backend = backend_get()
    if status.state == ServiceStatus.State.CONFIG:
        if status.key_fingerprint != key_fingerprint():
            service_status_set(state=ServiceStatus.State.OK)
            return "configuration changed"
        return ""
    if status.state == ServiceStatus.State.QUOTA:
        every = timedelta(seconds=translation_setting("QUOTA_RECHECK_SECONDS"))
        if status.checked_at and status.checked_at > timezone.now() - every:
            return ""
        return quota_recheck(backend=backend)
    return ""


def jobs_due() -> list[int]:
    now = timezone.now()
    State = TranslationJob.State
    due = Q(state=State.QUEUED) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER)
    )
    due &= Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    due |= Q(state=State.RUNNING, lease_until__lt=now)
    status = service_status()
    if status.state == ServiceStatus.State.OK:
        due |= Q(state__in=[State.WAITING_QUOTA, State.CONFIG_ERROR])
    elif status.state == ServiceStatus.State.QUOTA:
        # Only the waiting jobs whose characters fit in what is left: a big
        # one is not sent again to get 456 again.
        left = quota_left(status)
        if left is not None:
            due |= Q(state=State.WAITING_QUOTA, needs_characters__lte=left)
    # Waiting for the budget: due once its next request fits (a new month,
    # or the budget raised).
    due |= Q(
        state=State.WAITING_BUDGET, needs_characters__lte=budget_status().remaining
    )
    if backend_get().translates:
        due |= Q(state=State.NO_BACKEND)
    return list(
        TranslationJob.objects.filter(due)
        .order_by("created_at")
        .values_list("pk", flat=True)[:1000]
    )


def translation_sweep() -> str:
    from .tasks import glossary_sync

    notes = [note for note in [_service_recheck()] if note]
    due = jobs_due()
    # Jobs that stopped for the service or the budget become queued again;
    # a NO_BACKEND job too, now that a backend translates.
    TranslationJob.objects.filter(
        pk__in=due,
        state__in=[
            TranslationJob.State.WAITING_QUOTA,
            TranslationJob.State.CONFIG_ERROR,
            TranslationJob.State.NO_BACKEND,
        ],
    ).update(state=TranslationJob.State.QUEUED, attempts=0)
    _enqueue(due)
    if glossary_sync_due():
        glossary_sync.enqueue()
        notes.append("glossary sync enqueued")
    return "; ".join([f"enqueued {len(due)} translation jobs", *notes])
