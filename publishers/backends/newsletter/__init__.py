"""Newsletter services: Mailchimp, and an in-memory twin for tests.

``settings.TSUNAGU_NEWSLETTER = {"BACKEND": dotted path (or "mailchimp",
"memory"), "OPTIONS": {...}}``. With no BACKEND, ``newsletter_backend()`` is
None: the newsletter then goes through Django's e-mail (the embedded default).
"""

import json
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import (
    AlreadySent,
    ConfigurationError,
    InvalidWebhook,
    Member,
    NewsletterBackend,
    NewsletterError,
    NotFound,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    TemporaryError,
    WebhookEvent,
    on_quarter_hour,
    quarter_hour_next,
    subscriber_hash,
)

__all__ = [
    "AlreadySent",
    "ConfigurationError",
    "InvalidWebhook",
    "Member",
    "NewsletterBackend",
    "NewsletterError",
    "NotFound",
    "OutcomeUnknown",
    "RateLimited",
    "Rejected",
    "TemporaryError",
    "WebhookEvent",
    "newsletter_backend",
    "on_quarter_hour",
    "quarter_hour_next",
    "subscriber_hash",
]

BACKENDS = {
    "mailchimp": "publishers.backends.newsletter.mailchimp.MailchimpBackend",
    "memory": "publishers.backends.newsletter.memory.InMemoryNewsletterBackend",
}


@cache
def _backend(path: str, options_json: str) -> NewsletterBackend:
    try:
        backend_class = import_string(BACKENDS.get(path, path))
    except ImportError as error:
        raise ImproperlyConfigured(
            f"TSUNAGU_NEWSLETTER['BACKEND'] = {path!r} cannot be imported: {error}"
        ) from error
    if not (
        isinstance(backend_class, type) and issubclass(backend_class, NewsletterBackend)
    ):
        raise ImproperlyConfigured(
            f"TSUNAGU_NEWSLETTER['BACKEND'] = {path!r} is not a NewsletterBackend."
        )
    return backend_class(json.loads(options_json))


def newsletter_backend() -> NewsletterBackend | None:
    """The configured backend, one per process and configuration (it keeps
    its client and limits), or None for the Django e-mail default."""
    config = getattr(settings, "TSUNAGU_NEWSLETTER", None) or {}
    path = config.get("BACKEND")
    if not path:
        return None
    options = json.dumps(config.get("OPTIONS") or {}, sort_keys=True, default=str)
    return _backend(path, options)


newsletter_backend.cache_clear = _backend.cache_clear  # type: ignore[attr-defined]
