"""Nothing lost: a worker killed in the middle of a translation job."""

import os
import signal
import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from wagtail.models import Locale

from cms.newsroom.setup import newsroom_setup
from cms.taskqueue import tasks_requeue_stale
from tests.conftest import DB_WORKER_ARGS, wait_until
from tests.fakes.deepl_server import DeepLServer
from translation.models import (
    TranslationJob,
    TranslationMemory,
    TranslationState,
    UsageRecord,
)
from translation.tasks import translate_job

from .conftest import french_draft


@pytest.mark.processes
def test_a_worker_killed_mid_translation_loses_nothing(processes):
    newsroom_setup()
    with (
        DeepLServer() as server,
        override_settings(TSUNAGU_TRANSLATION={"BACKEND": "none"}),
    ):
        draft = french_draft()
        # The draft asked for its translation (parked: no backend in this
        # process); hand it to a real worker on the database queue.
        job = TranslationJob.objects.get(source_page=draft)
        TranslationJob.objects.filter(pk=job.pk).update(
            state=TranslationJob.State.QUEUED
        )
        translate_job.using(backend="db").enqueue(job.pk)
        env = {
            "TRANSLATION_BACKEND": "deepl",
            "DEEPL_AUTH_KEY": server.auth_key,
            "DEEPL_SERVER_URL": server.url,
            "WORKER_HEARTBEAT_SECONDS": "1",
        }
        server.delay_seconds = 30  # the request hangs until the worker dies
        worker = processes.start("worker-1", *DB_WORKER_ARGS, **env)
        wait_until(
            lambda: server.requests_to("/v2/translate"),
            what="the translation request to go out",
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        server.reset()  # the request in flight is dropped, as if never answered

        job.refresh_from_db()
        assert job.state == TranslationJob.State.RUNNING  # held by the dead worker
        assert not UsageRecord.objects.exists()
        target = draft.get_translation(Locale.objects.get(language_code="ja"))
        assert TranslationState.objects.get(page=target).state == "awaiting"

        # Time passes: the lease runs out, the dead worker's task is requeued.
        TranslationJob.objects.filter(pk=job.pk).update(
            lease_until=timezone.now() - timedelta(seconds=1)
        )
        time.sleep(1.5)
        assert tasks_requeue_stale(dead_after=timedelta(seconds=1)).requeued == 1
        second = processes.start("worker-2", *DB_WORKER_ARGS, "--batch", **env)
        assert second.wait(timeout=60) == 0, processes.output(second)

    job.refresh_from_db()
    assert job.state == TranslationJob.State.DONE, job.error
    assert TranslationState.objects.get(page=target).state == "machine_translated"
    # Every string once in the memory and once in the ledger.
    texts = TranslationMemory.objects.values_list("source_text", flat=True)
    assert len(texts) == len(set(texts)) == job.segments
    assert sum(UsageRecord.objects.values_list("billed_characters", flat=True)) == (
        server.character_count
    )
