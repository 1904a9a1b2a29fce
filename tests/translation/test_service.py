"""The translation service, against the in-memory twin of the backend."""

import pytest
from wagtail.models import Locale, WorkflowState
from wagtail_localize.models import StringTranslation

from translation.backends import ConfigurationError, QuotaExceeded, TranslationError
from translation.budget import budget_set, budget_status
from translation.models import (
    ServiceStatus,
    TranslationJob,
    TranslationMemory,
    TranslationState,
    UsageRecord,
)
from translation.runner import job_run
from translation.services import translation_request

from .conftest import PARAGRAPHS, french_draft

pytestmark = pytest.mark.django_db


def _translate(page, **kwargs):
    (job,) = translation_request(page=page, **kwargs)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_french_draft_becomes_a_japanese_machine_translated_draft_in_review(
    memory_backend, draft
):
    job = _translate(draft)

    assert job.state == TranslationJob.State.DONE, job.error
    target = draft.get_translation(Locale.objects.get(language_code="ja")).specific
    revision = target.get_latest_revision_as_object()
    assert revision.title == f"[ja] {draft.title}"
    assert "[ja] La ville de Lyon" in revision.body
    assert not target.live
    assert (
        TranslationState.objects.get(page=target).state
        == TranslationState.State.MACHINE_TRANSLATED
    )
    state = WorkflowState.objects.get(object_id=str(target.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Translation review"
    # Billed characters in the ledger, per page, pair and office.
    ledger = UsageRecord.objects.get(job=job)
    assert ledger.billed_characters == job.billed_characters == memory_backend.billed
    assert (ledger.source_language, ledger.target_language) == ("fr", "ja")
    assert ledger.office.code == "par"
    assert ledger.page_id == draft.pk


def test_title_and_summary_go_along_as_context_and_formality_is_asked(
    memory_backend, draft
):
    _translate(draft)
    (request,) = memory_backend.requests
    assert draft.title in request.context
    assert "résidents étrangers" in request.context
    assert request.formality == "prefer_more"
    assert (request.source_language, request.target_language) == ("fr", "ja")


def test_a_string_translated_once_is_never_sent_again_on_any_page(
    memory_backend, draft
):
    _translate(draft)
    billed = memory_backend.billed
    other = french_draft(title="Lyon accueille les nouveaux arrivants")
    job = _translate(other)
    assert job.state == TranslationJob.State.DONE
    assert memory_backend.billed == billed  # nothing new to bill
    assert job.sent == 0 and job.from_memory == job.segments > 0
    assert not UsageRecord.objects.filter(job=job).exists()


def test_only_changed_strings_go_out_when_the_source_changes(memory_backend, draft):
    _translate(draft)
    first = len(memory_backend.requests[0].texts)
    page = draft.specific
    page.body = page.body.replace("40 pays", "45 pays")
    page.save_revision()
    job = _translate(page)
    assert job.state == TranslationJob.State.DONE, job.error
    assert len(memory_backend.requests) == 2
    assert memory_backend.requests[1].texts == [
        "Les écoles de la métropole accueillent des élèves de 45 pays."
    ]
    assert first > 1
    target = page.get_translation(Locale.objects.get(language_code="ja"))
    assert "45 pays" in target.get_latest_revision_as_object().body


def test_an_editor_s_translation_of_a_string_is_kept(memory_backend, draft):
    job = _translate(draft)
    string = StringTranslation.objects.filter(
        locale__language_code="ja", translation_of__data=PARAGRAPHS[0]
    ).get()
    string.data = "リヨン市が外国人住民のためのセンターを開設"
    string.translation_type = StringTranslation.TRANSLATION_TYPE_MANUAL
    string.save()
    page = draft.specific
    page.title = "Lyon ouvre un centre"
    page.save_revision()
    job = _translate(page)
    assert job.state == TranslationJob.State.DONE
    target = page.get_translation(Locale.objects.get(language_code="ja"))
    assert "リヨン市が外国人住民" in target.get_latest_revision_as_object().body


def test_machine_output_is_sanitised(memory_backend, draft, monkeypatch):
    def hostile(text, target_language, terms):
        return f'<script>alert(1)</script><b onclick="x()">{text}</b>'

    monkeypatch.setattr(memory_backend, "render", hostile)
    _translate(draft)
    stored = TranslationMemory.objects.values_list("target_text", flat=True)
    assert all("script" not in text and "onclick" not in text for text in stored)
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    body = target.get_latest_revision_as_object().body
    assert "<script" not in body and "onclick" not in body and "<b>" in body


def test_asking_twice_makes_one_job(memory_backend, draft):
    first = translation_request(page=draft)
    second = translation_request(page=draft)
    assert first[0].pk == second[0].pk
    assert TranslationJob.objects.filter(source_page=draft).count() == 1


def test_a_456_parks_the_job_and_leaves_its_draft_as_it_was(memory_backend, draft):
    memory_backend.fail_next(QuotaExceeded("456 Quota Exceeded"))
    job = _translate(draft)
    assert job.state == TranslationJob.State.WAITING_QUOTA
    assert "quota" in job.error.lower()
    assert ServiceStatus.objects.get().state == ServiceStatus.State.QUOTA
    # The draft is as it was: awaiting translation, not half translated.
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    assert TranslationState.objects.get(page=target).state == "awaiting"
    assert (
        not StringTranslation.objects.filter(locale__language_code="ja")
        .filter(translation_of__data__in=PARAGRAPHS)
        .exists()
    )
    # Another page is not parked for it: the service's usage tells no
    # shortage, so it decides (test_service_deepl: jobs that fit still run).
    other = _translate(french_draft(title="Autre"))
    assert other.state == TranslationJob.State.DONE


def test_a_configuration_error_is_reported_as_such(memory_backend, draft):
    memory_backend.fail_next(ConfigurationError("Authorization failure"))
    job = _translate(draft)
    assert job.state == TranslationJob.State.CONFIG_ERROR
    assert "configuration" in job.error
    assert ServiceStatus.objects.get().state == ServiceStatus.State.CONFIG


def test_a_passing_error_is_retried_later_with_back_off(memory_backend, draft):
    memory_backend.fail_next(TranslationError("Service unavailable"))
    job = _translate(draft)
    assert job.state == TranslationJob.State.QUEUED
    assert job.next_attempt_at is not None
    assert job_run(job_id=job.pk).endswith("not due or held elsewhere")


def test_without_a_backend_drafts_say_they_await_translation(db, draft):
    job = _translate(draft)
    assert job.state == TranslationJob.State.NO_BACKEND
    assert "DEEPL_AUTH_KEY" in job.error
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    assert TranslationState.objects.get(page=target).state == "awaiting"
    assert not WorkflowState.objects.filter(object_id=str(target.pk)).exists()


def test_the_budget_stops_a_large_job_and_it_resumes_when_raised(memory_backend, draft):
    many = [f"Paragraphe numéro {n} sur la vie locale à Lyon." for n in range(120)]
    page = french_draft(paragraphs=many)
    budget_set(characters=2000)
    job = _translate(page)
    assert job.state == TranslationJob.State.WAITING_BUDGET, job.error
    assert "budget" in job.error
    billed_before = memory_backend.billed
    assert 0 < billed_before <= 2000
    sent_before = [t for r in memory_backend.requests for t in r.texts]

    budget_set(characters=1_000_000)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error
    sent_after = [t for r in memory_backend.requests for t in r.texts]
    assert len(sent_after) == len(set(sent_after))  # nothing sent twice
    assert set(sent_before) < set(sent_after)
    assert budget_status().used == memory_backend.billed
    # Every request stayed within 50 texts.
    assert all(len(r.texts) <= 50 for r in memory_backend.requests)


def test_the_estimate_counts_only_what_would_be_billed(memory_backend, draft):
    from translation.selectors import translation_estimate

    ja = Locale.objects.get(language_code="ja")
    before = translation_estimate(pages=[draft], locales=[ja])
    assert before.strings == len(PARAGRAPHS) + 2  # and the title and summary
    _translate(draft)
    assert before.characters == memory_backend.billed
    after = translation_estimate(pages=[draft, french_draft()], locales=[ja])
    assert after.characters == 0 and after.strings == 0


def test_saving_the_source_without_a_change_makes_no_new_japanese_draft(
    memory_backend, draft
):
    _translate(draft)
    target = draft.get_translation(Locale.objects.get(language_code="ja"))
    revisions = target.revisions.count()
    draft.specific.save_revision()  # saved again, nothing changed
    job = _translate(draft)
    assert job.state == TranslationJob.State.DONE
    assert target.revisions.count() == revisions
    assert len(memory_backend.requests) == 1


def test_a_page_that_is_not_a_translation_is_never_overwritten(memory_backend):
    from cms.models import OfficePage

    ja = Locale.objects.get(language_code="ja")
    fr = Locale.objects.get(language_code="fr")
    section = OfficePage.objects.get(office__code="par", locale=ja)
    french = OfficePage.objects.get(office__code="par", locale=fr)
    title = french.title
    job = _translate(section, locales=[fr])
    assert job.state == TranslationJob.State.FAILED
    assert "not a translation" in job.error
    french.refresh_from_db()
    assert french.title == title
    assert memory_backend.requests == []
