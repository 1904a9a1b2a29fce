from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from wagtail.models import Collection, CollectionViewRestriction

from .models import Office, ScheduledJob, SchedulerLease, WorkerHeartbeat


def collections_public() -> QuerySet[Collection]:
    """Collections that anyone may see: no view restriction on them or above."""
    collections = Collection.objects.all()
    for restriction in CollectionViewRestriction.objects.select_related("collection"):
        collections = collections.exclude(
            pk__in=Collection.objects.descendant_of(
                restriction.collection, inclusive=True
            ).values("pk")
        )
    return collections


@dataclass(frozen=True)
class SystemHealth:
    scheduler_holder: str | None
    scheduler_alive: bool
    jobs: list[ScheduledJob]
    workers_alive: int
    tasks_ready: int
    tasks_running: int
    tasks_failed_recently: int

    @property
    def problems(self) -> list[str]:
        found = []
        if not self.scheduler_alive:
            found.append(_("No scheduler is running: scheduled publishing is stopped."))
        if not self.workers_alive:
            found.append(_("No task worker is running: background work waits."))
        found += [
            _("Job %(name)s failed: %(error)s")
            % {"name": job.name, "error": job.last_error}
            for job in self.jobs
            if job.last_error
        ]
        return found


def system_health() -> SystemHealth:
    """The background machinery at a glance, for the admin dashboard."""
    now = timezone.now()
    lease = SchedulerLease.objects.filter(name="scheduler").first()
    alive_since = now - timedelta(seconds=settings.TSUNAGU_WORKER_DEAD_AFTER_SECONDS)
    counts = DBTaskResult.objects.aggregate(
        ready=Count("id", filter=Q(status=TaskResultStatus.READY)),
        running=Count("id", filter=Q(status=TaskResultStatus.RUNNING)),
        failed=Count(
            "id",
            filter=Q(
                status=TaskResultStatus.FAILED,
                finished_at__gte=now - timedelta(days=1),
            ),
        ),
    )
    return SystemHealth(
        scheduler_holder=lease.holder if lease else None,
        scheduler_alive=bool(lease and lease.expires_at >= now),
        jobs=list(ScheduledJob.objects.all()),
        workers_alive=WorkerHeartbeat.objects.filter(
            last_seen_at__gte=alive_since
        ).count(),
        tasks_ready=counts["ready"],
        tasks_running=counts["running"],
        tasks_failed_recently=counts["failed"],
    )


def offices_for_user(user: AbstractBaseUser) -> QuerySet[Office]:
    """The offices whose work the user manages: all of them for superusers and
    HQ reviewers, otherwise those whose editors group the user is in."""
    from .newsroom.setup import HQ_REVIEWERS_GROUP

    if not user.is_authenticated:
        return Office.objects.none()
    if user.is_superuser or user.groups.filter(name=HQ_REVIEWERS_GROUP).exists():
        return Office.objects.all()
    return Office.objects.filter(editors__in=user.groups.all())
