"""Recovery and housekeeping for the database task queue.

django-tasks-db has no retries and no recovery: a task whose worker was killed
stays RUNNING for ever. Workers started with our `db_worker` beat a heartbeat
row; the scheduler puts the running task of a silent worker back in the queue,
with a cap on attempts so a task that kills its worker cannot loop.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying on it."""


@dataclass(frozen=True)
class RequeueReport:
    requeued: int
    failed: int

    def __str__(self) -> str:
        return f"requeued {self.requeued}, failed {self.failed}"


def tasks_requeue_stale(
    *, dead_after: timedelta | None = None, max_attempts: int | None = None
) -> RequeueReport:
    """Put RUNNING tasks whose worker stopped beating back to READY.

    A worker that never beat (an old worker, or one that has just started) is
    given the same grace, counted from when the task started.
    """
    dead_after = dead_after or timedelta(
        seconds=settings.TSUNAGU_WORKER_DEAD_AFTER_SECONDS
    )
    max_attempts = max_attempts or settings.TSUNAGU_TASK_MAX_ATTEMPTS
    now = timezone.now()
    cutoff = now - dead_after
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen_at__gte=cutoff).values_list(
            "worker_id", flat=True
        )
    )
    requeued = failed = 0
    running = DBTaskResult.objects.running().only(
        "id", "worker_ids", "started_at", "task_path"
    )
    for result in running:
        worker_id = result.worker_ids[-1] if result.worker_ids else None
        if worker_id in alive or (result.started_at and result.started_at >= cutoff):
            continue
        # Conditional on what we read: if a worker finished or re-claimed the
        # task meanwhile, the update matches nothing and we leave it alone.
        same = DBTaskResult.objects.filter(
            id=result.id, status=TaskResultStatus.RUNNING, started_at=result.started_at
        )
        attempts = len(result.worker_ids)
        if attempts >= max_attempts:
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__name__}",
                traceback=(
                    f"WorkerLost: the worker died while running this task "
                    f"{attempts} times (workers {', '.join(result.worker_ids)})."
                ),
            )
            failed += changed
            log = logger.error
        else:
            changed = same.update(status=TaskResultStatus.READY, started_at=None)
            requeued += changed
            log = logger.warning
        if changed:
            log(
                "Task %s (%s) lost its worker %s after %d attempt(s): %s",
                result.id,
                result.task_path,
                worker_id,
                attempts,
                "failed" if attempts >= max_attempts else "requeued",
            )
    return RequeueReport(requeued=requeued, failed=failed)


def task_results_prune(*, keep_days: int | None = None) -> int:
    """Delete finished task results, and heartbeats of long-gone workers."""
    keep_days = keep_days or settings.TSUNAGU_TASK_RESULTS_KEEP_DAYS
    cutoff = timezone.now() - timedelta(days=keep_days)
    deleted, _ = (
        DBTaskResult.objects.finished().filter(Q(finished_at__lt=cutoff)).delete()
    )
    WorkerHeartbeat.objects.filter(
        last_seen_at__lt=timezone.now() - timedelta(days=1)
    ).delete()
    return deleted


def worker_heartbeat_beat(
    *, worker_id: str, hostname: str, pid: int, started_at: timezone.datetime
) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": hostname,
            "pid": pid,
            "started_at": started_at,
            "last_seen_at": timezone.now(),
        },
    )


def worker_heartbeat_stop(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
