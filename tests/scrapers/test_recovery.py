"""Nothing lost: a worker killed in the middle of a fetch."""

import os
import signal
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.taskqueue import tasks_requeue_stale
from scrapers.jobs import enqueue_due_sources, sources_due
from scrapers.models import Host, Item, Source
from scrapers.tasks import fetch_sources
from tests.conftest import DB_WORKER_ARGS, office_for_tests, wait_until
from tests.scrapers.conftest import rss

FEED = rss(("k-1", "Un", "x"), ("k-2", "Deux", "x"), ("k-3", "Trois", "x"))


@pytest.mark.processes
def test_a_worker_killed_mid_fetch_leaves_the_source_due_and_loses_nothing(
    processes, site
):
    release = threading.Event()

    def feed(_headers):
        if site.hits("/feed.xml") == 1:
            release.wait(60)  # the first fetch hangs until the test lets go
        return 200, {}, FEED

    site.routes["/feed.xml"] = feed
    office = office_for_tests()
    source = Source.objects.create(
        office=office,
        name="hangs once",
        url=site.url("/feed.xml"),
        kind="rss",
        language="fr",
        auto_draft=False,
    )
    Source.objects.exclude(pk=source.pk).update(enabled=False)
    due_at = source.next_fetch_at
    task = fetch_sources.using(backend="db").enqueue([source.pk])
    env = {
        "SAFEHTTP_ALLOW": f"127.0.0.1:{site.port}",
        "WORKER_HEARTBEAT_SECONDS": "1",
    }
    worker = processes.start("worker-1", *DB_WORKER_ARGS, **env)
    wait_until(lambda: site.hits("/feed.xml") == 1, what="the first fetch to start")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    release.set()

    source.refresh_from_db()
    assert source.claimed_until > timezone.now()  # held by the dead worker
    assert source.next_fetch_at == due_at  # not moved on: still due
    assert not Item.objects.filter(source=source).exists()

    # Time passes: the claim and the host's hold run out, the task is requeued.
    Source.objects.filter(pk=source.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    Host.objects.update(next_request_at=timezone.now(), busy_until=None)
    time.sleep(1.5)
    assert tasks_requeue_stale(dead_after=timedelta(seconds=1)).requeued == 1
    assert source.pk in sources_due()

    second = processes.start("worker-2", *DB_WORKER_ARGS, "--batch", **env)
    assert second.wait(timeout=60) == 0, processes.output(second)
    assert sorted(
        Item.objects.filter(source=source).values_list("guid", flat=True)
    ) == [
        "k-1",
        "k-2",
        "k-3",
    ]
    source.refresh_from_db()
    assert source.next_fetch_at > timezone.now()
    assert source.last_status == 200

    # The scheduler's next rounds fetch it again (forced due): still once each.
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    Host.objects.update(next_request_at=timezone.now(), busy_until=None)
    assert "enqueued 1" in enqueue_due_sources()
    # enqueue_due_sources uses the default (immediate) backend in tests: the
    # fetch has run by now.
    assert Item.objects.filter(source=source).count() == 3
    assert task.id
