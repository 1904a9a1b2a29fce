"""Fixtures for the Mailchimp backend: the local fake of Mailchimp's API, one
per module, clean for each test, and a backend pointed at it."""

import pytest

from publishers.backends.newsletter.mailchimp import MailchimpBackend
from tests.fakes.mailchimp_server import MailchimpServer


@pytest.fixture(scope="module")
def mailchimp_server():
    with MailchimpServer() as server:
        yield server


@pytest.fixture
def mailchimp(mailchimp_server):
    mailchimp_server.reset()
    yield mailchimp_server
    mailchimp_server.reset()


@pytest.fixture
def backend(mailchimp):
    # A short timeout: the tests that hold an answer need not wait 120 s.
    return MailchimpBackend(mailchimp.backend_options(TIMEOUT_SECONDS=2))


DIGEST = {
    "title": "Tsunagu weekly 2026-48",
    "subject": "今週の海外自治体ニュース",
    "preview_text": "ロンドン、パリ、ソウルから",
    "from_name": "Tsunagu",
    "reply_to": "newsletter@tsunagu.example.jp",
    "html": "<h1>今週のニュース</h1><p>…</p>",
    "text": "今週のニュース\n…",
}


@pytest.fixture
def create_digest(backend):
    """Create a campaign as the weekly digest makes it; returns its id."""

    def create(**overrides) -> str:
        return backend.campaign_create(**{**DIGEST, **overrides})

    return create
