"""The service with the real deepl client, over HTTP, against the local
DeepL server: the whole path a production job takes."""

import io

import deepl.http_client as deepl_http
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation
from wagtail.models import Locale

from tests.fakes.deepl_server import DeepLServer
from translation.admin_views import job_explanation
from translation.backends import backend_get
from translation.budget import budget_set, budget_status
from translation.glossary import glossary_sync
from translation.models import (
    GlossaryState,
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


def test_429_and_504_are_retried_by_the_client_alone(deepl_api, draft):
    deepl_api.fail_next(429, path="/v2/translate")
    job = _run(draft)
    assert job.state == TranslationJob.State.DONE, job.error
    assert [r.status for r in deepl_api.requests_to("/v2/translate")] == [429, 200]
    deepl_api.reset()
    deepl_api.fail_next(504, times=5, path="/v2/translate")
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


def test_job_ledger_and_deepl_count_the_same_characters(deepl_api):
    """Every request of a job counts: a 413 split, a run stopped by the
    budget, a run that failed part-way and was retried. The job's figure,
    the ledger's and DeepL's own counter agree, tags and entities counted
    as DeepL counts them (not at all, with tag handling)."""
    paragraphs = [
        f'Paragraphe {n} : <a id="a{n}">la métropole</a> de <b>Lyon</b> '
        "&amp; ses communes voisines. " * 6
        for n in range(120)
    ]
    page = french_draft(paragraphs=paragraphs)
    deepl_api.fail_next(413, path="/v2/translate")
    budget_set(characters=12_000)
    (job,) = translation_request(page=page)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_BUDGET, job.error

    budget_set(characters=10_000_000)
    deepl_api.fail_next(504, times=2, path="/v2/translate")  # beyond the retry
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.QUEUED, job.error

    TranslationJob.objects.filter(pk=job.pk).update(next_attempt_at=None)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error

    ledger = sum(
        UsageRecord.objects.filter(job=job).values_list("billed_characters", flat=True)
    )
    print(
        f"counts: job {job.billed_characters}, ledger {ledger}, "
        f"DeepL {deepl_api.character_count}"
    )
    assert job.billed_characters == ledger == deepl_api.character_count
    assert budget_status().used == ledger


@pytest.mark.parametrize("status", [404, 400])
def test_a_glossary_deepl_lost_is_recreated_and_the_job_does_not_fail(
    deepl_api, draft, status
):
    # DeepL answers an unknown glossary 404; some of its servers 400.
    GlossaryTerm.objects.create(
        source_language="fr", source_term="Lyon", target_term="リヨン"
    )
    glossary_sync()
    (lost,) = deepl_api.glossaries
    deepl_api.glossaries.clear()  # gone on DeepL's side
    deepl_api.unknown_glossary_status = status

    job = _run(draft)

    assert job.state == TranslationJob.State.DONE, job.error
    (recreated,) = deepl_api.glossaries
    assert recreated != lost
    assert [r.status for r in deepl_api.requests_to("/v2/translate")] == [status, 200]
    assert deepl_api.requests_to("/v2/translate")[-1].body["glossary_id"] == recreated
    assert not job.without_glossary
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    assert "リヨン" in target.get_latest_revision_as_object().title


@pytest.mark.parametrize("failure", ["5xx", "timeout", "403"])
def test_glossary_sync_in_a_fresh_worker_records_failures_and_never_raises(
    deepl_api, failure
):
    GlossaryTerm.objects.create(
        source_language="fr", source_term="Lyon", target_term="リヨン"
    )
    key = deepl_api.auth_key
    if failure == "5xx":
        deepl_api.fail_next(503, times=2, path="/v2/glossary-language-pairs")
    elif failure == "timeout":
        deepl_api.delay_seconds = 1.0
    else:
        key = "a-revoked-key"
    with override_settings(
        TSUNAGU_TRANSLATION={
            "BACKEND": "deepl",
            "DEEPL_AUTH_KEY": key,
            "DEEPL_SERVER_URL": deepl_api.url,
            "DEEPL_TIMEOUT_SECONDS": 0.3,
            "DEEPL_MAX_RETRIES": 1,
        }
    ):
        backend_get.cache_clear()  # a freshly started worker
        message = glossary_sync()
    deepl_api.delay_seconds = 0
    state = GlossaryState.objects.get()
    assert "not sent" in message
    assert state.last_error and state.next_sync_at and state.sync_attempts == 1
    assert {"5xx": "busy or unavailable", "timeout": "did not answer", "403": "key"}[
        failure
    ] in state.last_error
    assert "a-revoked-key" not in state.last_error
    assert deepl_api.glossaries == {}


def test_articles_translated_without_the_glossary_go_again_for_its_terms_only(
    deepl_api,
):
    GlossaryTerm.objects.all().delete()  # the seed's terms: only ours here
    GlossaryTerm.objects.create(
        source_language="fr", source_term="métropole", target_term="都市圏"
    )
    deepl_api.fail_next(503, times=2, path="/v2/glossary-language-pairs")
    glossary_sync()  # fails: DeepL has no glossary yet
    page = french_draft(
        paragraphs=[
            "Les écoles de la métropole accueillent des élèves.",
            "Un jumelage avec une ville japonaise est à l'étude.",
        ]
    )
    job = _run(page)
    assert job.state == TranslationJob.State.DONE, job.error
    assert job.without_glossary
    with translation.override("en"):
        assert "without the current glossary" in job_explanation(job)
    assert all("glossary_id" not in r.body for r in deepl_api.requests_to("/v2/"))
    billed_before = deepl_api.character_count

    GlossaryState.objects.update(next_sync_at=None)
    assert "go again" in glossary_sync()

    (glossary_id,) = deepl_api.glossaries
    job.refresh_from_db()
    assert not job.without_glossary
    (again,) = TranslationJob.objects.filter(state=TranslationJob.State.QUEUED)
    job_run(job_id=again.pk)
    again.refresh_from_db()
    assert again.state == TranslationJob.State.DONE, again.error

    last = deepl_api.requests_to("/v2/translate")[-1]
    assert last.body["glossary_id"] == glossary_id
    assert last.body["text"] == ["Les écoles de la métropole accueillent des élèves."]
    assert again.billed_characters == deepl_api.character_count - billed_before == 50
    target = page.get_translation(Locale.objects.get(language_code="ja"))
    body = target.get_latest_revision_as_object().body
    assert "都市圏" in body and "[JA] Un jumelage" in body


def test_a_big_job_waits_for_the_quota_while_jobs_that_fit_still_run(deepl_api):
    from translation.jobs import jobs_due, translation_sweep

    glossary_sync()  # the seed's terms: the glossary does not change below
    # 100 characters a paragraph; title and summary 52: after what fits
    # (9 paragraphs), 48 are left.
    big = french_draft(
        title="Grand article",
        paragraphs=[
            f"Paragraphe {n:02d}" + " lyonnaise" * 8 + " métro." for n in range(60)
        ],
    )
    deepl_api.character_limit = 1_000
    job = _run(big)
    assert job.state == TranslationJob.State.WAITING_QUOTA, job.error
    left = 1_000 - deepl_api.character_count
    assert job.error.startswith(
        f"Waiting for quota: needs {job.needs_characters:,} characters, "
        f"{left:,} left, resets on 01/01/2027"  # DeepL's end of the period
    )
    assert (job.needs_characters, left) == (100, 48)

    small = french_draft(title="Court", paragraphs=["Une phrase."])  # fits
    assert _run(small).state == TranslationJob.State.DONE

    sent = len(deepl_api.requests_to("/v2/translate"))
    ServiceStatus.objects.update(checked_at=None)  # the hourly check is due
    translation_sweep()
    assert job.pk not in jobs_due()
    job_run(job_id=job.pk)  # a stray task rings: nothing is sent
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_QUOTA
    assert len(deepl_api.requests_to("/v2/translate")) == sent
    # Only the answer that showed it short was a 456.
    assert [r.status for r in deepl_api.requests_to("/v2/translate")].count(456) == 1

    deepl_api.character_count = 0  # a new billing period, a bigger plan
    deepl_api.character_limit = 100_000
    ServiceStatus.objects.update(checked_at=None)
    assert job.pk in jobs_due() or "quota available" in translation_sweep()
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error


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
