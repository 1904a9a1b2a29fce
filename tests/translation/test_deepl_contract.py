"""Contract: the DeepL fake answers as DeepL's own API description says.

Stoplight Prism stands as a validating proxy between the official ``deepl``
client and tests/fakes/deepl_server.py, with ../shared/specs/deepl-openapi.yaml:
every request (what the client sends for our backend) and every answer of the
fake (status codes, JSON error bodies, usage, glossaries v2 and v3) is checked
against the description. The behaviour over several calls is tested against
the fake itself (test_deepl_backend.py, test_service_deepl.py); this file
keeps the fake honest, so those tests prove something about DeepL.
"""

import deepl
import pytest
from deepl.api_data import MultilingualGlossaryDictionaryEntries

from tests.fakes.deepl_server import DeepLServer
from tests.fakes.prism import DEEPL_SPEC, PRISM, prism_proxy
from translation.backends import (
    ConfigurationError,
    GlossaryDictionary,
    GlossaryMissing,
    QuotaExceeded,
    RequestTooLarge,
    TranslationError,
)
from translation.backends.deepl import DeepLBackend

pytestmark = pytest.mark.skipif(
    not PRISM.exists(), reason="Prism is not installed (make contract-deps)"
)

# The official client upper-cases a glossary dictionary's languages ("FR"),
# which DeepL accepts; the description's enum lists them in lower case. Not
# ours to fix (the client builds the body), and not the fake's: it is what the
# client sends.
CLIENT_UPPER_CASE = "must be equal to one of the allowed values: ar, bg, cs"


@pytest.fixture(scope="module")
def deepl_server():
    with DeepLServer() as server:
        yield server


@pytest.fixture(scope="module")
def prism(deepl_server):
    with prism_proxy(DEEPL_SPEC, deepl_server.url) as proxy:
        # The readiness probe (GET / without a key) is not one of ours.
        proxy.violations_new(responses=True)
        yield proxy


@pytest.fixture
def backend(deepl_server, prism, monkeypatch):
    deepl_server.reset()
    monkeypatch.setattr(deepl.http_client._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    for name in ("max_network_retries", "min_connection_timeout"):
        monkeypatch.setattr(deepl.http_client, name, getattr(deepl.http_client, name))
    yield DeepLBackend(
        auth_key=deepl_server.auth_key, server_url=prism.url, timeout=10, max_retries=1
    )
    assert violations(prism) == []


@pytest.fixture
def client(backend):
    """The raw client, for the endpoints the backend does not use."""
    return backend.client


def violations(prism) -> list[str]:
    return [
        violation
        for violation in prism.violations_new(responses=True)
        if CLIENT_UPPER_CASE not in violation
    ]


def translate(backend, texts, **kwargs):
    return backend.translate(
        texts, source_language="fr", target_language="ja", **kwargs
    )


# -- what succeeds ---------------------------------------------------------------


def test_translate_with_tags_context_formality_and_glossary(backend, deepl_server):
    glossary_id = backend.glossary_replace(
        name="Tsunagu glossary v1",
        dictionaries=[GlossaryDictionary("fr", "ja", {"mairie": "市役所"})],
        previous_id="",
    )
    results = translate(
        backend,
        ['<a id="a1">La mairie</a> de <b>Lyon</b>', "Bonjour"],
        context="Lyon accueille les nouveaux arrivants",
        formality="prefer_more",
        glossary_id=glossary_id,
    )
    assert all(result.text.startswith("[JA] ") for result in results)
    assert "市役所" in results[0].text
    translate(backend, ["Hello"], formality="prefer_more")
    backend.glossary_replace(
        name="Tsunagu glossary v2",
        dictionaries=[GlossaryDictionary("fr", "ja", {"port": "港"})],
        previous_id=glossary_id,
    )
    assert glossary_id not in deepl_server.glossaries


def test_usage_languages_and_glossary_pairs(backend, client):
    translate(backend, ["Bonjour"])
    assert backend.usage().character_count == 7
    assert ("fr", "ja") in backend.glossary_languages()
    # (get_target_languages sends GET with a body, which Prism's proxy
    # cannot forward; the backend does not use it.)
    assert client.get_source_languages()


def test_v2_glossary_endpoints(client):
    glossary = client.create_glossary(
        "v2", source_lang="FR", target_lang="JA", entries={"mairie": "市役所"}
    )
    assert client.get_glossary(glossary.glossary_id).entry_count == 1
    assert glossary.glossary_id in [g.glossary_id for g in client.list_glossaries()]
    assert client.get_glossary_entries(glossary) == {"mairie": "市役所"}
    client.delete_glossary(glossary)
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.get_glossary(glossary.glossary_id)


def test_v3_glossary_endpoints(client):
    glossary = client.create_multilingual_glossary(
        "v3",
        [MultilingualGlossaryDictionaryEntries("fr", "ja", {"mairie": "市役所"})],
    )
    assert client.get_multilingual_glossary(glossary.glossary_id).name == "v3"
    assert client.list_multilingual_glossaries()
    answer = client.get_multilingual_glossary_entries(glossary, "fr", "ja")
    (entries,) = answer.dictionaries
    assert entries.entries == "mairie\t市役所"
    client.update_multilingual_glossary_name(glossary, "v3 renamed")
    client.update_multilingual_glossary_dictionary(
        glossary, MultilingualGlossaryDictionaryEntries("fr", "ja", {"port": "港"})
    )
    client.replace_multilingual_glossary_dictionary(
        glossary,
        MultilingualGlossaryDictionaryEntries("en", "ja", {"city hall": "市役所"}),
    )
    client.delete_multilingual_glossary_dictionary(
        glossary, source_lang="en", target_lang="ja"
    )
    client.delete_multilingual_glossary(glossary)
    with pytest.raises(deepl.GlossaryNotFoundException):
        client.delete_multilingual_glossary(glossary)


# -- what DeepL refuses ------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 400])
def test_unknown_glossary(backend, deepl_server, status):
    # DeepL documents 404; some of its servers answer 400, same message.
    deepl_server.unknown_glossary_status = status
    with pytest.raises(GlossaryMissing):
        translate(
            backend, ["mairie"], glossary_id="6f1c1a56-0000-4000-8000-000000000000"
        )


def test_wrong_key(deepl_server, prism, backend):
    wrong = DeepLBackend(auth_key="wrong-key", server_url=prism.url)
    with pytest.raises(ConfigurationError):
        translate(wrong, ["Bonjour"])
    with pytest.raises(ConfigurationError):
        wrong.usage()


def test_quota_exceeded(backend, deepl_server):
    deepl_server.character_limit = 10
    with pytest.raises(QuotaExceeded):
        translate(backend, ["Bonjour tout le monde"])


def test_body_over_128_kib(backend):
    # Prism forwards the JSON body re-encoded (UTF-8, not \\u escapes): a
    # text too large in any encoding.
    with pytest.raises(RequestTooLarge):
        translate(backend, ["Lyon. " * 24_000])


def test_more_than_50_texts(client):
    with pytest.raises(deepl.DeepLException):
        client.translate_text(["Bonjour"] * 51, source_lang="FR", target_lang="JA")


def test_formality_for_a_target_without_it(client):
    with pytest.raises(deepl.DeepLException):
        client.translate_text(
            ["Bonjour"], source_lang="FR", target_lang="KO", formality="more"
        )


@pytest.mark.parametrize("status", [429, 500, 504, 529])
def test_busy_and_failing_answers(backend, deepl_server, status):
    deepl_server.fail_next(status, times=2, path="/v2/translate")
    with pytest.raises(TranslationError):
        translate(backend, ["Bonjour"])


@pytest.mark.parametrize("status", [413, 429, 456, 500, 504])
def test_scripted_failures_have_deepl_s_bodies(backend, deepl_server, status):
    deepl_server.fail_next(status, times=2, path="/v2/usage")
    with pytest.raises(TranslationError):
        backend.usage()


def test_glossary_endpoints_failing(backend, deepl_server):
    deepl_server.fail_next(503, times=2, path="/v2/glossary-language-pairs")
    with pytest.raises(TranslationError):
        backend.glossary_languages()
    deepl_server.fail_next(500, times=2, path="/v3/glossaries")
    with pytest.raises(TranslationError):
        backend.glossary_replace(
            name="g",
            dictionaries=[GlossaryDictionary("fr", "ja", {"a": "b"})],
            previous_id="",
        )


def test_the_module_checked_requests(prism):
    # Runs last in this module: Prism saw what the tests above sent.
    seen = prism.requests_seen() - 1  # without the readiness probe
    print(f"Prism checked {seen} requests and answers against {DEEPL_SPEC}")
    assert seen > 40
