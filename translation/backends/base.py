"""What a machine-translation backend offers the translation service.

One small class per service, chosen in settings (TSUNAGU_TRANSLATION
["BACKEND"]), like Django's e-mail backends. The service never talks HTTP: it
hands a backend a list of texts and gets back one result per text with the
characters the vendor billed. Vendor limits (texts and bytes per request)
live in the backend that talks to the vendor.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime


class TranslationError(Exception):
    """A translation request failed; the job can be tried again later."""


class QuotaExceeded(TranslationError):
    """The vendor's quota for the billing period is used up (DeepL: 456)."""


class ConfigurationError(TranslationError):
    """The key is wrong or lacks rights (DeepL: 403): nothing works until an
    operator fixes the configuration."""


class GlossaryMissing(TranslationError):
    """The service no longer has the glossary we hold an id for: sync it
    again; the job tries again later."""


class RequestTooLarge(TranslationError):
    """The vendor refused the request's size (DeepL: 413)."""


@dataclass(frozen=True)
class TextResult:
    text: str
    billed_characters: int


@dataclass(frozen=True)
class Usage:
    character_count: int
    character_limit: int | None
    #: When the billing period ends and the count starts again (if known).
    resets_at: datetime | None = field(default=None, compare=False)

    @property
    def exhausted(self) -> bool:
        return (
            self.character_limit is not None
            and self.character_count >= self.character_limit
        )


@dataclass(frozen=True)
class GlossaryDictionary:
    """The entries of one language pair, e.g. fr → ja."""

    source_language: str
    target_language: str
    entries: dict[str, str] = field(default_factory=dict)


class TranslationBackend:
    #: Short name, stored in the ledger and the translation memory.
    name = "base"
    #: Shown to editors ("Translated with ...").
    display_name = "Machine translation"
    #: False for the backend that translates nothing.
    translates = True
    #: True when the service is a local stand-in (tests/fakes/deepl_server):
    #: its output is not a translation, and every draft says so.
    stand_in = False
    #: Limits per request; the service cuts its batches to fit.
    max_texts = 50
    max_request_bytes = 128 * 1024

    def translate(
        self,
        texts: list[str],
        *,
        source_language: str,
        target_language: str,
        context: str = "",
        formality: str = "",
        glossary_id: str = "",
    ) -> list[TextResult]:
        """Translate texts (wagtail-localize segments: text with inline XML
        tags) in one request; raises a TranslationError subclass."""
        raise NotImplementedError

    def can_translate(self, source_language: str, target_language: str) -> bool:
        return self.translates and source_language != target_language

    def supports_formality(self, target_language: str) -> bool:
        return False

    def glossary_languages(self) -> set[tuple[str, str]]:
        """The (source, target) pairs a glossary can hold."""
        return set()

    def glossary_replace(
        self, *, name: str, dictionaries: list[GlossaryDictionary], previous_id: str
    ) -> str:
        """Store the glossary with the service; returns its id there. The
        previous one is removed once the new one exists."""
        raise NotImplementedError

    def usage(self) -> Usage:
        raise NotImplementedError

    def billable_characters(self, text: str) -> int:
        """Characters the vendor will bill for ``text`` (an estimate for the
        budget and the quota before a request; the ledger keeps what the
        vendor reports)."""
        return len(text)

    def text_size(self, text: str) -> int:
        """Bytes one text adds to a request (roughly the vendor's count)."""
        return len(text.encode())

    def fixed_size(self, context: str = "") -> int:
        """Bytes of a request without its texts: the parameters and context."""
        return len(context.encode())

    def request_size(self, texts: list[str], context: str = "") -> int:
        return self.fixed_size(context) + sum(self.text_size(text) for text in texts)

    def batches(self, texts: list[str], *, context: str = "") -> Iterator[list[int]]:
        """Indexes of ``texts`` cut into requests within the limits, in order."""
        batch: list[int] = []
        size = self.fixed_size(context)
        for index, text in enumerate(texts):
            cost = self.text_size(text)
            if batch and (
                len(batch) >= self.max_texts or size + cost > self.max_request_bytes
            ):
                yield batch
                batch, size = [], self.fixed_size(context)
            batch.append(index)
            size += cost
        if batch:
            yield batch


class NoTranslationBackend(TranslationBackend):
    """The embedded default without a DeepL key: nothing is translated, and
    nothing pretends to be; drafts say they await translation."""

    name = "none"
    display_name = "No machine translation"
    translates = False

    def translate(self, texts: list[str], **kwargs: object) -> list[TextResult]:
        raise ConfigurationError(
            "Machine translation is off: set DEEPL_AUTH_KEY to turn it on."
        )

    def usage(self) -> Usage:
        return Usage(character_count=0, character_limit=None)
