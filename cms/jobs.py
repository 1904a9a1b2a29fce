"""The scheduler's periodic jobs (named in settings.TSUNAGU_SCHEDULER)."""

import io

from django.core.management import call_command

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
