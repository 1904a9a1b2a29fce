"""Translation memory: a string translated once is never sent or billed again.

Keyed by source and target language, a hash of the normalised source text,
the glossary version and the formality. Normalising folds Unicode forms and
white space only: case and punctuation change a translation, so they count.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import F

from .models import TranslationMemory

_SPACE = re.compile(r"\s+")


def text_normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_hash(text: str) -> str:
    return hashlib.sha256(text_normalise(text).encode()).hexdigest()


@dataclass(frozen=True)
class MemoryKey:
    source_language: str
    target_language: str
    glossary_version: int
    formality: str

    def filter(self) -> dict[str, object]:
        return {
            "source_language": self.source_language,
            "target_language": self.target_language,
            "glossary_version": self.glossary_version,
            "formality": self.formality,
        }


def memory_lookup(*, key: MemoryKey, texts: list[str]) -> dict[str, str]:
    """The translations the memory holds for these texts (text → translation),
    each counted as reused."""
    hashes: dict[str, list[str]] = {}
    for text in texts:
        hashes.setdefault(text_hash(text), []).append(text)
    found: dict[str, str] = {}
    ids = []
    keys = list(hashes)
    for start in range(0, len(keys), 500):  # SQLite's variable limit
        rows = TranslationMemory.objects.filter(
            **key.filter(), source_hash__in=keys[start : start + 500]
        ).values_list("id", "source_hash", "target_text")
        for row_id, digest, target in rows:
            ids.append(row_id)
            for text in hashes[digest]:
                found[text] = target
    if ids:
        TranslationMemory.objects.filter(pk__in=ids).update(uses=F("uses") + 1)
    return found


def memory_store(
    *, key: MemoryKey, translations: list[tuple[str, str, int]], backend: str
) -> None:
    """Keep (source, translation, billed characters) rows; a row another
    process stored first wins."""
    TranslationMemory.objects.bulk_create(
        [
            TranslationMemory(
                **key.filter(),
                source_hash=text_hash(source),
                source_text=source,
                target_text=target,
                billed_characters=billed,
                backend=backend,
            )
            for source, target, billed in translations
        ],
        ignore_conflicts=True,
    )
