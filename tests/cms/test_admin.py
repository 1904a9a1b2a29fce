"""The admin speaks Japanese and English and shows the machinery's health."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.models import ScheduledJob, SchedulerLease, WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_admin_is_in_japanese_by_default(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert '<html lang="ja"' in response.content.decode()


def test_admin_speaks_english_to_a_user_who_chose_it(admin_client, admin_user):
    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()
    html = admin_client.get("/admin/system/").content.decode()
    assert '<html lang="en"' in html
    assert "System health" in html


def test_only_japanese_and_english_are_offered_for_the_admin(admin_client):
    html = admin_client.get("/admin/account/").content.decode()
    assert 'value="en"' in html
    assert 'value="fr"' not in html


def test_system_status_says_plainly_when_no_scheduler_or_worker_runs(admin_client):
    html = admin_client.get("/admin/system/").content.decode()
    assert "システムの状態" in html
    assert "スケジューラーが動いていません。予約公開が止まっています。" in html
    assert "タスクワーカーが動いていません" in html


def test_system_status_shows_a_failing_job_and_a_live_worker(admin_client, admin_user):
    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = "en"
    profile.save()
    now = timezone.now()
    SchedulerLease.objects.create(
        name="scheduler", holder="host:1", expires_at=now + timedelta(seconds=30)
    )
    WorkerHeartbeat.objects.create(
        worker_id="w", hostname="host", pid=2, started_at=now, last_seen_at=now
    )
    ScheduledJob.objects.create(
        name="publish_scheduled",
        next_run_at=now,
        last_finished_at=now,
        last_error="OperationalError: database is locked",
    )
    html = admin_client.get("/admin/system/").content.decode()
    assert "host:1" in html
    assert "No task worker is running" not in html
    assert "Job publish_scheduled failed: OperationalError: database is locked" in html


def test_newsroom_reference_data_is_managed_in_the_admin(admin_client):
    assert admin_client.get("/admin/snippets/cms/office/").status_code == 200
    assert admin_client.get("/admin/snippets/cms/topic/").status_code == 200
