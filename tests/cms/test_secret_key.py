"""Production refuses a weak SECRET_KEY at start: Django's deploy check
security.W009 (fewer than 50 characters, fewer than 5 distinct ones, or
Django's "django-insecure-" prefix) is an error there, not a warning."""

import secrets

import pytest

from tests.cms.test_settings import PROBE, PRODUCTION_ENV, _python


@pytest.mark.parametrize(
    "weak",
    [
        "short-but-random-Zq8",
        "a" * 60,
        "abcd" * 20,
        "django-insecure-" + secrets.token_urlsafe(50),
    ],
)
def test_production_refuses_a_weak_secret_key(weak):
    result = _python(PROBE, {**PRODUCTION_ENV, "SECRET_KEY": weak})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "security.W009" in result.stderr
    assert weak not in result.stderr  # the key itself is never printed


def test_production_takes_a_strong_secret_key():
    result = _python(PROBE, {**PRODUCTION_ENV, "SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr
