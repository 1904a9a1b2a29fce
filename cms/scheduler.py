"""One scheduler for all periodic work.

Any number of `manage.py scheduler` processes may run, on any machines; the one
holding the lease row runs the jobs and the others wait to take over. Jobs are
short: anything long is enqueued as a task for the workers. The jobs are named
in settings.TSUNAGU_SCHEDULER["JOBS"] (dotted paths, like CACHES or TASKS), so
later stages add theirs there.
"""

import contextlib
import logging
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, close_old_connections
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string

from .models import ScheduledJob, SchedulerLease

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"


def lease_acquire(*, name: str = LEASE_NAME, holder: str, seconds: int) -> bool:
    """Take or renew the lease; True if ``holder`` holds it afterwards.

    Conditional UPDATEs decide, against the database's clock: a renewal only
    matches the current holder's unexpired lease, a take-over only an expired
    one, so two schedulers can never both win (row locks would do nothing on
    SQLite) and the clocks of different machines do not matter.
    """
    # Another scheduler may create the row at the same moment; either will do.
    with contextlib.suppress(IntegrityError):
        SchedulerLease.objects.get_or_create(
            # Already expired, by a margin: SQLite's Now() has millisecond
            # steps, and a row made this millisecond would not yet be "past".
            name=name,
            defaults={
                "holder": "",
                "expires_at": timezone.now() - timedelta(seconds=1),
            },
        )
    until = Now() + timedelta(seconds=seconds)
    leases = SchedulerLease.objects.filter(name=name)
    if leases.filter(holder=holder, expires_at__gte=Now()).update(expires_at=until):
        return True
    return bool(
        leases.filter(expires_at__lt=Now()).update(
            holder=holder, expires_at=until, acquired_at=Now()
        )
    )


def lease_release(*, name: str = LEASE_NAME, holder: str) -> None:
    # In the past, not "now": SQLite's clock has millisecond steps, and a lease
    # expiring at this very millisecond would not yet count as expired.
    SchedulerLease.objects.filter(name=name, holder=holder).update(
        expires_at=Now() - timedelta(seconds=1)
    )


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[], Any]
    every: timedelta


def jobs_from_settings() -> list[JobSpec]:
    specs = []
    for name, conf in settings.TSUNAGU_SCHEDULER["JOBS"].items():
        try:
            func = import_string(conf["JOB"])
            every = timedelta(seconds=int(conf["EVERY"]))
        except (ImportError, KeyError, TypeError, ValueError) as exc:
            raise ImproperlyConfigured(
                f"TSUNAGU_SCHEDULER['JOBS'][{name!r}] needs JOB (a dotted path to "
                f"a function) and EVERY (seconds): {exc}"
            ) from exc
        specs.append(JobSpec(name=name, func=func, every=every))
    return specs


def job_run(*, spec: JobSpec, holder: str) -> ScheduledJob:
    """Run one job now and record how it went; an error is kept, not raised."""
    started = timezone.now()
    ScheduledJob.objects.filter(name=spec.name).update(
        last_started_at=started, last_holder=holder
    )
    result, error = "", ""
    try:
        outcome = spec.func()
        result = "" if outcome is None else str(outcome)[:2000]
    except Exception as exc:
        logger.exception("Scheduled job %s failed", spec.name)
        error = "".join(traceback.format_exception_only(exc)).strip()[:2000]
    finished = timezone.now()
    ScheduledJob.objects.filter(name=spec.name).update(
        last_finished_at=finished,
        next_run_at=started + spec.every,
        last_result=result,
        last_error=error,
        run_count=F("run_count") + 1,
        consecutive_failures=(F("consecutive_failures") + 1) if error else 0,
    )
    return ScheduledJob.objects.get(name=spec.name)


class Scheduler:
    def __init__(
        self,
        *,
        jobs: list[JobSpec] | None = None,
        holder: str | None = None,
        lease_seconds: int | None = None,
        tick_seconds: float | None = None,
        report: Callable[[str], Any] | None = None,
    ) -> None:
        conf = settings.TSUNAGU_SCHEDULER
        self.report = report or logger.info
        self.jobs = jobs if jobs is not None else jobs_from_settings()
        self.holder = holder or (
            f"{socket.gethostname()}:{os.getpid()}:{get_random_string(6)}"
        )
        self.lease_seconds = lease_seconds or conf["LEASE_SECONDS"]
        self.tick_seconds = tick_seconds or conf["TICK_SECONDS"]
        if self.tick_seconds * 2 > self.lease_seconds:
            raise ImproperlyConfigured(
                "TSUNAGU_SCHEDULER: LEASE_SECONDS must be at least twice "
                "TICK_SECONDS, or the lease lapses between renewals."
            )
        self.running = True
        self.leading = False
        self._wake = threading.Event()
        now = timezone.now()
        for spec in self.jobs:
            with contextlib.suppress(IntegrityError):
                ScheduledJob.objects.get_or_create(
                    name=spec.name, defaults={"next_run_at": now}
                )

    def tick(self) -> list[str]:
        """Renew the lease and run the due jobs; returns the names of jobs run."""
        was_leading = self.leading
        self.leading = lease_acquire(holder=self.holder, seconds=self.lease_seconds)
        if self.leading != was_leading:
            state = "leading" if self.leading else "standing by"
            self.report(f"Scheduler {self.holder} is now {state}")
        if not self.leading:
            return []
        due = set(
            ScheduledJob.objects.filter(
                name__in=[s.name for s in self.jobs], next_run_at__lte=timezone.now()
            ).values_list("name", flat=True)
        )
        ran = []
        for spec in self.jobs:
            if spec.name not in due or not self.running:
                continue
            # Renew before each job so a slow one never lets the lease lapse
            # between jobs; give up the round if someone else took over.
            if not lease_acquire(holder=self.holder, seconds=self.lease_seconds):
                self.leading = False
                break
            job = job_run(spec=spec, holder=self.holder)
            ran.append(spec.name)
            if job.last_error:
                self.report(f"Job {spec.name} failed: {job.last_error}")
        return ran

    def run_forever(self, *, max_seconds: float | None = None) -> None:
        deadline = time.monotonic() + max_seconds if max_seconds else None
        self.report(f"Scheduler {self.holder} started")
        try:
            while self.running and (deadline is None or time.monotonic() < deadline):
                close_old_connections()
                self.tick()
                self._wake.wait(self.tick_seconds)
        finally:
            if self.leading:
                lease_release(holder=self.holder)
            self.report(f"Scheduler {self.holder} stopped")

    def stop(self, *_args: Any) -> None:
        self.running = False
        self._wake.set()
