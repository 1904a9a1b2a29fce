"""django-tasks-db's worker, with a heartbeat so the scheduler can tell a dead
worker from a slow task (see cms.taskqueue)."""

import logging
import os
import socket
import threading
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
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


class Command(db_worker.Command):
    help = db_worker.Command.help + " (with a heartbeat for crash recovery)"

    def handle(self, *args: Any, worker_id: str, **options: Any) -> None:
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
            worker_heartbeat_stop(worker_id=worker_id)
