"""Machine-translation backends, chosen in settings."""

from functools import cache

from django.utils.module_loading import import_string

from ..conf import BACKENDS, translation_setting
from .base import (
    ConfigurationError,
    GlossaryDictionary,
    GlossaryMissing,
    NoTranslationBackend,
    QuotaExceeded,
    RequestTooLarge,
    TextResult,
    TranslationBackend,
    TranslationError,
    Usage,
)

__all__ = [
    "ConfigurationError",
    "GlossaryDictionary",
    "GlossaryMissing",
    "NoTranslationBackend",
    "QuotaExceeded",
    "RequestTooLarge",
    "TextResult",
    "TranslationBackend",
    "TranslationError",
    "Usage",
    "backend_get",
]


@cache
def _backend(path: str) -> TranslationBackend:
    return import_string(path)()


def backend_get() -> TranslationBackend:
    """The configured backend (one per process: clients keep connections)."""
    name = translation_setting("BACKEND")
    return _backend(BACKENDS.get(name, name))


backend_get.cache_clear = _backend.cache_clear  # type: ignore[attr-defined]
