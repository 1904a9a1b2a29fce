"""Fixtures for the newsletter's subscribers: the embedded default by
default (no TSUNAGU_NEWSLETTER backend), or the in-memory Mailchimp twin;
a sign-up helper that posts the public form and runs what is enqueued after
the commit (the test settings run tasks at once)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest
from django.core import mail
from django.core.cache import cache

from cms.models import Region, Topic
from publishers.backends.newsletter import newsletter_backend
from publishers.backends.newsletter.memory import InMemoryNewsletterBackend

BASE_URL = "https://tsunagu.example.jp"
WEBHOOK_SECRET = "webhook-secret-Zm9vYmFy"


@pytest.fixture(autouse=True)
def newsletter_settings(settings) -> Iterator[None]:
    settings.TSUNAGU_NEWSLETTER = {}
    settings.NEWSLETTER_FROM_EMAIL = "Tsunagu <newsletter@tsunagu.example.jp>"
    settings.TSUNAGU_BASE_URL = BASE_URL
    settings.MAILCHIMP_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.TSUNAGU_OUTBOX = {"RETRY_BASE_SECONDS": 30, "RETRY_MAX_SECONDS": 3600}
    newsletter_backend.cache_clear()
    cache.clear()
    yield
    newsletter_backend.cache_clear()
    cache.clear()


@pytest.fixture
def mailchimp(settings) -> InMemoryNewsletterBackend:
    """Mailchimp, as the in-memory twin the backends package ships."""
    settings.TSUNAGU_NEWSLETTER = {"BACKEND": "memory"}
    newsletter_backend.cache_clear()
    backend = newsletter_backend()
    backend.reset()
    return backend


@pytest.fixture
def regions(db) -> list[Region]:
    return list(Region.objects.order_by("sort_order", "code")[:3])


@pytest.fixture
def topics(db) -> list[Topic]:
    return list(Topic.objects.order_by("sort_order", "slug")[:2])


@pytest.fixture
def committed(
    django_capture_on_commit_callbacks,
) -> Callable[[], AbstractContextManager]:
    """``with committed(): ...``: run what is enqueued after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def signup(client, committed, regions, topics) -> Callable:
    """Post the sign-up form (Japanese by default); returns the response."""

    def post(
        email: str = "tanaka@city.example.lg.jp",
        *,
        prefix: str = "",
        follow: bool = False,
        **fields,
    ):
        data = {
            "email": email,
            "organisation": "札幌市 国際部",
            "prefecture": "01",
            "regions": [regions[0].pk, regions[1].pk],
            "topics": [topics[0].pk],
            "consent": "on",
            **fields,
        }
        data = {key: value for key, value in data.items() if value is not None}
        with committed():
            return client.post(f"{prefix}/newsletter/", data, follow=follow)

    return post


CONFIRM_LINK = re.compile(
    re.escape(BASE_URL) + r"(/(?:[a-z-]+/)?newsletter/confirm/[^/\s\"<]+/)"
)


def confirm_path(message) -> str:
    """The confirmation link's path in an e-mail's text part."""
    found = CONFIRM_LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def outbox() -> list:
    return list(mail.outbox)
