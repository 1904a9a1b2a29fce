"""django-tasks-db's worker, with a heartbeat so the scheduler can tell a dead
worker from a slow task (see cms.taskqueue), and a restart of its loop when
the database connection is lost (a database restart).

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
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.db import connections as all_connections
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


# Waits before starting again after a lost connection: the database is
# probably restarting.
RECONNECT_WAITS = (1, 2, 5, 10, 30)


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with a heartbeat for crash recovery)"

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
        try:
            super().handle(*args, worker_id=worker_id, **options)
        finally:
            stop.set()
            heart.join(timeout=5)
            try:
                worker_heartbeat_stop(worker_id=worker_id)
            except DatabaseError:
                # Without the database the beat simply stops; the row ages out.
                logger.warning("Could not remove worker %s's heartbeat", worker_id)
