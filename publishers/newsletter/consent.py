"""The consent text shown beside the sign-up form's checkbox, and its version.

Each version's words are templates,
``publishers/newsletter/consent/<version>.<language>.txt`` (Japanese, and
English for every other language), and ``NEWSLETTER_CONSENT_VERSION`` says
which version the form shows. A consent record keeps the version, the
language and the SHA-256 of the exact words shown.

A published text is never edited: new wording is a new version (new
templates, a line in PUBLISHED, the setting pointing at it), so a version
names exactly the words someone agreed to. ``manage.py check`` fails when a
published text no longer matches its hash, or the configured version is not
published.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache

from django.core import checks
from django.template import TemplateDoesNotExist
from django.template.loader import get_template

from .conf import newsletter_setting

TEMPLATE = "publishers/newsletter/consent/{version}.{language}.txt"
#: The languages the text is written in; the others are shown English.
LANGUAGES = ("ja", "en")
#: version -> language -> SHA-256 of the text (see consent_hash).
PUBLISHED: dict[str, dict[str, str]] = {
    "2026-11": {
        "ja": "b188ebaf42a61702d2cfddb13fe5b6690d395e8b306b5c295406f3791e69d27a",
        "en": "204fc65892d68f344d47cbccf116df1553dc814f6c355fa1794ee94ddb3c8d8f",
    },
}


@dataclass(frozen=True)
class Consent:
    version: str
    language: str
    text: str
    sha256: str


def consent_hash(text: str) -> str:
    """The hash of the words themselves: line endings and the file's final
    newline do not count."""
    normalised = text.replace("\r\n", "\n").strip() + "\n"
    return hashlib.sha256(normalised.encode()).hexdigest()


def consent_language(language: str) -> str:
    return language if language in LANGUAGES else "en"


@cache
def _read(version: str, language: str) -> str:
    path = TEMPLATE.format(version=version, language=language)
    # The file as written, not rendered: its words are what is hashed.
    return get_template(path).template.source.replace("\r\n", "\n").strip()


def consent_get(*, language: str, version: str | None = None) -> Consent:
    """The text of ``version`` (the configured one by default) in
    ``language``, or in English where it is not written."""
    version = version or newsletter_setting("NEWSLETTER_CONSENT_VERSION")
    language = consent_language(language)
    text = _read(version, language)
    return Consent(
        version=version, language=language, text=text, sha256=consent_hash(text)
    )


def consent_check() -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    version = newsletter_setting("NEWSLETTER_CONSENT_VERSION")
    if version not in PUBLISHED:
        errors.append(
            checks.Error(
                f"NEWSLETTER_CONSENT_VERSION = {version!r} is not a published "
                "consent text.",
                hint="Use one of: " + ", ".join(sorted(PUBLISHED)) + ", or "
                "publish the new version in publishers/newsletter/consent.py.",
                id="newsletter.E001",
            )
        )
    for published, hashes in PUBLISHED.items():
        for language in LANGUAGES:
            path = TEMPLATE.format(version=published, language=language)
            try:
                found = consent_hash(_read(published, language))
            except TemplateDoesNotExist:
                errors.append(
                    checks.Error(
                        f"The consent text {path} is missing.", id="newsletter.E002"
                    )
                )
                continue
            if found != hashes.get(language):
                errors.append(
                    checks.Error(
                        f"The consent text {path} changed after it was published.",
                        hint="Put the old words back, and write the new ones as a "
                        "new version (new templates, a new line in PUBLISHED, "
                        "NEWSLETTER_CONSENT_VERSION set to it): consent records "
                        "name the version agreed to.",
                        id="newsletter.E003",
                    )
                )
    return errors
