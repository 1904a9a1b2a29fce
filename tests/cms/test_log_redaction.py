"""Logs never hold a confirmation token, a key or a password: what the
configured handlers write (settings.LOGGING, through cms.logfilters) is
captured while sign-up confirmation, the Mailchimp webhook, the X, Mailchimp
and DeepL backends' error paths and failed logins run, and no secret is in
it."""

import io
import logging
from collections.abc import Iterator

import pytest
from django.core import mail

from cms.logfilters import REDACTED, RedactSecrets, redact
from publishers.backends.newsletter.base import NewsletterError
from publishers.backends.newsletter.mailchimp import MailchimpBackend
from publishers.backends.social.base import SocialError
from publishers.backends.social.x import XBackend
from publishers.newsletter.models import Subscriber
from publishers.newsletter.tokens import unsubscribe_token
from tests.fakes.deepl_server import DeepLServer
from tests.fakes.mailchimp_server import MailchimpServer
from tests.fakes.x_server import XServer
from tests.publishers.newsletter import conftest as newsletter_fixtures
from translation.backends import TranslationError
from translation.backends.deepl import DeepLBackend

pytestmark = pytest.mark.django_db
# The newsletter's fixtures (sign-up through the public form).
newsletter_settings = newsletter_fixtures.newsletter_settings
committed = newsletter_fixtures.committed
regions = newsletter_fixtures.regions
topics = newsletter_fixtures.topics
signup = newsletter_fixtures.signup
confirm_path = newsletter_fixtures.confirm_path
WEBHOOK_SECRET = newsletter_fixtures.WEBHOOK_SECRET


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the configured handler writes, at INFO and above."""
    root = logging.getLogger()
    # The console handler of settings.LOGGING (pytest's capture handlers
    # are subclasses).
    handler = next(h for h in root.handlers if type(h) is logging.StreamHandler)
    stream = io.StringIO()
    previous_stream = handler.setStream(stream)
    previous_level = root.level
    root.setLevel(logging.INFO)
    yield stream
    root.setLevel(previous_level)
    handler.setStream(previous_stream)


def assert_absent(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret and secret not in text, secret


def test_every_configured_handler_redacts():
    from django.conf import settings

    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact_secrets" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["redact_secrets"]["()"] == (
        f"{RedactSecrets.__module__}.{RedactSecrets.__name__}"
    )


def test_the_filter_redacts_credential_paths_bearer_tokens_and_passwords():
    assert redact("Not Found: /en/newsletter/confirm/abc.DEF-1/") == (
        f"Not Found: /en/newsletter/confirm/{REDACTED}/"
    )
    assert REDACTED in redact("Authorization: Bearer tk_live_123456789")
    assert "hunter2!" not in redact("login failed: password=hunter2!")
    assert "s3cret-pw" not in redact("{'password': 's3cret-pw'}")


def test_sign_up_confirmation_links_never_reach_the_logs(client, signup, logs):
    signup("yamada@city.example.lg.jp")
    path = confirm_path(mail.outbox[-1])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.post(path).status_code == 200
    # A link used twice, tampered with, or of a subscriber who left: each
    # answer is logged by Django's request log with its path.
    client.get(path)
    client.get(path[:-3] + "xx/")
    subscriber = Subscriber.objects.get(email="yamada@city.example.lg.jp")
    leave = unsubscribe_token(subscriber)
    Subscriber.objects.filter(pk=subscriber.pk).delete()
    assert client.get(f"/newsletter/unsubscribe/{leave}/").status_code >= 400
    text = logs.getvalue()
    assert "/newsletter/" in text  # the answers were logged
    assert_absent(text, token, leave)


def test_the_mailchimp_webhook_secret_never_reaches_the_logs(client, settings, logs):
    settings.TSUNAGU_NEWSLETTER = {"BACKEND": "memory"}
    from publishers.backends.newsletter import newsletter_backend

    newsletter_backend.cache_clear()
    url = f"/newsletter/webhooks/mailchimp/{WEBHOOK_SECRET}/"
    assert client.post(url, {"nothing": "here"}).status_code == 400
    newsletter_backend.cache_clear()
    text = logs.getvalue()
    assert "Bad Request" in text
    assert_absent(text, WEBHOOK_SECRET)


def test_failed_logins_log_no_password(client, logs):
    password = "Wrong-Password-Zq8#"
    client.post("/admin/login/", {"username": "admin", "password": password})
    client.post(
        f"/admin/login/?password={password}",
        {"username": password, "password": password},
    )
    assert_absent(logs.getvalue(), password)


def test_the_x_backends_error_paths_log_no_key(settings, logs):
    with XServer() as server:
        keys = server.credentials
        settings.X_KEYS = {
            "CONSUMER_KEY": keys.consumer_key,
            "CONSUMER_SECRET": keys.consumer_secret,
            "ACCESS_TOKEN": keys.access_token,
            "ACCESS_TOKEN_SECRET": keys.access_token_secret,
        }
        options = {**settings.X_KEYS, "API_URL": server.url, "TIMEOUT_SECONDS": (2, 1)}
        for status in (401, 403, 500, 503):
            server.fail_next(status)
            with pytest.raises(SocialError):
                XBackend(options, alias="x").post_create(text="テスト")
        wrong = {**options, "CONSUMER_SECRET": "wrong-secret-value"}
        with pytest.raises(SocialError):
            XBackend(wrong, alias="x").post_create(text="テスト")
    text = logs.getvalue()
    assert "X x: could not" in text
    assert_absent(text, *settings.X_KEYS.values(), "wrong-secret-value")


def test_the_mailchimp_backends_error_paths_log_no_key(settings, logs):
    with MailchimpServer() as server:
        settings.MAILCHIMP_API_KEY = server.api_key
        for status in (401, 403, 500, 502):
            server.fail_next(status)
            with pytest.raises(NewsletterError):
                MailchimpBackend(server.backend_options(TIMEOUT_SECONDS=2)).member_get(
                    email="sato@city.example.lg.jp"
                )
    assert_absent(logs.getvalue(), server.api_key)


def test_the_deepl_backends_error_paths_log_no_key(settings, logs):
    with DeepLServer() as server:
        settings.DEEPL_AUTH_KEY = server.auth_key
        backend = DeepLBackend(
            auth_key=server.auth_key, server_url=server.url, max_retries=0
        )
        for status in (403, 456, 413, 500):
            server.fail_next(status)
            with pytest.raises(TranslationError):
                backend.translate(
                    ["Bonjour"], source_language="fr", target_language="ja"
                )
        wrong = DeepLBackend(auth_key="0b5e1c2a-wrong-key-4d1e", server_url=server.url)
        with pytest.raises(TranslationError):
            wrong.usage()
    assert_absent(logs.getvalue(), server.auth_key, "0b5e1c2a-wrong-key-4d1e")
