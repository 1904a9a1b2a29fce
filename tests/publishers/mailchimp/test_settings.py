"""The newsletter backend from settings (TSUNAGU_NEWSLETTER), MailchimpBackend's
options, and the quarter-hour helpers."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from publishers.backends.newsletter import (
    ConfigurationError,
    newsletter_backend,
    on_quarter_hour,
    quarter_hour_next,
)
from publishers.backends.newsletter.mailchimp import MailchimpBackend
from publishers.backends.newsletter.memory import InMemoryNewsletterBackend

KEY = "0123456789abcdef0123456789abcdef-us21"


@pytest.fixture(autouse=True)
def fresh_backends():
    newsletter_backend.cache_clear()
    yield
    newsletter_backend.cache_clear()


# -- the loader ----------------------------------------------------------------


@pytest.mark.parametrize("setting", [None, {}, {"BACKEND": ""}])
def test_no_backend_means_the_django_email_default(setting):
    with override_settings(TSUNAGU_NEWSLETTER=setting):
        assert newsletter_backend() is None


def test_the_backend_is_built_once_per_process_and_configuration():
    memory = {
        "BACKEND": "publishers.backends.newsletter.memory.InMemoryNewsletterBackend"
    }
    with override_settings(TSUNAGU_NEWSLETTER=memory):
        first = newsletter_backend()
        assert newsletter_backend() is first
    with override_settings(TSUNAGU_NEWSLETTER={**memory, "OPTIONS": {"X": 1}}):
        other = newsletter_backend()
    assert isinstance(first, InMemoryNewsletterBackend)
    assert other is not first
    assert other.options == {"X": 1}


def test_mailchimp_by_its_short_name_with_its_options():
    setting = {
        "BACKEND": "mailchimp",
        "OPTIONS": {"API_KEY": KEY, "LIST_ID": "f0e1d2c3b4", "TIMEOUT_SECONDS": 30},
    }
    with override_settings(TSUNAGU_NEWSLETTER=setting):
        backend = newsletter_backend()

    assert isinstance(backend, MailchimpBackend)
    assert backend.api_url == "https://us21.api.mailchimp.com/3.0"
    assert backend.list_id == "f0e1d2c3b4"
    assert backend.timeout == 30
    assert backend.client.api_client.timeout == 30
    assert backend.client.api_client.host == "https://us21.api.mailchimp.com/3.0"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("publishers.backends.newsletter.nothing.Backend", "cannot be imported"),
        ("publishers.backends.newsletter.base.Member", "not a NewsletterBackend"),
    ],
)
def test_a_bad_backend_path_names_the_setting(path, words):
    with (
        override_settings(TSUNAGU_NEWSLETTER={"BACKEND": path}),
        pytest.raises(ImproperlyConfigured, match=words) as error,
    ):
        newsletter_backend()
    assert "TSUNAGU_NEWSLETTER['BACKEND']" in str(error.value)


# -- MailchimpBackend's options ------------------------------------------------


@pytest.mark.parametrize("missing", ["API_KEY", "LIST_ID"])
def test_a_missing_option_names_it(missing):
    options = {"API_KEY": KEY, "LIST_ID": "f0e1d2c3b4"}
    del options[missing]

    with pytest.raises(ConfigurationError, match=f"'{missing}'\\] is empty"):
        MailchimpBackend(options)


def test_a_malformed_key_is_refused_without_showing_it():
    with pytest.raises(ImproperlyConfigured) as error:
        MailchimpBackend({"API_KEY": "secret-key-without-dc", "LIST_ID": "x"})

    assert isinstance(error.value, ConfigurationError)
    assert "secret-key-without-dc" not in str(error.value)


def test_an_api_url_with_server_in_it_is_refused():
    # The client would rewrite "server" to the data centre ("us21").
    with pytest.raises(ConfigurationError, match="contains 'server'"):
        MailchimpBackend(
            {"API_KEY": KEY, "LIST_ID": "x", "API_URL": "http://mc-server:8080/3.0"}
        )


@pytest.mark.parametrize("timeout", [0, -1, 121])
def test_the_timeout_stays_within_mailchimps_120_seconds(timeout):
    with pytest.raises(ConfigurationError, match="TIMEOUT_SECONDS"):
        MailchimpBackend({"API_KEY": KEY, "LIST_ID": "x", "TIMEOUT_SECONDS": timeout})


def test_the_default_timeout_is_mailchimps_120_seconds():
    backend = MailchimpBackend({"API_KEY": KEY, "LIST_ID": "x"})

    assert backend.timeout == 120
    assert backend.client.api_client.timeout == 120


# -- quarter hours -------------------------------------------------------------

JST = timezone(timedelta(hours=9))
NEPAL = timezone(timedelta(hours=5, minutes=45))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (
            datetime(2030, 5, 1, 9, 0, tzinfo=UTC),
            datetime(2030, 5, 1, 9, 0, tzinfo=UTC),
        ),
        (
            datetime(2030, 5, 1, 9, 0, 0, 1, tzinfo=UTC),
            datetime(2030, 5, 1, 9, 15, tzinfo=UTC),
        ),
        (
            datetime(2030, 5, 1, 9, 44, tzinfo=UTC),
            datetime(2030, 5, 1, 9, 45, tzinfo=UTC),
        ),
        (
            datetime(2030, 5, 1, 23, 50, tzinfo=UTC),
            datetime(2030, 5, 2, 0, 0, tzinfo=UTC),
        ),
        (
            datetime(2030, 5, 1, 18, 7, tzinfo=JST),
            datetime(2030, 5, 1, 9, 15, tzinfo=UTC),
        ),
        (
            datetime(2030, 5, 1, 15, 0, tzinfo=NEPAL),
            datetime(2030, 5, 1, 9, 15, tzinfo=UTC),
        ),
    ],
)
def test_quarter_hour_next(at, expected):
    result = quarter_hour_next(at)

    assert result == expected
    assert result.tzinfo == UTC
    assert on_quarter_hour(result)


def test_quarter_hours_need_a_time_zone():
    with pytest.raises(ValueError, match="time zone"):
        quarter_hour_next(datetime(2030, 5, 1, 9, 7))
    with pytest.raises(ValueError, match="time zone"):
        on_quarter_hour(datetime(2030, 5, 1, 9, 0))
