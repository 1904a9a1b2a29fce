"""The in-memory twin of a translation service, for the service's tests.

It translates by rule (the target language's tag in front, glossary terms
replaced, markup kept), bills one character per source character, keeps the
glossaries it is given, and can be told to fail: a quota that runs out, a
wrong key, or the next N requests failing. The real client is tested against
tests/fakes/deepl_server.py over HTTP; this twin keeps the service's tests
fast and free of sockets.
"""

import re
import threading
from dataclasses import dataclass, field

from .base import (
    GlossaryDictionary,
    GlossaryMissing,
    QuotaExceeded,
    TextResult,
    TranslationBackend,
    TranslationError,
    Usage,
)

_TAG = re.compile(r"<[^>]+>")


@dataclass
class Request:
    texts: list[str]
    source_language: str
    target_language: str
    context: str
    formality: str
    glossary_id: str


@dataclass
class _State:
    requests: list[Request] = field(default_factory=list)
    glossaries: dict[str, list[GlossaryDictionary]] = field(default_factory=dict)
    character_count: int = 0
    character_limit: int | None = None
    failures: list[Exception] = field(default_factory=list)


class InMemoryBackend(TranslationBackend):
    name = "memory"
    display_name = "Memory translator"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    # -- what the tests steer and read --------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.state = _State()

    def fail_next(self, error: Exception, times: int = 1) -> None:
        self.state.failures.extend([error] * times)

    @property
    def requests(self) -> list[Request]:
        return self.state.requests

    @property
    def billed(self) -> int:
        return self.state.character_count

    # -- the backend --------------------------------------------------------

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
        with self._lock:
            state = self.state
            if state.failures:
                raise state.failures.pop(0)
            if len(texts) > self.max_texts:
                raise TranslationError(f"{len(texts)} texts in one request")
            billed = [self.billable_characters(text) for text in texts]
            if (
                state.character_limit is not None
                and state.character_count + sum(billed) > state.character_limit
            ):
                raise QuotaExceeded("Quota for this billing period has been exceeded")
            if glossary_id and glossary_id not in state.glossaries:
                raise GlossaryMissing(f"Glossary {glossary_id} not found")
            state.requests.append(
                Request(
                    list(texts),
                    source_language,
                    target_language,
                    context,
                    formality,
                    glossary_id,
                )
            )
            state.character_count += sum(billed)
            terms = {}
            for dictionary in state.glossaries.get(glossary_id, []):
                if dictionary.source_language == source_language:
                    terms.update(dictionary.entries)
        return [
            TextResult(self.render(text, target_language, terms), count)
            for text, count in zip(texts, billed, strict=True)
        ]

    def billable_characters(self, text: str) -> int:
        return len(_TAG.sub("", text))

    @staticmethod
    def render(text: str, target_language: str, terms: dict[str, str]) -> str:
        for source, target in sorted(terms.items(), key=lambda t: -len(t[0])):
            text = re.sub(rf"\b{re.escape(source)}\b", target, text)
        return f"[{target_language}] {text}"

    def supports_formality(self, target_language: str) -> bool:
        return target_language in {"ja", "de", "fr", "it", "es"}

    def glossary_languages(self) -> set[tuple[str, str]]:
        with self._lock:
            if self.state.failures:
                raise self.state.failures.pop(0)
        return {
            (source, target)
            for source in ("en", "fr", "de", "es", "it", "ko", "zh-hans")
            for target in ("ja",)
        }

    def glossary_replace(
        self, *, name: str, dictionaries: list[GlossaryDictionary], previous_id: str
    ) -> str:
        with self._lock:
            if self.state.failures:
                raise self.state.failures.pop(0)
            new_id = f"memory-{len(self.state.glossaries) + 1}"
            self.state.glossaries[new_id] = list(dictionaries)
            self.state.glossaries.pop(previous_id, None)
        return new_id

    def usage(self) -> Usage:
        return Usage(self.state.character_count, self.state.character_limit)
