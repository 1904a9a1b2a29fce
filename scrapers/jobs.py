"""The scheduler's job for the scrapers: enqueue the sources that are due."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .conf import scraper_setting
from .models import Source

# A batch that was enqueued but never started (a lost task) is enqueued again
# after this long.
REQUEUE_AFTER = timedelta(minutes=10)


def sources_due() -> list[int]:
    now = timezone.now()
    return list(
        Source.objects.filter(enabled=True, next_fetch_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - REQUEUE_AFTER))
        .order_by("next_fetch_at")
        .values_list("pk", flat=True)[:5000]
    )


def enqueue_due_sources() -> str:
    from .tasks import fetch_sources

    due = sources_due()
    size = scraper_setting("BATCH_SIZE")
    batches = 0
    for start in range(0, len(due), size):
        batch = due[start : start + size]
        with transaction.atomic():
            Source.objects.filter(pk__in=batch).update(enqueued_at=timezone.now())
            transaction.on_commit(lambda batch=batch: fetch_sources.enqueue(batch))
        batches += 1
    return f"enqueued {len(due)} due sources in {batches} batches"
