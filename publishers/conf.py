"""The publishers' settings.

``settings.TSUNAGU_PUBLISHERS``, shaped like ``CACHES``: one alias per
channel, each ``{"BACKEND": "<dotted path of a Channel>", "OPTIONS": {...}}``.
Only the channels named there exist; a page chooses among them.

``settings.TSUNAGU_OUTBOX``: how deliveries are retried (keys of DEFAULTS).
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Attempts that end in an error before a delivery waits for an operator.
    "MAX_ATTEMPTS": 8,
    # Back-off after the n-th error: BASE * 2**(n-1) seconds, at most MAX.
    "RETRY_BASE_SECONDS": 30,
    "RETRY_MAX_SECONDS": 3600,
    # A worker holds a delivery this long; after it the sweep takes it for dead.
    "LEASE_SECONDS": 120,
    # An enqueued delivery that has not started after this long lost its task.
    "REQUEUE_AFTER_SECONDS": 300,
    # How far back the sweep rereads Wagtail's publish log each time (log
    # entries can commit out of id order; reading twice creates nothing).
    "LOG_LOOKBACK_SECONDS": 900,
}

CHANNEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "website": {"BACKEND": "publishers.channels.website.WebsiteChannel"},
    "webhooks": {"BACKEND": "publishers.channels.webhooks.WebhookChannel"},
}


def outbox_setting(name: str) -> Any:
    return getattr(settings, "TSUNAGU_OUTBOX", {}).get(name, DEFAULTS[name])


def channels_configured() -> dict[str, dict[str, Any]]:
    configured = getattr(settings, "TSUNAGU_PUBLISHERS", None)
    return dict(CHANNEL_DEFAULTS if configured is None else configured)
