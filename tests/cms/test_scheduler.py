"""One scheduler leads at a time; its jobs run and record how they went."""

import io
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from cms.models import ScheduledJob, SchedulerLease
from cms.scheduler import JobSpec, Scheduler, lease_acquire, lease_release

pytestmark = pytest.mark.django_db


def test_lease_is_held_by_one_holder_until_it_expires():
    assert lease_acquire(holder="a", seconds=60)
    assert not lease_acquire(holder="b", seconds=60)
    assert lease_acquire(holder="a", seconds=60)  # renewal
    SchedulerLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert lease_acquire(holder="b", seconds=60)
    assert not lease_acquire(holder="a", seconds=60)


def test_a_released_lease_is_free_at_once():
    assert lease_acquire(holder="a", seconds=60)
    lease_release(holder="a")
    assert lease_acquire(holder="b", seconds=60)


def test_releasing_someone_elses_lease_does_nothing():
    assert lease_acquire(holder="a", seconds=60)
    lease_release(holder="b")
    assert not lease_acquire(holder="b", seconds=60)


calls: list[str] = []


def _record() -> str:
    calls.append("ran")
    return "fine"


def _explode() -> None:
    raise RuntimeError("the feed host is down")


def test_only_the_leader_runs_due_jobs_and_they_wait_for_their_interval():
    calls.clear()
    job = JobSpec(name="record", func=_record, every=timedelta(hours=1))
    leader = Scheduler(jobs=[job], holder="leader", lease_seconds=60, tick_seconds=1)
    follower = Scheduler(
        jobs=[job], holder="follower", lease_seconds=60, tick_seconds=1
    )
    assert leader.tick() == ["record"]
    assert follower.tick() == []
    assert leader.tick() == []  # not due again for an hour
    assert calls == ["ran"]
    row = ScheduledJob.objects.get(name="record")
    assert row.last_holder == "leader"
    assert row.last_result == "fine"
    assert row.run_count == 1
    assert row.next_run_at > timezone.now() + timedelta(minutes=59)


def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    calls.clear()
    jobs = [
        JobSpec(name="explode", func=_explode, every=timedelta(seconds=60)),
        JobSpec(name="record", func=_record, every=timedelta(seconds=60)),
    ]
    scheduler = Scheduler(jobs=jobs, holder="s", lease_seconds=60, tick_seconds=1)
    assert scheduler.tick() == ["explode", "record"]
    failed = ScheduledJob.objects.get(name="explode")
    assert "the feed host is down" in failed.last_error
    assert failed.consecutive_failures == 1
    assert calls == ["ran"]


def test_the_configured_jobs_include_publishing_recovery_and_pruning():
    names = {spec.name for spec in Scheduler(holder="x").jobs}
    assert {"publish_scheduled", "requeue_stale_tasks", "prune_task_results"} <= names


def _scheduled_page() -> Page:
    """A page whose approved go-live time has just passed."""
    home = Page.objects.get(depth=2, locale__language_code="ja")
    page = home.add_child(
        instance=Page(title="Scheduled", slug="scheduled", live=False)
    )
    page.go_live_at = timezone.now() + timedelta(days=1)
    revision = page.save_revision()
    revision.publish()  # with go_live_at in the future this only schedules it
    page.refresh_from_db()
    assert not page.live
    # Let the go-live time pass without waiting a day.
    past = timezone.now() - timedelta(seconds=5)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save(update_fields=["content", "approved_go_live_at"])
    return page


@pytest.mark.processes
def test_two_schedulers_started_at_once_publish_a_due_page_exactly_once(processes):
    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    page = _scheduled_page()
    env = {"SCHEDULER_TICK_SECONDS": "1", "SCHEDULER_LEASE_SECONDS": "30"}
    first = processes.start("scheduler-1", "scheduler", "--max-seconds", "8", **env)
    second = processes.start("scheduler-2", "scheduler", "--max-seconds", "8", **env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Page.objects.get(pk=page.pk).live:
        time.sleep(0.5)
    assert first.wait(timeout=60) == 0, processes.output(first)
    assert second.wait(timeout=60) == 0, processes.output(second)

    assert Page.objects.get(pk=page.pk).live
    assert (
        PageLogEntry.objects.filter(
            page=page, action="wagtail.publish.scheduled"
        ).count()
        == 1
    )
    leaders = [
        child
        for child in (first, second)
        if "is now leading" in processes.output(child)
    ]
    assert len(leaders) == 1, [processes.output(c) for c in (first, second)]
    job = ScheduledJob.objects.get(name="publish_scheduled")
    assert job.run_count >= 1
    assert job.last_error == ""


@pytest.mark.parametrize(
    "jobs",
    [
        {"broken": {"JOB": "cms.jobs.no_such_job", "EVERY": 60}},
        {"broken": {"JOB": "cms.jobs.publish_scheduled"}},
        {"broken": {"JOB": "cms.jobs.publish_scheduled", "EVERY": "often"}},
    ],
)
def test_a_misconfigured_job_stops_the_scheduler_with_the_setting_named(settings, jobs):
    from django.core.exceptions import ImproperlyConfigured

    settings.TSUNAGU_SCHEDULER = {**settings.TSUNAGU_SCHEDULER, "JOBS": jobs}
    with pytest.raises(
        ImproperlyConfigured, match=r"TSUNAGU_SCHEDULER\['JOBS'\]\['broken'\]"
    ):
        Scheduler(holder="x")


def test_a_lease_shorter_than_two_ticks_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="LEASE_SECONDS"):
        Scheduler(jobs=[], holder="x", lease_seconds=5, tick_seconds=5)


def test_optimize_database_job_runs_on_either_database():
    from cms.jobs import optimize_database

    assert optimize_database()
