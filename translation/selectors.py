from dataclasses import dataclass
from decimal import Decimal

from wagtail.models import Locale, Page
from wagtail_localize.models import Translation

from .models import TranslationMemory, TranslationState


def translation_state_get(*, page: Page) -> str:
    """The page's translation state; a page without a row is derived from
    wagtail-localize: a translation target awaits translation, anything else is
    an original."""
    stored = (
        TranslationState.objects.filter(page_id=page.pk)
        .values_list("state", flat=True)
        .first()
    )
    if stored:
        return stored
    is_target = Translation.objects.filter(
        source__object_id=page.translation_key, target_locale_id=page.locale_id
    ).exists()
    return (
        TranslationState.State.AWAITING
        if is_target
        else TranslationState.State.ORIGINAL
    )


@dataclass(frozen=True)
class Estimate:
    pages: int
    strings: int  # strings that would go to the service
    characters: int
    cost: Decimal
    currency: str
    budget_remaining: int

    @property
    def fits(self) -> bool:
        return self.characters <= self.budget_remaining


def translation_estimate(*, pages: list[Page], locales: list[Locale]) -> Estimate:
    """What translating these pages into these locales would bill: the
    strings that neither wagtail-localize nor our memory already holds."""
    from wagtail_localize.models import StringTranslation
    from wagtail_localize.segments import StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    from .backends import backend_get
    from .budget import budget_settings, budget_status, cost_estimate
    from .conf import translation_setting
    from .glossary import glossary_for
    from .memory import MemoryKey, text_hash

    backend = backend_get()
    total_strings = characters = 0
    for locale in locales:
        target_language = locale.language_code
        texts_by_language: dict[str, set[str]] = {}
        for page in pages:
            if page.locale_id == locale.pk:
                continue
            instance = page.specific
            if instance.latest_revision_id:
                instance = instance.get_latest_revision_as_object()
            texts = texts_by_language.setdefault(page.locale.language_code, set())
            for segment in extract_segments(instance):
                if isinstance(segment, StringSegmentValue):
                    texts.add(segment.string.data)
        for source_language, texts in texts_by_language.items():
            if not texts:
                continue
            known = set(
                StringTranslation.objects.filter(
                    locale=locale,
                    translation_of__locale__language_code=source_language,
                    translation_of__data__in=list(texts),
                ).values_list("translation_of__data", flat=True)
            )
            glossary = glossary_for(
                source_language=source_language, target_language=target_language
            )
            formality = (
                translation_setting("FORMALITY")
                if backend.supports_formality(target_language)
                else ""
            )
            key = MemoryKey(
                source_language, target_language, glossary.version, formality
            )
            hashes = {text_hash(text): text for text in texts - known}
            remembered = set(
                TranslationMemory.objects.filter(
                    **key.filter(), source_hash__in=list(hashes)
                ).values_list("source_hash", flat=True)
            )
            misses = [
                text for digest, text in hashes.items() if digest not in remembered
            ]
            total_strings += len(misses)
            characters += sum(len(text) for text in misses)
    settings = budget_settings()
    return Estimate(
        pages=len(pages),
        strings=total_strings,
        characters=characters,
        cost=cost_estimate(characters),
        currency=settings.currency,
        budget_remaining=budget_status().remaining,
    )
