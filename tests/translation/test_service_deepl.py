"""The service with the real deepl client, over HTTP, against the local
DeepL server: the whole path a production job takes."""

import io

import deepl.http_client as deepl_http
import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Locale

from tests.fakes.deepl_server import DeepLServer
from translation.backends import backend_get
from translation.glossary import glossary_sync
from translation.models import (
    GlossaryTerm,
    ServiceStatus,
    TranslationJob,
    UsageRecord,
)
from translation.runner import job_run
from translation.services import translation_request

from .conftest import french_draft

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def deepl_server():
    with DeepLServer() as server:
        yield server


@pytest.fixture
def deepl_api(deepl_server, monkeypatch):
    deepl_server.reset()
    monkeypatch.setattr(deepl_http._BackoffTimer, "BACKOFF_INITIAL", 0.01)
    for name in ("max_network_retries", "min_connection_timeout"):
        monkeypatch.setattr(deepl_http, name, getattr(deepl_http, name))
    with override_settings(
        TSUNAGU_TRANSLATION={
            "BACKEND": "deepl",
            "DEEPL_AUTH_KEY": deepl_server.auth_key,
            "DEEPL_SERVER_URL": deepl_server.url,
            "DEEPL_TIMEOUT_SECONDS": 5,
            "DEEPL_MAX_RETRIES": 1,
        }
    ):
        backend_get.cache_clear()
        yield deepl_server
    backend_get.cache_clear()


def _run(page):
    (job,) = translation_request(page=page)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_120_paragraph_article_goes_out_in_requests_within_the_limits(deepl_api):
    paragraphs = [
        f"Paragraphe {n} : la métropole de Lyon et ses communes voisines. " * 12
        for n in range(120)
    ]
    page = french_draft(paragraphs=paragraphs)
    job = _run(page)
    assert job.state == TranslationJob.State.DONE, job.error
    requests = deepl_api.requests_to("/v2/translate")
    assert len(requests) >= 3
    assert all(len(r.body["text"]) <= 50 for r in requests)
    assert all(r.size <= 128 * 1024 for r in requests)
    assert sum(len(r.body["text"]) for r in requests) == 122  # + title, summary
    billed = sum(
        UsageRecord.objects.filter(job=job).values_list("billed_characters", flat=True)
    )
    assert billed == job.billed_characters == deepl_api.character_count
    # Title and summary went along as context with every request.
    assert all(page.title in r.body["context"] for r in requests)
    assert all(r.body.get("formality") == "prefer_more" for r in requests)
    target = page.get_translation(Locale.objects.get(language_code="ja"))
    assert "[JA] Paragraphe 119" in target.get_latest_revision_as_object().body


def test_a_413_is_split_and_retried_and_nothing_is_billed_twice(deepl_api, draft):
    deepl_api.fail_next(413, path="/v2/translate")
    job = _run(draft)
    assert job.state == TranslationJob.State.DONE, job.error
    statuses = [r.status for r in deepl_api.requests_to("/v2/translate")]
    assert statuses[0] == 413 and set(statuses[1:]) == {200}
    assert len(statuses) == 3  # the batch in two halves
    assert job.billed_characters == deepl_api.character_count


def test_456_stops_translation_with_a_clear_state(deepl_api, draft):
    deepl_api.character_limit = 10
    job = _run(draft)
    assert job.state == TranslationJob.State.WAITING_QUOTA
    status = ServiceStatus.objects.get()
    assert status.state == ServiceStatus.State.QUOTA
    assert "quota" in status.message
    assert deepl_api.character_count == 0
    assert not UsageRecord.objects.filter(job=job).exists()


def test_403_is_a_configuration_error_and_the_key_is_never_shown(deepl_api, draft):
    with override_settings(
        TSUNAGU_TRANSLATION={
            "BACKEND": "deepl",
            "DEEPL_AUTH_KEY": "wrong-secret-key",
            "DEEPL_SERVER_URL": deepl_api.url,
        }
    ):
        backend_get.cache_clear()
        job = _run(draft)
    assert job.state == TranslationJob.State.CONFIG_ERROR
    assert "DEEPL_AUTH_KEY" in job.error
    assert "wrong-secret-key" not in job.error
    assert "wrong-secret-key" not in ServiceStatus.objects.get().message


def test_429_and_503_are_retried_by_the_client_alone(deepl_api, draft):
    deepl_api.fail_next(429, path="/v2/translate")
    job = _run(draft)
    assert job.state == TranslationJob.State.DONE, job.error
    assert [r.status for r in deepl_api.requests_to("/v2/translate")] == [429, 200]
    deepl_api.reset()
    deepl_api.fail_next(503, times=5, path="/v2/translate")
    page = french_draft(title="Une autre page", paragraphs=["Une phrase nouvelle."])
    job = _run(page)
    # The client's retries (1 here) are used up: the job waits for a retry
    # of its own later, nothing is half-saved.
    assert job.state == TranslationJob.State.QUEUED
    assert job.next_attempt_at is not None
    assert len(deepl_api.requests_to("/v2/translate")) == 2


def test_the_glossary_is_synced_and_used(deepl_api, draft):
    GlossaryTerm.objects.create(
        source_language="fr", source_term="Lyon", target_term="リヨン"
    )
    glossary_sync()
    (glossary_id,) = deepl_api.glossaries
    job = _run(draft)
    assert job.state == TranslationJob.State.DONE, job.error
    bodies = [r.body for r in deepl_api.requests_to("/v2/translate")]
    assert all(body.get("glossary_id") == glossary_id for body in bodies)
    assert job.glossary_version >= 1
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    assert "リヨン" in target.get_latest_revision_as_object().title


def test_the_first_set_up_sends_the_glossary_before_the_first_translations(
    deepl_api, draft
):
    """load_demo seeds the glossary and makes drafts at once: their
    translations must not go out before the sweep's first sync."""
    GlossaryTerm.objects.create(
        source_language="fr", source_term="Lyon", target_term="リヨン"
    )
    assert not deepl_api.glossaries  # never synced
    call_command("load_demo", stdout=io.StringIO())
    (glossary_id,) = deepl_api.glossaries
    job = _run(draft)
    assert job.state == TranslationJob.State.DONE, job.error
    bodies = [r.body for r in deepl_api.requests_to("/v2/translate")]
    assert bodies and all(body.get("glossary_id") == glossary_id for body in bodies)
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    assert "リヨン" in target.get_latest_revision_as_object().title
