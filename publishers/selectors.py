"""Reads for the outbox: which channels a page uses, what a change is, and
which deliveries are due."""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.utils import timezone
from wagtail.models import Page

from .channels import Channel, channels_all
from .conf import outbox_setting
from .models import ChannelDefault, Delivery

# The page field that says yes or no to a kind of channel (None: default).
# Channels of other kinds (the website) are always used.
PAGE_CHOICE_FIELDS = {
    "x": "to_x",
    "newsletter": "to_newsletter",
    "webhooks": "to_partners",
}


def channel_kind(channel: Channel) -> str:
    return str(channel.options.get("KIND", channel.alias))


def channel_used(*, page: Page, channel: Channel) -> bool:
    """Whether ``page`` goes out through ``channel``: the page's own choice,
    else the default for its type in its office, else for its type in every
    office, else the channel's ``ENABLED_BY_DEFAULT`` option (yes)."""
    field = PAGE_CHOICE_FIELDS.get(channel_kind(channel))
    if field is None:
        return True
    if not hasattr(page, field):
        return False  # pages of this type never go out this way
    chosen = getattr(page, field)
    if chosen is not None:
        return bool(chosen)
    page_type = ContentType.objects.get_for_model(type(page))
    office_id = getattr(page, "office_id", None)
    defaults = {
        row.office_id: row.enabled
        for row in ChannelDefault.objects.filter(
            page_type=page_type, channel=channel.alias
        ).filter(Q(office_id=office_id) | Q(office=None))
    }
    if office_id in defaults and office_id is not None:
        return defaults[office_id]
    if None in defaults:
        return defaults[None]
    return bool(channel.options.get("ENABLED_BY_DEFAULT", True))


def channels_for_page(*, page: Page) -> dict[str, Channel]:
    return {
        alias: channel
        for alias, channel in channels_all().items()
        if channel_used(page=page, channel=channel)
    }


def deliveries_due(*, now: datetime | None = None) -> QuerySet[Delivery]:
    """Rows a task should run now: due pending ones, unknown outcomes due for
    their look, rows whose worker's lease ran out, and due rows whose task
    seems lost (enqueued long ago, never started)."""
    now = now or timezone.now()
    State = Delivery.State
    lost = now - timezone.timedelta(seconds=outbox_setting("REQUEUE_AFTER_SECONDS"))
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    not_enqueued = Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=lost)
    return Delivery.objects.filter(
        (Q(state__in=[State.PENDING, State.UNKNOWN]) & due & not_enqueued)
        | Q(state=State.SENDING, lease_until__lt=now)
    )


def deliveries_failing() -> QuerySet[Delivery]:
    """What an operator should look at: failed rows, and rows still trying
    after an error."""
    State = Delivery.State
    return Delivery.objects.filter(
        Q(state=State.FAILED)
        | Q(state__in=[State.PENDING, State.UNKNOWN], attempts__gte=1)
        & ~Q(last_error="")
    )
