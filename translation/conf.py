"""The translation stage's settings (settings.TSUNAGU_TRANSLATION)."""

from decimal import Decimal
from typing import Any

from django.conf import settings

from cms.env import BASE_DIR

DEFAULTS: dict[str, Any] = {
    # "deepl", "none" (drafts await translation) or "memory" (tests), or a
    # dotted path to a TranslationBackend subclass.
    "BACKEND": "none",
    "DEEPL_AUTH_KEY": "",
    # Another server speaking DeepL's API (a proxy, or the tests' own).
    "DEEPL_SERVER_URL": "",
    # The deepl client's timeout and retries are process-wide: set here, once.
    "DEEPL_TIMEOUT_SECONDS": 30.0,
    "DEEPL_MAX_RETRIES": 3,
    # Formality for target languages that support it: default, more, less,
    # prefer_more, prefer_less.
    "FORMALITY": "prefer_more",
    # The first value of the admin's budget setting (characters per month).
    "MONTHLY_BUDGET_CHARACTERS": 500_000,
    "PRICE_PER_MILLION": "25.00",
    # A running job holds its row this long; a killed worker's job runs again
    # after it.
    "LEASE_SECONDS": 600,
    # Jobs waiting for the quota try again this often.
    "QUOTA_RECHECK_SECONDS": 3600,
    # The CSV loaded into the empty glossary at the first set-up.
    "GLOSSARY_SEED_CSV": str(BASE_DIR / "translation" / "seed" / "terms.csv"),
}

BACKENDS = {
    "deepl": "translation.backends.deepl.DeepLBackend",
    "none": "translation.backends.base.NoTranslationBackend",
    "memory": "translation.backends.memory.InMemoryBackend",
}


def translation_setting(name: str) -> Any:
    return getattr(settings, "TSUNAGU_TRANSLATION", {}).get(name, DEFAULTS[name])


def translation_default_budget() -> int:
    return int(translation_setting("MONTHLY_BUDGET_CHARACTERS"))


def translation_default_price() -> Decimal:
    return Decimal(str(translation_setting("PRICE_PER_MILLION")))
