"""The outbox's fixtures: the configured channels (website, webhooks and a
recording channel of the X kind), a partner's webhook endpoint, articles."""

from collections.abc import Iterator

import pytest

from publishers.channels import channels_all
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.feeds.conftest import make_article  # noqa: F401 (a fixture)

from . import channels as recording

CHANNELS = {
    "website": {"BACKEND": "publishers.channels.website.WebsiteChannel"},
    "webhooks": {"BACKEND": "publishers.channels.webhooks.WebhookChannel"},
    "social": {
        "BACKEND": "tests.publishers.outbox.channels.RecordingChannel",
        "OPTIONS": {"KIND": "x"},
    },
}


@pytest.fixture(autouse=True)
def outbox_channels(settings) -> Iterator[None]:
    settings.TSUNAGU_PUBLISHERS = CHANNELS
    settings.TSUNAGU_OUTBOX = {"MAX_ATTEMPTS": 3, "RETRY_BASE_SECONDS": 30}
    channels_all.cache_clear()
    recording.reset()
    yield
    channels_all.cache_clear()
    recording.reset()


@pytest.fixture
def receiver(settings) -> Iterator[WebhookReceiver]:
    """A partner's endpoint on loopback, allowed through SafeClient."""
    local = WebhookReceiver().start()
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [*settings.TSUNAGU_SAFEHTTP["ALLOW"], local.address],
    }
    yield local
    local.stop()
