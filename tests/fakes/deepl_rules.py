"""What DeepL's documentation says, as data and pure functions, for the fake
server in deepl_server.py: limits, language codes, billing, glossary entries,
and the fake's own translation rule.

Sources: developers.deepl.com (translate, usage and limits, glossaries v2 and
v3, XML handling, error handling), DeepL's OpenAPI file (DeepLcom/openapi) and
DeepL's support article "Usage count and billing in DeepL API".
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any

MAX_TEXTS = 50
MAX_TRANSLATE_BODY = 128 * 1024
# A glossary dictionary may hold 10 MiB; the JSON around it a little more.
MAX_GLOSSARY_BODY = 11 * 1024 * 1024
# A glossary's name and each term: at most 1024 UTF-8 bytes.
MAX_TERM_BYTES = 1024
GLOSSARY_LIMIT = 1000
# What /v2/usage reports for a Pro account without a cost-control limit.
PRO_CHARACTER_LIMIT = 1_000_000_000_000

# fmt: off
SOURCE_LANGUAGES = frozenset([
    "AR", "BG", "CS", "DA", "DE", "EL", "EN", "ES", "ET", "FI", "FR", "HE", "HU",
    "ID", "IT", "JA", "KO", "LT", "LV", "NB", "NL", "PL", "PT", "RO", "RU", "SK",
    "SL", "SV", "TH", "TR", "UK", "VI", "ZH",
])
TARGET_LANGUAGES = SOURCE_LANGUAGES | frozenset([
    "EN-GB", "EN-US", "ES-419", "PT-BR", "PT-PT", "ZH-HANS", "ZH-HANT",
])
FORMALITY_TARGETS = frozenset([
    "DE", "FR", "IT", "ES", "ES-419", "NL", "PL", "PT-BR", "PT-PT", "JA", "RU",
])
# fmt: on
FORMALITIES = frozenset(["default", "more", "less", "prefer_more", "prefer_less"])
# Glossaries pair any two of these (lower case, no regional variant).
GLOSSARY_LANGUAGES = tuple(sorted(code.lower() for code in SOURCE_LANGUAGES))

MESSAGES = {
    400: "Bad request",
    403: "Wrong or missing DeepL-Auth-Key",
    404: "Not found",
    413: "Request Entity Too Large",
    429: "Too many requests, please wait and resend your request",
    456: "Quota Exceeded",
    500: "Internal error",
    503: "Service unavailable, please try again later",
    504: "Service unavailable, please try again later",
    529: "Too many requests, please wait and resend your request",
}

# The error statuses DeepL's OpenAPI file describes, per kind of endpoint.
# Text and meta endpoints (/v2/translate, /v2/usage, /v2/languages) answer
# 504 where the glossary endpoints answer 503, and never 401 or 415; a 413 is
# an ErrorResponse (JSON with "message") like the others.
TEXT_ERRORS = frozenset({400, 403, 404, 413, 414, 429, 456, 500, 504, 529})
GLOSSARY_ERRORS = frozenset({400, 401, 403, 404, 413, 415, 429, 456, 500, 503, 529})


def documented_errors(path: str) -> frozenset[int]:
    """The error statuses DeepL's description lists for ``path``."""
    if path.startswith(("/v2/glossar", "/v3/glossaries")):
        return GLOSSARY_ERRORS
    return TEXT_ERRORS


_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"</?\s*([^\s/>]+)")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


class Refused(Exception):
    """An error answer: {"message": ..., "detail": ...} with ``status``."""

    def __init__(self, status: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status, self.message, self.detail = status, message, detail


# -- translating ---------------------------------------------------------------


def billed_characters(text: str, tag_handling: bool) -> int:
    """One character per Unicode code point of the text (len() in Python).
    With tag_handling xml or html, tags and their attributes are not counted
    and an entity counts as the one character it stands for (the text the
    parser extracts). The context parameter is never billed."""
    if not tag_handling:
        return len(text)
    return len(unescape("".join(_TAG.split(text)[::2])))


def render(
    text: str, replace: Callable[[str], str], tag_handling: bool, ignored: set[str]
) -> str:
    """The text with ``replace`` applied outside tags (and outside
    ``ignore_tags`` elements) when tags are handled, to all of it otherwise."""
    if not tag_handling:
        return replace(text)
    parts = _TAG.split(text)
    depth = 0
    for index in range(len(parts)):
        if index % 2:  # a tag
            match = _TAG_NAME.match(parts[index])
            if match and match.group(1) in ignored and not parts[index].endswith("/>"):
                depth += -1 if parts[index].startswith("</") else 1
        elif depth <= 0:
            parts[index] = replace(parts[index])
    return "".join(parts)


def _is_spaced(character: str) -> bool:
    """A letter of a script that separates words with spaces (not CJK)."""
    return character.isalnum() and not ("\u2e80" <= character <= "\ud7ff")


def replacer(terms: dict[str, str]) -> Callable[[str], str]:
    """Glossary terms replaced in one pass, longest first, as whole words in
    spaced scripts and anywhere in Japanese, Chinese or Korean."""
    if not terms:
        return lambda text: text
    alternatives = []
    for term in sorted(terms, key=len, reverse=True):
        before = r"(?<!\w)" if _is_spaced(term[0]) else ""
        after = r"(?!\w)" if _is_spaced(term[-1]) else ""
        alternatives.append(f"{before}{re.escape(term)}{after}")
    pattern = re.compile("|".join(alternatives))
    return lambda text: pattern.sub(lambda match: terms[match.group(0)], text)


def detect(text: str) -> str:
    """A rough detected_source_language when source_lang is left out."""
    if any("\u3040" <= c <= "\u30ff" for c in text):
        return "JA"
    if any("\uac00" <= c <= "\ud7af" for c in text):
        return "KO"
    if any("\u4e00" <= c <= "\u9fff" for c in text):
        return "ZH"
    return "EN"


def truthy(value: Any) -> bool:
    """JSON true, or "1" / "true" in a form."""
    return value is True or str(value).lower() in ("1", "true")


def name_list(value: Any) -> list[str]:
    """A JSON list or a comma-separated form value."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else value
    return [str(item).strip() for item in items if str(item).strip()]


# -- glossaries ----------------------------------------------------------------


@dataclass
class Glossary:
    glossary_id: str
    name: str
    creation_time: str
    #: (source, target) in lower case → {source term: target term}
    dictionaries: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)


def dictionary(spec: Any) -> tuple[tuple[str, str], dict[str, str]]:
    """One language pair and its entries from a create, PATCH or PUT body."""
    if not isinstance(spec, dict):
        raise Refused(400, "Missing or invalid argument: dictionaries")
    source = str(spec.get("source_lang") or "").lower()
    target = str(spec.get("target_lang") or "").lower()
    if not source or not target:
        raise Refused(400, "Missing or invalid argument: source_lang, target_lang")
    if source == target or not {source, target} <= set(GLOSSARY_LANGUAGES):
        raise Refused(400, "Unsupported glossary source and target language pair")
    text = spec.get("entries")
    if not isinstance(text, str):
        raise Refused(400, "Missing or invalid argument: entries")
    entries_format = spec.get("entries_format") or "tsv"
    if entries_format == "tsv":
        rows = [line.split("\t") for line in text.splitlines() if line.strip()]
    elif entries_format == "csv":
        rows = []
        for row in csv.reader(io.StringIO(text)):
            # Optional third and fourth columns name the row's languages; a
            # row for another pair is ignored.
            if len(row) == 4:
                if (row[2].lower(), row[3].lower()) != (source, target):
                    continue
                row = row[:2]
            if row:
                rows.append(row)
    else:
        raise Refused(400, "Value for 'entries_format' not supported.")
    entries: dict[str, str] = {}
    for index, row in enumerate(rows):
        problem = _entry_problem(row, entries)
        if problem:
            raise Refused(
                400, "Invalid glossary entries provided", f"Entry {index}: {problem}"
            )
        entries[row[0]] = row[1]
    if not entries:
        raise Refused(400, "Invalid glossary entries provided", "No entries")
    return (source, target), entries


def _entry_problem(row: list[str], entries: dict[str, str]) -> str:
    if len(row) != 2:
        return "a source and a target term expected"
    for term in row:
        if not term or term != term.strip() or _CONTROL.search(term):
            return f"invalid term {term!r}"
        if len(term.encode()) > MAX_TERM_BYTES:
            return "a term longer than 1024 bytes"
    if row[0] in entries:
        return f"duplicates the source term {row[0]!r}"
    return ""


def query_pair(params: dict[str, Any]) -> tuple[str, str]:
    source = str(params.get("source_lang") or "").lower()
    target = str(params.get("target_lang") or "").lower()
    if not source or not target:
        raise Refused(400, "Missing or invalid argument: source_lang, target_lang")
    return source, target


def tsv(entries: dict[str, str]) -> str:
    return "\n".join(f"{source}\t{target}" for source, target in entries.items())


def v2_info(glossary: Glossary) -> dict[str, Any]:
    """A glossary as the v2 endpoints show it (one language pair)."""
    if len(glossary.dictionaries) != 1:
        raise Refused(400, "This glossary has several dictionaries: use /v3/glossaries")
    ((source, target), entries), *_ = glossary.dictionaries.items()
    return {
        "glossary_id": glossary.glossary_id,
        "name": glossary.name,
        "ready": True,
        "source_lang": source,
        "target_lang": target,
        "creation_time": glossary.creation_time,
        "entry_count": len(entries),
    }


def v3_info(glossary: Glossary) -> dict[str, Any]:
    return {
        "glossary_id": glossary.glossary_id,
        "name": glossary.name,
        "dictionaries": [
            {"source_lang": source, "target_lang": target, "entry_count": len(entries)}
            for (source, target), entries in glossary.dictionaries.items()
        ],
        "creation_time": glossary.creation_time,
    }
