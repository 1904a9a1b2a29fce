"""A task whose worker died runs again; one that keeps killing workers fails."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.models import WorkerHeartbeat
from cms.taskqueue import task_results_prune, tasks_requeue_stale
from tests.cms.sample_tasks import add, slow_the_first_time
from tests.conftest import DB_WORKER_ARGS, wait_until


def _status(result_id) -> str:
    return DBTaskResult.objects.get(id=result_id).status


@pytest.mark.processes
def test_a_task_whose_worker_was_killed_runs_again(processes, tmp_path):
    marker = tmp_path / "attempts.txt"
    result = slow_the_first_time.using(backend="db").enqueue(str(marker))
    beat = {"WORKER_HEARTBEAT_SECONDS": "1"}
    worker = processes.start("worker-1", *DB_WORKER_ARGS, **beat)
    wait_until(lambda: marker.exists(), what="the first attempt to start")
    wait_until(
        lambda: WorkerHeartbeat.objects.exists(), what="the worker's first heartbeat"
    )
    assert _status(result.id) == TaskResultStatus.RUNNING

    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    time.sleep(1.5)
    assert _status(result.id) == TaskResultStatus.RUNNING  # left behind

    # The scheduler's job: the worker has been silent longer than allowed.
    report = tasks_requeue_stale(dead_after=timedelta(seconds=1))
    assert report.requeued == 1
    assert _status(result.id) == TaskResultStatus.READY

    second = processes.start("worker-2", *DB_WORKER_ARGS, "--batch", **beat)
    assert second.wait(timeout=60) == 0, processes.output(second)
    done = DBTaskResult.objects.get(id=result.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == "done after 2 attempts"
    assert marker.read_text().count("attempt") == 2
    assert len(done.worker_ids) == 2
    # A worker that stops cleanly takes its heartbeat with it.
    assert not WorkerHeartbeat.objects.filter(worker_id=done.worker_ids[-1]).exists()


def _running(task_result_id, *, workers: list[str], started_ago: timedelta) -> None:
    DBTaskResult.objects.filter(id=task_result_id).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=workers,
        started_at=timezone.now() - started_ago,
    )


def _beat(worker_id: str, ago: timedelta) -> None:
    WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        hostname="test",
        pid=1,
        started_at=timezone.now() - ago,
        last_seen_at=timezone.now() - ago,
    )


@pytest.mark.django_db
def test_the_task_of_a_worker_that_still_beats_is_left_alone():
    result = add.using(backend="db").enqueue(1, 2)
    _running(result.id, workers=["alive"], started_ago=timedelta(hours=2))
    _beat("alive", timedelta(seconds=1))
    assert tasks_requeue_stale(dead_after=timedelta(seconds=30)).requeued == 0
    assert _status(result.id) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_just_claimed_by_a_worker_without_a_heartbeat_gets_a_grace_period():
    result = add.using(backend="db").enqueue(1, 2)
    _running(result.id, workers=["new"], started_ago=timedelta(seconds=5))
    assert tasks_requeue_stale(dead_after=timedelta(seconds=30)).requeued == 0
    assert _status(result.id) == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_that_killed_its_workers_too_often_is_failed_not_looped():
    result = add.using(backend="db").enqueue(1, 2)
    _running(result.id, workers=["w1", "w2", "w3"], started_ago=timedelta(minutes=5))
    report = tasks_requeue_stale(dead_after=timedelta(seconds=30), max_attempts=3)
    assert (report.requeued, report.failed) == (0, 1)
    failed = DBTaskResult.objects.get(id=result.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "cms.taskqueue.WorkerLost"
    assert "3 times" in failed.traceback


@pytest.mark.django_db
def test_pruning_removes_old_finished_results_only():
    old = add.using(backend="db").enqueue(1, 1)
    recent = add.using(backend="db").enqueue(2, 2)
    waiting = add.using(backend="db").enqueue(3, 3)
    DBTaskResult.objects.filter(id__in=[old.id, recent.id]).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now()
    )
    DBTaskResult.objects.filter(id=old.id).update(
        finished_at=timezone.now() - timedelta(days=30)
    )
    assert task_results_prune(keep_days=14) == 1
    remaining = set(DBTaskResult.objects.values_list("id", flat=True))
    assert {str(i) for i in remaining} >= {str(recent.id), str(waiting.id)}
    assert str(old.id) not in {str(i) for i in remaining}


@pytest.mark.processes
def test_wagtails_own_tasks_run_through_our_queue(processes):
    """Wagtail 8 declares its tasks with the django-tasks backport; they must
    still be Django's own tasks, which the database worker runs."""
    from wagtail.tasks import update_reference_index_task

    from cms.models import Topic

    topic = Topic.objects.create(slug="t", name_ja="テスト", name_en="Test")
    result = update_reference_index_task.using(backend="db").enqueue(
        "cms", "topic", topic.pk
    )
    worker = processes.start(
        "worker", "db_worker", "--backend", "db", "--batch", "--no-startup-delay"
    )
    assert worker.wait(timeout=60) == 0, processes.output(worker)
    row = DBTaskResult.objects.get(id=result.id)
    assert row.task_path == "wagtail.tasks.update_reference_index_task"
    assert row.status == TaskResultStatus.SUCCESSFUL, row.traceback
