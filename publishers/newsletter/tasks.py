"""Thin tasks: load by id, call a service. The rows are the truth; a lost
task is rung again by the scheduler's newsletter_sweep."""

from django.tasks import task


@task()
def newsletter_confirmation_send(subscriber_id: int) -> str:
    from .services import confirmation_send

    return confirmation_send(subscriber_id=subscriber_id)


@task()
def newsletter_subscriber_sync(subscriber_id: int) -> str:
    from .sync import subscriber_sync

    return subscriber_sync(subscriber_id=subscriber_id)
