"""Logs never hold a secret: every handler of ours (settings.LOGGING) runs
records through ``RedactSecrets`` before writing them.

What is taken out, wherever it appears in a message, its arguments or a
traceback:

- the values of the secrets in settings (SECRET_KEY, DEEPL_AUTH_KEY,
  MAILCHIMP_API_KEY, MAILCHIMP_WEBHOOK_SECRET, the X keys, the mail
  password, ...): any setting whose name says KEY, SECRET, PASSWORD or TOKEN;
- the tokens of links and URLs that are credentials (newsletter
  confirmation and unsubscribe links, the Mailchimp webhook's secret path),
  which Django's request log and error reports would print with the path;
- ``Bearer`` tokens (partner API keys) and ``password=...``-like pairs.
"""

from __future__ import annotations

import logging
import re
from functools import cache

from django.core.signals import setting_changed

REDACTED = "[redacted]"
_SECRET_NAME = re.compile(r"KEY|SECRET|PASSWORD|TOKEN")
# Too short to be a secret worth hiding, and too likely to be a common word.
_MIN_SECRET_LENGTH = 8
_PATTERNS = (
    # Credential path segments: /newsletter/confirm/<token>/, .../unsubscribe/
    # <token>/, /newsletter/webhooks/mailchimp/<secret>/ (any language prefix).
    re.compile(r"(/(?:confirm|unsubscribe|webhooks/mailchimp)/)[^/\s'\"?#]+"),
    re.compile(r"(\bBearer\s+)[^\s'\",]+", re.IGNORECASE),
    re.compile(
        r"(\b(?:password|passwd|secret|token|api[_-]?key|auth[_-]?key)\b"
        r"['\"]?\s*[:=]\s*['\"]?)[^\s'\",&}]+",
        re.IGNORECASE,
    ),
)


def _secret_values(name: str, value: object) -> list[str]:
    """A secret setting's value: a string, or a dict of them under names that
    say secret too (X_KEYS); SECRET_KEY_FALLBACKS' list. Not the lists of
    PASSWORD_HASHERS or AUTH_PASSWORD_VALIDATORS: class paths, no secret."""
    if isinstance(value, str):
        return [value] if len(value) >= _MIN_SECRET_LENGTH else []
    if isinstance(value, dict):
        return [
            found
            for key, item in value.items()
            if _SECRET_NAME.search(str(key).upper())
            for found in _secret_values(str(key), item)
        ]
    if name == "SECRET_KEY_FALLBACKS" and isinstance(value, list | tuple):
        return [found for item in value for found in _secret_values(name, item)]
    return []


@cache
def configured_secrets() -> tuple[str, ...]:
    """The secret values in settings, longest first (a key that contains
    another is hidden whole)."""
    from django.conf import settings

    found: set[str] = set()
    for name in dir(settings):
        if (
            name.isupper()
            and _SECRET_NAME.search(name)
            and not name.endswith("_PREFIX")
        ):
            found.update(_secret_values(name, getattr(settings, name, None)))
    for mailer in getattr(settings, "MAILERS", {}).values():
        found.update(
            _secret_values("PASSWORD", mailer.get("OPTIONS", {}).get("password"))
        )
    return tuple(sorted(found, key=len, reverse=True))


def _settings_changed(**kwargs: object) -> None:
    configured_secrets.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="logfilters_secrets")


def redact(text: str) -> str:
    for secret in configured_secrets():
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda match: match.group(1) + REDACTED, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites the record (message with its arguments, traceback, stack)
    so that every handler after it sees the redacted text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: keep what there is
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
