"""The sweep: the database is the truth, the queue only a doorbell."""

from datetime import timedelta

import pytest
from django.utils import timezone

from translation.backends import QuotaExceeded
from translation.budget import budget_set
from translation.jobs import jobs_due, translation_sweep
from translation.models import ServiceStatus, TranslationJob
from translation.runner import job_run
from translation.services import service_status_set, translation_request

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_demo_jobs(db):
    """The demo's articles asked for translations while loading (parked
    without a backend); these tests count jobs of their own."""
    TranslationJob.objects.all().delete()


def _job(page, **fields):
    (job,) = translation_request(page=page)
    TranslationJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def test_a_job_whose_task_was_lost_is_enqueued_again(memory_backend, draft):
    job = _job(draft, enqueued_at=timezone.now() - timedelta(hours=1))
    assert jobs_due() == [job.pk]
    fresh = _job(french_draft_other(), enqueued_at=timezone.now())
    assert fresh.pk not in jobs_due()


def test_a_job_of_a_killed_worker_runs_again_once_its_lease_is_over(
    memory_backend, draft
):
    job = _job(
        draft,
        state=TranslationJob.State.RUNNING,
        lease_until=timezone.now() + timedelta(minutes=5),
    )
    assert job.pk not in jobs_due()
    assert "not due" in job_run(job_id=job.pk)  # another worker holds it
    TranslationJob.objects.filter(pk=job.pk).update(
        lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert jobs_due() == [job.pk]
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE


def test_jobs_waiting_for_the_budget_resume_when_it_is_raised(
    memory_backend, draft, django_capture_on_commit_callbacks
):
    budget_set(characters=10)
    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_BUDGET
    assert jobs_due() == []
    budget_set(characters=100_000)
    with django_capture_on_commit_callbacks(execute=True):
        translation_sweep()
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error


def test_jobs_waiting_for_the_quota_resume_when_the_service_has_it_again(
    memory_backend, draft, django_capture_on_commit_callbacks
):
    memory_backend.fail_next(QuotaExceeded("456"))
    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_QUOTA
    memory_backend.state.character_limit = memory_backend.billed  # still used up
    ServiceStatus.objects.update(checked_at=timezone.now() - timedelta(hours=2))
    translation_sweep()
    assert ServiceStatus.objects.get().state == ServiceStatus.State.QUOTA
    assert jobs_due() == []
    memory_backend.state.character_limit = None  # a new billing period
    ServiceStatus.objects.update(checked_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        note = translation_sweep()
    assert "quota available again" in note
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error


def test_a_configuration_error_waits_for_a_new_key(
    memory_backend, draft, settings, django_capture_on_commit_callbacks
):
    settings.TSUNAGU_TRANSLATION = {"BACKEND": "memory", "DEEPL_AUTH_KEY": "old"}
    service_status_set(state=ServiceStatus.State.CONFIG, message="wrong key")
    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.CONFIG_ERROR
    translation_sweep()
    assert ServiceStatus.objects.get().state == ServiceStatus.State.CONFIG
    settings.TSUNAGU_TRANSLATION = {"BACKEND": "memory", "DEEPL_AUTH_KEY": "new"}
    with django_capture_on_commit_callbacks(execute=True):
        translation_sweep()
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error


def test_jobs_parked_without_a_backend_run_once_one_is_configured(
    db, draft, settings, django_capture_on_commit_callbacks
):
    from translation.backends import backend_get

    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.NO_BACKEND
    settings.TSUNAGU_TRANSLATION = {"BACKEND": "memory"}
    backend_get().reset()
    with django_capture_on_commit_callbacks(execute=True):
        translation_sweep()
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error


def french_draft_other():
    from .conftest import french_draft

    return french_draft(title="Une autre page")


def test_jobs_waiting_for_the_budget_resume_when_the_month_turns(
    memory_backend, draft, django_capture_on_commit_callbacks
):
    from translation.budget import budget_characters, month_start
    from translation.models import MonthlyBudgetUse

    this_month = month_start()
    MonthlyBudgetUse.objects.update_or_create(
        month=this_month, defaults={"characters": budget_characters()}
    )
    (job,) = translation_request(page=draft)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_BUDGET
    translation_sweep()
    job.refresh_from_db()
    assert job.state == TranslationJob.State.WAITING_BUDGET  # still this month
    # The month turns: this month's spending becomes last month's.
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    MonthlyBudgetUse.objects.filter(month=this_month).update(month=last_month)
    with django_capture_on_commit_callbacks(execute=True):
        translation_sweep()
    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error
