"""Social networks: X first (tweepy), and an in-memory twin for tests.

``settings.TSUNAGU_SOCIAL`` names one entry per account, shaped like
``CACHES``::

    TSUNAGU_SOCIAL = {
        "x": {
            "BACKEND": "publishers.backends.social.x.XBackend",
            "OPTIONS": {"CONSUMER_KEY": ..., "CONSUMER_SECRET": ...,
                        "ACCESS_TOKEN": ..., "ACCESS_TOKEN_SECRET": ...},
        },
    }

A missing or empty setting means no social channel (``{}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from .base import (
    Account,
    ConfigurationError,
    DuplicateContent,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    RemotePost,
    SocialBackend,
    SocialError,
    TemporaryError,
)

__all__ = [
    "Account",
    "ConfigurationError",
    "DuplicateContent",
    "OutcomeUnknown",
    "RateLimited",
    "Rejected",
    "RemotePost",
    "SocialBackend",
    "SocialError",
    "TemporaryError",
    "social_backend",
    "social_backends",
]


@cache
def social_backends() -> dict[str, SocialBackend]:
    """One backend per configured alias, built once per process (a backend
    keeps its HTTP connections). Tests that change the setting call
    ``social_backends.cache_clear()``."""
    configured = getattr(settings, "TSUNAGU_SOCIAL", None) or {}
    if not isinstance(configured, Mapping):
        raise ImproperlyConfigured(
            "TSUNAGU_SOCIAL must be a dict of aliases, like CACHES."
        )
    return {alias: _backend_build(alias, entry) for alias, entry in configured.items()}


def social_backend(alias: str) -> SocialBackend:
    try:
        return social_backends()[alias]
    except KeyError:
        raise ImproperlyConfigured(
            f"TSUNAGU_SOCIAL has no account {alias!r}: add it or remove what "
            "refers to it."
        ) from None


def _backend_build(alias: str, entry: Any) -> SocialBackend:
    setting = f"TSUNAGU_SOCIAL[{alias!r}]"
    if not isinstance(entry, Mapping) or not entry.get("BACKEND"):
        raise ImproperlyConfigured(f"{setting} needs a 'BACKEND' dotted path.")
    path = entry["BACKEND"]
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"{setting}['BACKEND'] = {path!r} cannot be imported: {error}"
        ) from error
    if not (
        isinstance(backend_class, type) and issubclass(backend_class, SocialBackend)
    ):
        raise ImproperlyConfigured(
            f"{setting}['BACKEND'] = {path!r} is not a SocialBackend."
        )
    return backend_class(entry.get("OPTIONS") or {}, alias=alias)
