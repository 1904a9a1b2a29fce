from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult
from wagtail.models import (
    Collection,
    CollectionViewRestriction,
    Page,
    PageLogEntry,
)

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


def pages_restricted(page_ids: Iterable[int]) -> set[int]:
    """Of these pages, those that a view restriction (password, login,
    groups) hides, on the page or above it, live or not.

    The one rule of what is public is Wagtail's ``PageQuerySet.public()``
    (``not_public()`` its complement), which the site, feeds, sitemap,
    search and the digest's selection already filter with: ask this, never
    PageViewRestriction directly. Pages that no longer exist are not in
    the answer (a deleted page's unpublish is still told)."""
    ids = set(page_ids)
    if not ids:
        return set()
    return set(
        Page.objects.filter(pk__in=ids).not_public().values_list("pk", flat=True)
    )


def page_is_public(*, page_id: int) -> bool:
    """Whether anyone may see the page: no view restriction on it or above
    (see ``pages_restricted``). The outbox asks it when a delivery is made
    and again just before it is sent."""
    return page_id not in pages_restricted([page_id])


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


def user_is_hq(user: AbstractBaseUser) -> bool:
    """Superusers and HQ reviewers: they see and decide for every office."""
    from .newsroom.setup import HQ_REVIEWERS_GROUP

    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=HQ_REVIEWERS_GROUP).exists())
    )


def offices_for_user(user: AbstractBaseUser) -> QuerySet[Office]:
    """The offices whose work the user manages: all of them for superusers and
    HQ reviewers, otherwise those whose editors group the user is in."""
    if not user.is_authenticated:
        return Office.objects.none()
    if user_is_hq(user):
        return Office.objects.all()
    return Office.objects.filter(editors__in=user.groups.all())


# Wagtail's log actions of a page going live and of it being taken down
# (scheduled publishing and expiry log their own).
PUBLISH_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")
UNPUBLISH_ACTIONS = ("wagtail.unpublish", "wagtail.unpublish.scheduled")


def publish_log_latest(
    *,
    page_id: int,
    before: datetime | None = None,
    before_id: int | None = None,
    other_than_revision: int | None = None,
) -> PageLogEntry | None:
    """A page's latest publish log entry (with its revision): before a time
    or an entry, or other than the publish of a revision. Wagtail sends
    ``page_published`` before it writes the publish's entry, so at the
    signal this is the version that was live before."""
    entries = PageLogEntry.objects.filter(
        page_id=page_id, action__in=PUBLISH_ACTIONS
    ).exclude(revision=None)
    if before is not None:
        entries = entries.filter(timestamp__lte=before)
    if before_id is not None:
        entries = entries.filter(pk__lt=before_id)
    if other_than_revision is not None:
        entries = entries.exclude(revision_id=other_than_revision)
    return entries.order_by("-timestamp", "-pk").select_related("revision").first()
