"""The fake DeepL's endpoints: what each answers, given the parsed parameters.

A mixin of DeepLServer (deepl_server.py), which holds the state, the lock and
the HTTP side. Each method takes the request's parameters (query and body
merged) and the path's glossary id, and returns (status, headers, body) or
raises Refused.
"""

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from . import deepl_rules as rules
from .deepl_rules import Glossary, Refused

Answer = tuple[int, dict[str, str], bytes]


def json_answer(status: int, payload: Any, **headers: str) -> Answer:
    body = json.dumps(payload).encode()
    return status, {"Content-Type": "application/json", **headers}, body


class Endpoints:
    _lock: threading.Lock
    glossaries: dict[str, Glossary]
    character_count: int
    character_limit: int
    glossary_limit: int
    tag_handling_version: str
    unknown_glossary_status: int
    period_start: datetime
    period_end: datetime

    # -- /v2/translate --------------------------------------------------------

    def translate(self, params: dict[str, Any]) -> Answer:
        texts = params.get("text")
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            raise Refused(400, "Parameter 'text' not specified")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            raise Refused(400, "Value for 'text' not supported.")
        if len(texts) > rules.MAX_TEXTS:
            raise Refused(
                400, f"Too many texts: at most {rules.MAX_TEXTS} in one request."
            )
        target = str(params.get("target_lang") or "").upper()
        if not target:
            raise Refused(400, "Parameter 'target_lang' not specified")
        if target not in rules.TARGET_LANGUAGES:
            raise Refused(400, "Value for 'target_lang' not supported.")
        source = str(params.get("source_lang") or "").upper()
        if source and source not in rules.SOURCE_LANGUAGES:
            raise Refused(400, "Value for 'source_lang' not supported.")
        formality = str(params.get("formality") or "default").lower()
        if formality not in rules.FORMALITIES:
            raise Refused(400, "Value for 'formality' not supported.")
        if formality in ("more", "less") and target not in rules.FORMALITY_TARGETS:
            raise Refused(400, "'formality' is not supported for given 'target_lang'.")
        tag_handling = str(params.get("tag_handling") or "").lower()
        if tag_handling not in ("", "xml", "html"):
            raise Refused(400, "Value for 'tag_handling' not supported.")
        version = params.get("tag_handling_version") or self.tag_handling_version
        if version not in ("v1", "v2"):
            raise Refused(400, "Value for 'tag_handling_version' not supported.")
        if tag_handling == "xml" and version == "v2":
            _check_xml(texts)
        terms = self._glossary_terms(params, source, target)
        ignored = set(rules.name_list(params.get("ignore_tags")))
        billed = [rules.billed_characters(t, bool(tag_handling)) for t in texts]
        with self._lock:
            if self.character_count + sum(billed) > self.character_limit:
                raise Refused(456, "Quota Exceeded")
            self.character_count += sum(billed)
        show_billed = rules.truthy(params.get("show_billed_characters"))
        replace = rules.replacer(terms)
        translations = []
        for text, count in zip(texts, billed, strict=True):
            translated = rules.render(text, replace, bool(tag_handling), ignored)
            item: dict[str, Any] = {
                "detected_source_language": source or rules.detect(text),
                "text": f"[{target}] {translated}",
            }
            if show_billed:
                item["billed_characters"] = count
            translations.append(item)
        return json_answer(200, {"translations": translations})

    def _glossary_terms(
        self, params: dict[str, Any], source: str, target: str
    ) -> dict[str, str]:
        ids = [str(params["glossary_id"])] if params.get("glossary_id") else []
        ids += rules.name_list(params.get("glossary_ids"))
        if not ids:
            return {}
        if not source:
            raise Refused(
                400,
                "Use of a glossary requires the source_lang parameter to be specified",
            )
        # A glossary applies to languages, not variants: EN-GB uses "en".
        pair = (source.lower(), target.split("-")[0].lower())
        terms: dict[str, str] = {}
        with self._lock:
            for glossary_id in ids:
                glossary = self.glossaries.get(glossary_id)
                if glossary is None:
                    raise Refused(self.unknown_glossary_status, "Glossary not found")
                entries = glossary.dictionaries.get(pair)
                if entries is None:
                    raise Refused(
                        400,
                        f"No dictionary found for language pair {'-'.join(pair)} "
                        "in glossary",
                    )
                for term, translation in entries.items():
                    terms.setdefault(term, translation)  # the first glossary wins
        return terms

    # -- usage and languages --------------------------------------------------

    def usage(self, params: dict[str, Any]) -> Answer:
        # A Pro account's answer: the billing period's start and end too.
        return json_answer(
            200,
            {
                "character_count": self.character_count,
                "character_limit": self.character_limit,
                "start_time": self.period_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "end_time": self.period_end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    def languages(self, params: dict[str, Any]) -> Answer:
        kind = params.get("type") or "source"
        if kind == "source":
            codes = sorted(rules.SOURCE_LANGUAGES)
            return json_answer(200, [{"language": c, "name": c} for c in codes])
        if kind != "target":
            raise Refused(400, "Value for 'type' not supported.")
        codes = sorted(rules.TARGET_LANGUAGES)
        return json_answer(
            200,
            [
                {
                    "language": c,
                    "name": c,
                    "supports_formality": c in rules.FORMALITY_TARGETS,
                }
                for c in codes
            ],
        )

    def glossary_pairs(self, params: dict[str, Any]) -> Answer:
        codes = rules.GLOSSARY_LANGUAGES
        pairs = [
            {"source_lang": s, "target_lang": t} for s in codes for t in codes if s != t
        ]
        return json_answer(200, {"supported_languages": pairs})

    # -- glossaries, v2 and v3 --------------------------------------------------

    def _create(self, name: Any, dictionaries: dict) -> Glossary:
        if (
            not isinstance(name, str)
            or not name
            or len(name.encode()) > rules.MAX_TERM_BYTES
        ):
            raise Refused(400, "Missing or invalid argument: name")
        created = datetime.now(UTC).isoformat(timespec="milliseconds")
        glossary = Glossary(str(uuid.uuid4()), name, created.replace("+00:00", "Z"))
        glossary.dictionaries.update(dictionaries)
        with self._lock:
            if len(self.glossaries) >= self.glossary_limit:
                raise Refused(456, "The glossary creation limit has been reached.")
            self.glossaries[glossary.glossary_id] = glossary
        return glossary

    def _find(self, glossary_id: str) -> Glossary:
        with self._lock:
            glossary = self.glossaries.get(glossary_id)
        if glossary is None:
            raise Refused(404, "Glossary not found")
        return glossary

    def glossary_delete(self, params: dict[str, Any], glossary_id: str) -> Answer:
        with self._lock:
            if self.glossaries.pop(glossary_id, None) is None:
                raise Refused(404, "Glossary not found")
        return 204, {}, b""

    def v2_create(self, params: dict[str, Any]) -> Answer:
        pair, entries = rules.dictionary(params)
        glossary = self._create(params.get("name"), {pair: entries})
        return json_answer(201, rules.v2_info(glossary))

    def v2_list(self, params: dict[str, Any]) -> Answer:
        with self._lock:
            glossaries = list(self.glossaries.values())
        listed = [rules.v2_info(g) for g in glossaries if len(g.dictionaries) == 1]
        return json_answer(200, {"glossaries": listed})

    def v2_get(self, params: dict[str, Any], glossary_id: str) -> Answer:
        return json_answer(200, rules.v2_info(self._find(glossary_id)))

    def v2_entries(self, params: dict[str, Any], glossary_id: str) -> Answer:
        glossary = self._find(glossary_id)
        rules.v2_info(glossary)  # one dictionary, or a 400
        accept = params.get("_accept", "")
        if accept and not any(
            kind in accept for kind in ("text/tab-separated-values", "*/*")
        ):
            raise Refused(415, "No supported media type specified in Accept header")
        (entries,) = glossary.dictionaries.values()
        content_type = "text/tab-separated-values; charset=UTF-8"
        return 200, {"Content-Type": content_type}, rules.tsv(entries).encode()

    def v3_create(self, params: dict[str, Any]) -> Answer:
        specs = params.get("dictionaries")
        if not isinstance(specs, list) or not specs:
            raise Refused(400, "Missing or invalid argument: dictionaries")
        dictionaries: dict[tuple[str, str], dict[str, str]] = {}
        for spec in specs:
            pair, entries = rules.dictionary(spec)
            if pair in dictionaries:
                raise Refused(400, f"Two dictionaries for {'-'.join(pair)}")
            dictionaries[pair] = entries
        glossary = self._create(params.get("name"), dictionaries)
        return json_answer(201, rules.v3_info(glossary))

    def v3_list(self, params: dict[str, Any]) -> Answer:
        with self._lock:
            glossaries = [rules.v3_info(g) for g in self.glossaries.values()]
        return json_answer(200, {"glossaries": glossaries})

    def v3_get(self, params: dict[str, Any], glossary_id: str) -> Answer:
        return json_answer(200, rules.v3_info(self._find(glossary_id)))

    def v3_patch(self, params: dict[str, Any], glossary_id: str) -> Answer:
        """A new name, and/or entries merged into one dictionary."""
        glossary = self._find(glossary_id)
        specs = params.get("dictionaries") or []
        if "name" not in params and not specs:
            raise Refused(400, "Missing or invalid argument: name or dictionaries")
        if not isinstance(specs, list) or len(specs) > 1:
            raise Refused(400, "Only one dictionary can be changed at a time")
        changes = [rules.dictionary(spec) for spec in specs]
        if "name" in params:
            if not isinstance(params["name"], str) or not params["name"]:
                raise Refused(400, "Missing or invalid argument: name")
            glossary.name = params["name"]
        for pair, entries in changes:
            glossary.dictionaries.setdefault(pair, {}).update(entries)
        return json_answer(200, rules.v3_info(glossary))

    def v3_put_dictionary(self, params: dict[str, Any], glossary_id: str) -> Answer:
        """A dictionary created or replaced whole."""
        glossary = self._find(glossary_id)
        (source, target), entries = rules.dictionary(params)
        glossary.dictionaries[source, target] = entries
        info = {"source_lang": source, "target_lang": target}
        return json_answer(200, {**info, "entry_count": len(entries)})

    def v3_delete_dictionary(self, params: dict[str, Any], glossary_id: str) -> Answer:
        glossary = self._find(glossary_id)
        if glossary.dictionaries.pop(rules.query_pair(params), None) is None:
            raise Refused(404, "Dictionary not found")
        return 204, {}, b""

    def v3_entries(self, params: dict[str, Any], glossary_id: str) -> Answer:
        glossary = self._find(glossary_id)
        source, target = rules.query_pair(params)
        entries = glossary.dictionaries.get((source, target))
        if entries is None:
            raise Refused(404, "Dictionary not found")
        dictionary = {
            "source_lang": source,
            "target_lang": target,
            "entries": rules.tsv(entries),
            "entries_format": "tsv",
        }
        return json_answer(200, {"dictionaries": [dictionary]})


def _check_xml(texts: list[str]) -> None:
    """Tag handling v2 parses XML strictly: an unclosed tag or an entity XML
    does not define (&nbsp;) fails the whole request."""
    for text in texts:
        try:
            ElementTree.fromstring(f"<t>{text}</t>")
        except ElementTree.ParseError:
            raise Refused(
                400, "Tag handling parsing failed, please check input."
            ) from None
