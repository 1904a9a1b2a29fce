"""DeepLBackend through the official deepl client, over real HTTP, against the
local fake of DeepL's published API (tests/fakes/deepl_server.py)."""

import json
import time

import deepl
import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tests.fakes.deepl_server import DeepLServer
from translation.backends import (
    ConfigurationError,
    GlossaryDictionary,
    GlossaryMissing,
    QuotaExceeded,
    RequestTooLarge,
    TextResult,
    TranslationError,
    Usage,
)
from translation.backends.deepl import PARAMETER_ALLOWANCE, DeepLBackend

JAPANESE = "リヨン市は外国人住民のための新しいセンターを開設しました。"
KOREAN = "리옹시는 외국인 주민을 위한 새로운 센터를 열었습니다."


@pytest.fixture(scope="module")
def deepl_server():
    with DeepLServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_server(deepl_server, monkeypatch):
    deepl_server.reset()
    # The client waits 1 s, then longer, before a retry; the scripted
    # failures here need not wait.
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    # DeepLBackend sets the client's process-wide timeout and retries when it
    # is built: put them back after each test.
    for name in ("max_network_retries", "min_connection_timeout"):
        monkeypatch.setattr(deepl.http_client, name, getattr(deepl.http_client, name))


@pytest.fixture
def deepl_backend(deepl_server):
    return DeepLBackend(
        auth_key=deepl_server.auth_key,
        server_url=deepl_server.url,
        timeout=5,
        max_retries=2,
    )


def translate(backend, texts, source="fr", target="ja", **kwargs):
    return backend.translate(
        texts, source_language=source, target_language=target, **kwargs
    )


def sent(server):
    """Bodies of the /v2/translate requests the server received."""
    return [request.body for request in server.requests_to("/v2/translate")]


# -- translating ---------------------------------------------------------------


def test_translate_keeps_markup_and_bills_only_text(deepl_backend, deepl_server):
    texts = ["Bonjour <b>Lyon</b>", '<a id="a1">La mairie</a> &amp; le port']

    results = translate(deepl_backend, texts)

    assert results == [
        TextResult("[JA] Bonjour <b>Lyon</b>", 12),
        TextResult('[JA] <a id="a1">La mairie</a> &amp; le port', 19),
    ]
    (body,) = sent(deepl_server)
    assert body["text"] == texts
    assert body["source_lang"] == "FR"
    assert body["target_lang"] == "JA"
    assert body["tag_handling"] == "xml"
    assert deepl_server.character_count == 12 + 19


def test_translate_sends_context_which_is_not_billed(deepl_backend, deepl_server):
    context = "La ville de Lyon ouvre un centre pour les résidents étrangers."

    with_context = translate(deepl_backend, ["Le centre"], context=context)
    without = translate(deepl_backend, ["Le centre"])

    assert with_context == without == [TextResult("[JA] Le centre", 9)]
    assert [body.get("context") for body in sent(deepl_server)] == [context, None]
    assert deepl_server.character_count == 18


def test_formality_sent_for_japanese(deepl_backend, deepl_server):
    translate(deepl_backend, ["Merci"], formality="more")

    assert deepl_backend.supports_formality("ja")
    assert sent(deepl_server)[0]["formality"] == "more"


def test_formality_left_out_for_korean(deepl_backend, deepl_server):
    # DeepL answers 400 to "more" for a target without formality.
    results = translate(deepl_backend, ["Merci"], target="ko", formality="more")

    assert not deepl_backend.supports_formality("ko")
    assert results == [TextResult("[KO] Merci", 5)]
    assert "formality" not in sent(deepl_server)[0]


def test_language_codes(deepl_backend, deepl_server):
    translate(deepl_backend, ["Hallo"], source="de", target="zh-hans")
    translate(deepl_backend, ["Bonjour"], source="fr", target="en")
    translate(deepl_backend, ["こんにちは"], source="ja", target="pt-br")

    assert [(b["source_lang"], b["target_lang"]) for b in sent(deepl_server)] == [
        ("DE", "ZH-HANS"),
        ("FR", "EN-GB"),
        ("JA", "PT-BR"),
    ]
    assert deepl_backend.can_translate("fr", "ja")
    assert not deepl_backend.can_translate("ja", "ja")
    assert not deepl_backend.can_translate("pt", "pt-br")
    assert not deepl_backend.can_translate("xx", "ja")


def test_translate_nothing_sends_nothing(deepl_backend, deepl_server):
    assert translate(deepl_backend, []) == []
    assert deepl_server.requests == []


# -- glossaries ----------------------------------------------------------------


def test_glossary_replace_creates_a_v3_glossary_used_in_translation(
    deepl_backend, deepl_server
):
    glossary_id = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[
            GlossaryDictionary("fr", "ja", {"mairie": "市役所", "Lyon": "リヨン"}),
            GlossaryDictionary("en", "ja", {}),  # DeepL refuses empty ones
            GlossaryDictionary("zh-hans", "ja", {"市政府": "市役所"}),
        ],
        previous_id="",
    )

    (create,) = deepl_server.requests_to("/v3/glossaries", "POST")
    assert create.body["name"] == "Tsunagu"
    assert [
        (d["source_lang"], d["target_lang"]) for d in create.body["dictionaries"]
    ] == [
        ("FR", "JA"),
        ("ZH", "JA"),
    ]
    assert create.body["dictionaries"][0]["entries"] == "mairie\t市役所\nLyon\tリヨン"
    results = translate(
        deepl_backend, ['La <a id="a1">mairie</a> de Lyon'], glossary_id=glossary_id
    )
    assert results == [TextResult('[JA] La <a id="a1">市役所</a> de リヨン', 17)]
    assert sent(deepl_server)[0]["glossary_id"] == glossary_id


def test_glossary_replace_deletes_the_previous_glossary(deepl_backend, deepl_server):
    first = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[GlossaryDictionary("fr", "ja", {"mairie": "市役所"})],
        previous_id="",
    )

    second = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[GlossaryDictionary("fr", "ja", {"mairie": "市庁舎"})],
        previous_id=first,
    )

    assert set(deepl_server.glossaries) == {second}
    assert deepl_server.requests_to(f"/v3/glossaries/{first}", "DELETE")
    assert translate(deepl_backend, ["mairie"], glossary_id=second)[0].text == (
        "[JA] 市庁舎"
    )


def test_glossary_replace_with_a_missing_previous_glossary(deepl_backend, deepl_server):
    glossary_id = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[GlossaryDictionary("de", "ja", {"Rathaus": "市役所"})],
        previous_id="6f1c1a56-0000-4000-8000-000000000000",
    )

    assert set(deepl_server.glossaries) == {glossary_id}


def test_glossary_replace_without_entries_only_deletes(deepl_backend, deepl_server):
    first = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[GlossaryDictionary("fr", "ja", {"mairie": "市役所"})],
        previous_id="",
    )

    assert (
        deepl_backend.glossary_replace(
            name="Tsunagu",
            dictionaries=[GlossaryDictionary("fr", "ja", {})],
            previous_id=first,
        )
        == ""
    )
    assert deepl_server.glossaries == {}


def test_unknown_glossary_is_a_configuration_error(deepl_backend):
    with pytest.raises(GlossaryMissing, match="sync the glossary"):
        translate(
            deepl_backend, ["mairie"], glossary_id="6f1c1a56-0000-4000-8000-00000000"
        )


def test_glossary_languages_in_our_codes_asked_once(deepl_backend, deepl_server):
    pairs = deepl_backend.glossary_languages()
    again = deepl_backend.glossary_languages()

    assert pairs == again
    assert {("fr", "ja"), ("zh-hans", "ja"), ("ja", "en"), ("ko", "ja")} <= pairs
    assert ("ja", "ja") not in pairs
    assert len(deepl_server.requests_to("/v2/glossary-language-pairs")) == 1


# -- usage and errors ----------------------------------------------------------


def test_usage(deepl_backend, deepl_server):
    deepl_server.character_limit = 500_000
    translate(deepl_backend, ["Bonjour"])

    assert deepl_backend.usage() == Usage(character_count=7, character_limit=500_000)


def test_wrong_key_is_a_configuration_error_without_the_key(deepl_server):
    key = "0b5e1c2a-wrong-key-4d1e"
    backend = DeepLBackend(auth_key=key, server_url=deepl_server.url)

    with pytest.raises(ConfigurationError, match="DEEPL_AUTH_KEY") as raised:
        translate(backend, ["Bonjour"])
    with pytest.raises(ConfigurationError):
        backend.usage()

    assert key not in str(raised.value)
    assert deepl_server.character_count == 0


def test_quota_exceeded_bills_nothing(deepl_backend, deepl_server):
    deepl_server.character_limit = 10

    with pytest.raises(QuotaExceeded):
        translate(deepl_backend, ["Bonjour tout le monde"])

    assert deepl_server.character_count == 0
    assert deepl_backend.usage() == Usage(character_count=0, character_limit=10)


def test_scripted_456_is_quota_exceeded(deepl_backend, deepl_server):
    deepl_server.fail_next(456)

    with pytest.raises(QuotaExceeded):
        translate(deepl_backend, ["Bonjour"])


def test_413_is_request_too_large(deepl_backend, deepl_server):
    deepl_server.fail_next(413)

    with pytest.raises(RequestTooLarge):
        translate(deepl_backend, ["Bonjour"])


def test_body_over_128_kib_is_request_too_large(deepl_backend, deepl_server):
    # One text DeepL cannot take: the batcher sends it alone, DeepL answers
    # 413 (an ErrorResponse, as its API description says).
    with pytest.raises(RequestTooLarge):
        translate(deepl_backend, [JAPANESE * 800])

    (request,) = deepl_server.requests_to("/v2/translate")
    assert request.status == 413
    assert request.size > 128 * 1024


def test_the_fake_answers_only_what_deepl_s_description_lists(deepl_server):
    # /v2/translate answers 504 when unavailable, the glossary endpoints 503.
    with pytest.raises(ValueError, match="lists no 503"):
        deepl_server.fail_next(503, path="/v2/translate")
    deepl_server.fail_next(503, path="/v3/glossaries")


def test_429_and_504_are_retried_by_the_client(deepl_backend, deepl_server):
    deepl_server.fail_next(429, headers={"Retry-After": "1"})
    deepl_server.fail_next(504)

    results = translate(deepl_backend, ["Bonjour"])

    assert results == [TextResult("[JA] Bonjour", 7)]
    assert [r.status for r in deepl_server.requests_to("/v2/translate")] == [
        429,
        504,
        200,
    ]
    assert deepl_server.character_count == 7


def test_5xx_beyond_the_retries_is_a_translation_error(deepl_backend, deepl_server):
    deepl_server.fail_next(500, times=3)

    with pytest.raises(TranslationError, match="tried 3 times") as raised:
        translate(deepl_backend, ["Bonjour"])

    assert type(raised.value) is TranslationError
    assert len(deepl_server.requests_to("/v2/translate")) == 3


def test_dropped_connections_beyond_the_retries(deepl_backend, deepl_server):
    deepl_server.fail_next(0, times=3)

    with pytest.raises(TranslationError, match="could not be reached"):
        translate(deepl_backend, ["Bonjour"])


def test_slow_server_beyond_the_timeout(deepl_server):
    backend = DeepLBackend(
        auth_key=deepl_server.auth_key,
        server_url=deepl_server.url,
        timeout=0.2,
        max_retries=1,
    )
    deepl_server.delay_seconds = 5
    started = time.monotonic()

    with pytest.raises(TranslationError, match=r"did not answer within 0\.2 s"):
        translate(backend, ["Bonjour"])

    assert time.monotonic() - started < 2
    assert len(deepl_server.requests_to("/v2/translate")) == 2


def test_other_bad_requests_are_translation_errors(deepl_backend):
    with pytest.raises(TranslationError, match="Tag handling parsing failed"):
        translate(deepl_backend, ["<b>Bonjour"])


# -- batches -------------------------------------------------------------------


def test_120_texts_in_requests_deepl_accepts(deepl_backend, deepl_server):
    texts = [f"Paragraphe {n} : la ville ouvre un centre." for n in range(120)]

    results = []
    for batch in deepl_backend.batches(texts, context="Lyon"):
        results += translate(deepl_backend, [texts[i] for i in batch], context="Lyon")

    assert [r.text for r in results] == [f"[JA] {text}" for text in texts]
    seen = deepl_server.requests_to("/v2/translate")
    assert [len(r.body["text"]) for r in seen] == [50, 50, 20]
    assert all(r.status == 200 and r.size <= 128 * 1024 for r in seen)


def test_long_japanese_and_korean_texts_cut_by_bytes(deepl_backend, deepl_server):
    texts = [(JAPANESE if n % 2 else KOREAN) * 30 for n in range(120)]
    context = JAPANESE * 10

    batches = list(deepl_backend.batches(texts, context=context))
    for batch in batches:
        translate(
            deepl_backend, [texts[i] for i in batch], source="ja", context=context
        )

    assert [i for batch in batches for i in batch] == list(range(120))
    seen = deepl_server.requests_to("/v2/translate")
    assert len(seen) == len(batches) > 3
    assert all(r.status == 200 for r in seen)
    assert all(len(r.body["text"]) < 50 for r in seen)
    assert all(r.size <= 128 * 1024 for r in seen)
    # Full, bar the last: the byte limit decided.
    assert all(r.size > 128 * 1024 - 2 * len(json.dumps(texts[0])) for r in seen[:-1])


def test_escaped_size_decides_not_utf8(deepl_backend, deepl_server):
    # 40 Japanese texts: 108 KB as UTF-8, but requests sends JSON with \\uXXXX
    # escapes, 216 KB: more than one request.
    texts = [JAPANESE[:30] * 30 for _ in range(40)]
    utf8 = sum(len(text.encode()) for text in texts)

    batches = list(deepl_backend.batches(texts))
    for batch in batches:
        translate(deepl_backend, [texts[i] for i in batch], source="ja")

    assert utf8 < 128 * 1024 < deepl_backend.request_size(texts)
    assert len(batches) == 2
    assert all(r.status == 200 for r in deepl_server.requests_to("/v2/translate"))


def test_request_size_matches_what_the_client_sends(deepl_backend, deepl_server):
    texts = ["Bonjour <b>Lyon</b>", JAPANESE, KOREAN, "émoji 😀", 'quote " \\ \n']
    context = "Contexte : la ville de Lyon 😀"
    glossary_id = deepl_backend.glossary_replace(
        name="Tsunagu",
        dictionaries=[GlossaryDictionary("fr", "ja", {"Lyon": "リヨン"})],
        previous_id="",
    )

    translate(
        deepl_backend,
        texts,
        context=context,
        formality="prefer_more",
        glossary_id=glossary_id,
    )

    (request,) = deepl_server.requests_to("/v2/translate")
    estimate = deepl_backend.request_size(texts, context)
    # An upper bound, off by no more than the parameters' allowance.
    assert estimate - PARAMETER_ALLOWANCE <= request.size <= estimate


# -- settings ------------------------------------------------------------------


def test_built_from_settings(deepl_server):
    settings = {
        "BACKEND": "deepl",
        "DEEPL_AUTH_KEY": deepl_server.auth_key,
        "DEEPL_SERVER_URL": deepl_server.url,
        "DEEPL_TIMEOUT_SECONDS": 7.5,
        "DEEPL_MAX_RETRIES": 4,
    }
    with override_settings(TSUNAGU_TRANSLATION=settings):
        backend = DeepLBackend()

    assert (
        deepl.http_client.min_connection_timeout,
        deepl.http_client.max_network_retries,
    ) == (7.5, 4)
    assert translate(backend, ["Bonjour"]) == [TextResult("[JA] Bonjour", 7)]


def test_missing_key_names_the_setting():
    with (
        override_settings(TSUNAGU_TRANSLATION={"DEEPL_AUTH_KEY": ""}),
        pytest.raises(ImproperlyConfigured, match="DEEPL_AUTH_KEY"),
    ):
        DeepLBackend()


# -- the fake itself, where the client does not go -----------------------------


def test_fake_accepts_form_bodies_and_refuses_more_than_50_texts(deepl_server):
    headers = {"Authorization": f"DeepL-Auth-Key {deepl_server.auth_key}"}
    url = f"{deepl_server.url}/v2/translate"

    form = requests.post(
        url,
        data={"text": ["Hallo", "Welt"], "target_lang": "ja", "source_lang": "de"},
        headers=headers,
        timeout=5,
    )
    too_many = requests.post(
        url, json={"text": ["a"] * 51, "target_lang": "ja"}, headers=headers, timeout=5
    )
    no_target = requests.post(url, json={"text": ["a"]}, headers=headers, timeout=5)

    assert form.status_code == 200
    assert [t["text"] for t in form.json()["translations"]] == [
        "[JA] Hallo",
        "[JA] Welt",
    ]
    assert "billed_characters" not in form.json()["translations"][0]
    assert too_many.status_code == 400
    assert no_target.status_code == 400
