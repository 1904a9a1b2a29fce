"""django-tasks-db's worker, with a heartbeat so the scheduler can tell a dead
worker from a slow task (see cms.taskqueue), a restart of its loop when
the database connection is lost (a database restart), and a readable log:
one progress line per PROGRESS_SECONDS instead of two lines per task (a
first set-up indexes some 800 pages); failures are still logged one by one,
and ``--verbosity 2`` logs every task.

After a lost connection the loop starts again under a new worker id: the
old id's heartbeat stops, so the scheduler takes the task that was running
for a dead worker's and queues it again, as it does for a killed process.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from collections import Counter
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db import connections as all_connections
from django.tasks.signals import task_finished
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from cms.taskqueue import worker_heartbeat_beat, worker_heartbeat_stop

logger = logging.getLogger(__name__)


def _beat(worker_id: str, stop: threading.Event) -> None:
    hostname, pid, started = socket.gethostname(), os.getpid(), timezone.now()
    try:
        while True:
            try:
                worker_heartbeat_beat(
                    worker_id=worker_id, hostname=hostname, pid=pid, started_at=started
                )
            except DatabaseError:
                # A busy database skips a beat; the grace period is many beats.
                logger.warning("Heartbeat of worker %s failed", worker_id)
            if stop.wait(settings.TSUNAGU_WORKER_HEARTBEAT_SECONDS):
                return
    finally:
        connection.close()


PROGRESS_SECONDS = 10


class TaskProgress:
    """Tasks finished since the last report, by task."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._done: Counter[str] = Counter()

    def finished(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        with self._lock:
            self._done[task_result.task.name] += 1

    def line(self, seconds: float) -> str | None:
        """One line of what ran, or None when nothing did."""
        with self._lock:
            done, self._done = self._done, Counter()
        if not done:
            return None
        parts = ", ".join(f"{name} {n}" for name, n in done.most_common(4))
        more = len(done) - 4
        return f"{done.total()} tasks done in the last {seconds:.0f} s: {parts}" + (
            f" and {more} other kinds" if more > 0 else ""
        )


def _report(progress: TaskProgress, stop: threading.Event) -> None:
    last = time.monotonic()
    while not stop.wait(PROGRESS_SECONDS):
        now = time.monotonic()
        if line := progress.line(now - last):
            logger.info(line)
        last = now
    if line := progress.line(time.monotonic() - last):
        logger.info(line)


# Waits before starting again after a lost connection: the database is
# probably restarting.
RECONNECT_WAITS = (1, 2, 5, 10, 30)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with a heartbeat for crash recovery)"
    progress: TaskProgress | None = None

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1 and self.progress is not None:
            # Failures stay (ERROR); the rest goes into the progress line.
            # Wagtail logs each page a task creates, edits, copies, publishes
            # and redirects (some 30 lines for one fetched item): the same.
            for name in ("django.tasks", "wagtail"):
                logging.getLogger(name).setLevel(logging.WARNING)
            task_finished.connect(
                self.progress.finished, weak=False, dispatch_uid="worker-progress"
            )

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
        restarts = 0
        while True:
            current = worker_id if not restarts else f"{worker_id}-r{restarts}"
            try:
                self._run(*args, worker_id=current, **options)
                return
            except (OperationalError, InterfaceError) as exc:
                wait = RECONNECT_WAITS[min(restarts, len(RECONNECT_WAITS) - 1)]
                restarts += 1
                logger.error(
                    "Worker %s lost the database (%s); starting again as "
                    "%s-r%d in %d s",
                    current,
                    exc,
                    worker_id,
                    restarts,
                    wait,
                )
                for alias in all_connections:
                    # Broken already: a new connection is opened on use.
                    with contextlib.suppress(DatabaseError):
                        all_connections[alias].close()
                time.sleep(wait)

    def _run(self, *args: Any, worker_id: str, **options: Any) -> None:
        stop = threading.Event()
        heart = threading.Thread(
            target=_beat, args=(worker_id, stop), name="heartbeat", daemon=True
        )
        heart.start()
        if self.progress is None:
            self.progress = TaskProgress()
        reporter = threading.Thread(
            target=_report, args=(self.progress, stop), name="progress", daemon=True
        )
        reporter.start()
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()
            heart.join(timeout=5)
            reporter.join(timeout=5)
            try:
                worker_heartbeat_stop(worker_id=worker_id)
            except DatabaseError:
                # Without the database the beat simply stops; the row ages out.
                logger.warning("Could not remove worker %s's heartbeat", worker_id)
