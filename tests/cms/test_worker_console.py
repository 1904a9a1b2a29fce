"""`make run`'s console stays readable: the worker prints one progress line
per period and one line per fetch round, not two lines per task and
Wagtail's five per page (a fetch of 15 demo items printed some 500 lines)."""

import io
import threading
from http.server import ThreadingHTTPServer

import pytest
from django.core.management import call_command

from scrapers.demo import demo_sources_ensure
from scrapers.management.commands.serve_demo_sources import DemoHandler
from scrapers.models import Item, Source
from scrapers.tasks import fetch_sources


@pytest.mark.processes
def test_one_fetch_of_the_demo_sources_prints_a_few_lines(
    processes, settings, tmp_path
):
    call_command("load_demo", stdout=io.StringIO())
    server = ThreadingHTTPServer(("127.0.0.1", 0), DemoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    demo_addr = f"127.0.0.1:{server.server_address[1]}"
    settings.TSUNAGU_DEMO_SOURCES_ADDR = demo_addr
    demo_sources_ensure()
    # Queued in the database, as the scheduler does under `make run`.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    fetch_sources.enqueue(list(Source.objects.values_list("pk", flat=True)))
    try:
        # The development settings and log level that `make run` uses.
        worker = processes.start(
            "worker",
            "db_worker",
            "--queue-name",
            "*",
            "--no-reload",
            "--batch",
            DJANGO_SETTINGS_MODULE="cms.settings.dev",
            TSUNAGU_VAR_DIR=str(tmp_path),
            DEMO_SOURCES_ADDR=demo_addr,
            LOG_LEVEL="INFO",
        )
        assert worker.wait(timeout=240) == 0, processes.output(worker)
    finally:
        server.shutdown()
        server.server_close()
    output = processes.output(worker)
    assert Item.objects.count() == 15, output
    lines = output.splitlines()
    assert "Fetched 8 sources: 8 new" in output
    assert "tasks done in the last" in output
    assert len(lines) <= 25, output
