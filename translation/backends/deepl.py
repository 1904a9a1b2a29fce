"""DeepL through its official client (``deepl.DeepLClient``).

The client already retries 429 and 5xx answers and connection failures with
exponential back-off (it ignores Retry-After); we add no retry loop of our own.
What is left after its retries becomes one of our TranslationError subclasses.
"""

import html
import json
import logging
import re
from functools import cached_property
from urllib.parse import urlsplit

import deepl
import requests
from deepl.api_data import MultilingualGlossaryDictionaryEntries
from django.core.exceptions import ImproperlyConfigured
from django.utils.dateparse import parse_datetime

from ..conf import translation_setting
from .base import (
    ConfigurationError,
    GlossaryDictionary,
    GlossaryMissing,
    QuotaExceeded,
    RequestTooLarge,
    TextResult,
    TranslationBackend,
    TranslationError,
    Usage,
)

logger = logging.getLogger(__name__)

# Our language codes (Wagtail locales) → DeepL's codes. Targets name a variant
# where DeepL wants one (English, Portuguese, Chinese); glossaries use the
# source codes, in lower case.
# https://developers.deepl.com/docs/getting-started/supported-languages
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

SOURCE_CODES = {
    "ja": "JA",
    "en": "EN",
    "fr": "FR",
    "de": "DE",
    "es": "ES",
    "it": "IT",
    "ko": "KO",
    "zh-hans": "ZH",
    "pt": "PT",
    "pt-br": "PT",
    "ru": "RU",
}
TARGET_CODES = {
    "ja": "JA",
    "en": "EN-GB",
    "fr": "FR",
    "de": "DE",
    "es": "ES",
    "it": "IT",
    "ko": "KO",
    "zh-hans": "ZH-HANS",
    "pt": "PT-PT",
    "pt-br": "PT-BR",
    "ru": "RU",
}
# Targets where DeepL accepts formality; "more"/"less" elsewhere is a 400.
# https://developers.deepl.com/api-reference/translate (formality)
FORMALITY_TARGETS = frozenset(
    {"DE", "FR", "IT", "ES", "ES-419", "NL", "PL", "PT-BR", "PT-PT", "JA", "RU"}
)

# Everything in a /v2/translate body but the texts and the context (languages,
# formality, glossary id, tag handling, show_billed_characters: ~200 bytes).
PARAMETER_ALLOWANCE = 1024


_TAG = re.compile(r"<[^>]*>")


def _code(language: str) -> str:
    return language.lower().replace("_", "-")


class DeepLBackend(TranslationBackend):
    name = "deepl"
    display_name = "DeepL"
    # DeepL's limits per /v2/translate request: 50 texts, a body of 128 KiB,
    # the context included. DeepL's maintainers have seen 413s a little below
    # it (their proxies), so a 413 can still come: the service then splits
    # the batch and sends the halves.
    # https://developers.deepl.com/docs/resources/usage-limits
    # https://developers.deepl.com/api-reference/translate
    max_texts = 50
    max_request_bytes = 128 * 1024

    def __init__(
        self,
        *,
        auth_key: str | None = None,
        server_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
    ) -> None:
        self.auth_key = (
            auth_key if auth_key is not None else translation_setting("DEEPL_AUTH_KEY")
        )
        if not self.auth_key:
            raise ImproperlyConfigured(
                "TSUNAGU_TRANSLATION['DEEPL_AUTH_KEY'] is empty: the DeepL "
                "backend needs a key (or choose the 'none' backend)."
            )
        # Empty: the client picks the Free or Pro endpoint from the key.
        self.server_url = (
            server_url
            if server_url is not None
            else translation_setting("DEEPL_SERVER_URL")
        ) or None
        # The client reads its timeout and retry count from module globals,
        # shared by every client in the process, not from the client object.
        # We set them here, once, when the backend is built (one per process),
        # so every call has an explicit timeout and a known number of retries.
        deepl.http_client.min_connection_timeout = float(
            timeout
            if timeout is not None
            else translation_setting("DEEPL_TIMEOUT_SECONDS")
        )
        deepl.http_client.max_network_retries = int(
            max_retries
            if max_retries is not None
            else translation_setting("DEEPL_MAX_RETRIES")
        )
        self._glossary_pairs: set[tuple[str, str]] | None = None
        # DeepL itself is never on this machine: a DEEPL_SERVER_URL on
        # loopback is the local stand-in the README describes.
        self.stand_in = urlsplit(self.server_url or "").hostname in LOOPBACK

    @cached_property
    def client(self) -> deepl.DeepLClient:
        return deepl.DeepLClient(
            self.auth_key, server_url=self.server_url, send_platform_info=False
        )

    # -- languages ----------------------------------------------------------

    def can_translate(self, source_language: str, target_language: str) -> bool:
        return (
            _code(source_language) in SOURCE_CODES
            and _code(target_language) in TARGET_CODES
            and SOURCE_CODES[_code(source_language)]
            != TARGET_CODES[_code(target_language)].split("-")[0]
        )

    def supports_formality(self, target_language: str) -> bool:
        return TARGET_CODES.get(_code(target_language)) in FORMALITY_TARGETS

    def _source(self, language: str) -> str:
        try:
            return SOURCE_CODES[_code(language)]
        except KeyError:
            raise ConfigurationError(
                f"No DeepL source language is set for {language!r}."
            ) from None

    def _target(self, language: str) -> str:
        try:
            return TARGET_CODES[_code(language)]
        except KeyError:
            raise ConfigurationError(
                f"No DeepL target language is set for {language!r}."
            ) from None

    # -- translation --------------------------------------------------------

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
        if not texts:
            return []
        try:
            results = self.client.translate_text(
                texts,
                source_lang=self._source(source_language),
                target_lang=self._target(target_language),
                context=context or None,
                # "more"/"less" for a target without formality is a 400.
                formality=(
                    formality
                    if formality and self.supports_formality(target_language)
                    else None
                ),
                glossary=glossary_id or None,
                # wagtail-localize segments are text with inline tags
                # (<b>, <a id="a1">): DeepL keeps the tags and bills only the
                # text between them.
                tag_handling="xml",
            )
        except (deepl.DeepLException, ValueError) as error:
            # DeepL answers an unknown glossary id with 404; some of its
            # servers with 400; both say "Glossary not found".
            # https://developers.deepl.com/api-reference/translate
            if (
                glossary_id
                and isinstance(error, deepl.DeepLException)
                and (
                    error.http_status_code == 404
                    or (
                        error.http_status_code == 400
                        and "glossary not found" in str(error).lower()
                    )
                )
            ):
                logger.warning("DeepL does not know glossary %s", glossary_id)
                raise GlossaryMissing(
                    f"DeepL does not know the glossary {glossary_id}: sync the "
                    "glossary again."
                ) from error
            raise self._error(
                error,
                f"translate {len(texts)} texts {source_language}→{target_language}",
            ) from error
        if len(results) != len(texts):
            raise TranslationError(
                f"DeepL answered {len(results)} translations for {len(texts)} texts."
            )
        return [TextResult(result.text, result.billed_characters) for result in results]

    def billable_characters(self, text: str) -> int:
        # DeepL bills Unicode code points of the source text; with
        # tag_handling (we send "xml") the tags and their attributes are not
        # counted, and an entity is the one character it stands for. The
        # context is never billed.
        # https://developers.deepl.com/docs/resources/usage-limits
        # https://support.deepl.com/hc/en-us/articles/360020685720
        return len(html.unescape("".join(_TAG.split(text)[::2])))

    # requests encodes ``json=`` with json.dumps' defaults (ensure_ascii): a
    # character outside ASCII costs 6 bytes (\\uXXXX), 12 outside the BMP (a
    # surrogate pair), so Japanese text costs twice its UTF-8 size.

    def text_size(self, text: str) -> int:
        return len(json.dumps(text)) + len(", ")

    def fixed_size(self, context: str = "") -> int:
        if not context:
            return PARAMETER_ALLOWANCE
        return PARAMETER_ALLOWANCE + len(', "context": ') + len(json.dumps(context))

    # -- glossaries and usage -----------------------------------------------

    def glossary_languages(self) -> set[tuple[str, str]]:
        # The pairs change with DeepL's releases, not between our calls: asked
        # once per process (the backend is one per process).
        if self._glossary_pairs is None:
            try:
                pairs = self.client.get_glossary_languages()
            except deepl.DeepLException as error:
                raise self._error(error, "list the glossary languages") from error
            ours: dict[str, list[str]] = {}
            for language, code in SOURCE_CODES.items():
                ours.setdefault(code.lower(), []).append(language)
            self._glossary_pairs = {
                (source, target)
                for pair in pairs
                for source in ours.get(pair.source_lang.lower(), [])
                for target in ours.get(pair.target_lang.lower(), [])
            }
        return set(self._glossary_pairs)

    def glossary_replace(
        self, *, name: str, dictionaries: list[GlossaryDictionary], previous_id: str
    ) -> str:
        """A new v3 (multilingual) glossary, then the previous one deleted.
        Returns '' when no dictionary has entries (DeepL refuses empty ones):
        no glossary is used then."""
        entries = [
            MultilingualGlossaryDictionaryEntries(
                self._source(dictionary.source_language).lower(),
                self._target(dictionary.target_language).split("-")[0].lower(),
                dict(dictionary.entries),
            )
            for dictionary in dictionaries
            if dictionary.entries
        ]
        new_id = ""
        if entries:
            try:
                glossary = self.client.create_multilingual_glossary(name, entries)
            except (deepl.DeepLException, ValueError) as error:
                raise self._error(error, f"create the glossary {name!r}") from error
            new_id = glossary.glossary_id
        if previous_id and previous_id != new_id:
            self._glossary_delete(previous_id)
        return new_id

    def _glossary_delete(self, glossary_id: str) -> None:
        try:
            self.client.delete_multilingual_glossary(glossary_id)
        except deepl.GlossaryNotFoundException:
            logger.info("DeepL glossary %s was already gone", glossary_id)
        except deepl.DeepLException:
            # The new glossary is in place and its id must reach the caller;
            # the old one only takes a place in the account's glossary quota.
            logger.warning(
                "Could not delete the previous DeepL glossary %s",
                glossary_id,
                exc_info=True,
            )

    def usage(self) -> Usage:
        # The client's get_usage() keeps the counts but drops end_time, when
        # the billing period (and the count) starts again, which DeepL sends
        # to Pro accounts: the same call, made through the client's own
        # request method, keeps it.
        # https://developers.deepl.com/api-reference/usage-and-quota
        try:
            status, content, body = self.client._api_call("v2/usage", method="GET")
            self.client._raise_for_status(status, content, body)
        except deepl.DeepLException as error:
            raise self._error(error, "read the usage") from error
        body = body if isinstance(body, dict) else {}
        usage = deepl.Usage(body)
        return Usage(
            character_count=usage.character.count or 0,
            character_limit=usage.character.limit,
            resets_at=parse_datetime(str(body.get("end_time") or "")),
        )

    # -- errors -------------------------------------------------------------

    def _error(self, error: Exception, doing: str) -> TranslationError:
        """Our error for what the client raised, in plain words (the client's
        messages never carry the key, and neither do ours)."""
        status = getattr(error, "http_status_code", None)
        logger.warning("DeepL: could not %s (status %s): %s", doing, status, error)
        retries = deepl.http_client.max_network_retries
        if isinstance(error, deepl.AuthorizationException):
            return ConfigurationError(
                "DeepL refused the authentication key (403): check DEEPL_AUTH_KEY "
                "and the key's rights in the DeepL account."
            )
        if isinstance(error, deepl.QuotaExceededException):
            return QuotaExceeded(
                "DeepL's character quota for this billing period is used up (456)."
            )
        if status == 413:
            # The service splits the batch in two and sends the halves.
            return RequestTooLarge(
                f"Could not {doing}: DeepL found the request too large (413)."
            )
        if isinstance(error, deepl.ConnectionException):
            if isinstance(error.__cause__, requests.exceptions.Timeout):
                timeout = deepl.http_client.min_connection_timeout
                return TranslationError(
                    f"Could not {doing}: DeepL did not answer within {timeout:g} s "
                    f"(tried {retries + 1} times)."
                )
            return TranslationError(
                f"Could not {doing}: DeepL could not be reached "
                f"(tried {retries + 1} times)."
            )
        if status is not None and (status == 429 or status >= 500):
            return TranslationError(
                f"Could not {doing}: DeepL was busy or unavailable ({status}, "
                f"tried {retries + 1} times)."
            )
        if isinstance(error, ValueError):
            return TranslationError(f"Could not {doing}: {error}.")
        return TranslationError(f"Could not {doing}: DeepL answered {error}.")
