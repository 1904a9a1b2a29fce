"""Thin tasks: load by id, call a service. The rows are the truth; a lost
task is rung again by the scheduler's outbox_sweep."""

from django.tasks import task


@task()
def deliver(delivery_id: int) -> str:
    from .services import delivery_run

    return delivery_run(delivery_id=delivery_id)
