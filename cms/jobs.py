"""The scheduler's periodic jobs (named in settings.TSUNAGU_SCHEDULER)."""

import io

from django.core.management import call_command
from django.db import connection

from .taskqueue import task_results_prune, tasks_requeue_stale


def publish_scheduled() -> str:
    """Wagtail's scheduled publishing and expiry, without a cron."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    return out.getvalue().strip()


def requeue_stale_tasks() -> str:
    return str(tasks_requeue_stale())


def prune_task_results() -> str:
    return f"deleted {task_results_prune()} finished task results"


def optimize_database() -> str:
    """Keep SQLite's query planner informed: without statistics it can pick a
    poor index (measured: a duplicate look-up scanning every item instead of
    using its own index). PostgreSQL's autovacuum already analyses tables."""
    if connection.vendor != "sqlite":
        return "nothing to do on " + connection.vendor
    with connection.cursor() as cursor:
        # 0x10002: analyse any table whose statistics are missing or stale.
        cursor.execute("PRAGMA optimize=0x10002")
    return "PRAGMA optimize done"
