"""`make run`'s last step: web, worker and scheduler together, stopped together."""

import re
import signal
import time
import urllib.error
import urllib.request

import pytest

from cms.models import ScheduledJob, WorkerHeartbeat
from scrapers.models import Source


def _get(url: str) -> int:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        return opener.open(request, timeout=5).status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.processes
def test_run_all_serves_the_site_and_admin_and_stops_everything_on_ctrl_c(
    processes, free_port
):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        demo_port = sock.getsockname()[1]
    run = processes.start(
        "run_all",
        "run_all",
        "--addr",
        f"127.0.0.1:{free_port}",
        "--tasks-backend",
        "db",
        "--demo-sources-addr",
        f"127.0.0.1:{demo_port}",
        SCHEDULER_TICK_SECONDS="1",
        WORKER_HEARTBEAT_SECONDS="1",
    )
    base = f"http://127.0.0.1:{free_port}"
    deadline = time.monotonic() + 90
    status = None
    while time.monotonic() < deadline and run.poll() is None:
        try:
            status = _get(base + "/")
            break
        except OSError:
            time.sleep(0.5)
    assert status == 200, processes.output(run)
    assert _get(base + "/admin/") == 302  # to the login page
    assert _get(base + "/admin/login/") == 200
    assert _get(f"http://127.0.0.1:{demo_port}/paris-fr.xml") == 200
    # Its own set-up ran with these addresses: links and demo sources follow.
    with urllib.request.urlopen(base + "/feeds/rss.xml", timeout=5) as feed:
        links = re.findall(r"<link>([^<]+)</link>", feed.read().decode())
    assert links and all(link.startswith(base + "/") for link in links), links
    demo = Source.objects.filter(url__endswith="/paris-fr.xml").values_list(
        "url", flat=True
    )
    assert list(demo) == [f"http://127.0.0.1:{demo_port}/paris-fr.xml"]
    assert "Tsunagu is running on " + base in processes.output(run)

    # The worker beats and the scheduler has run its jobs.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        WorkerHeartbeat.objects.exists()
        and ScheduledJob.objects.filter(run_count__gt=0).exists()
    ):
        time.sleep(0.5)
    assert WorkerHeartbeat.objects.exists()
    assert ScheduledJob.objects.filter(
        name="publish_scheduled", run_count__gt=0
    ).exists()

    run.send_signal(signal.SIGINT)
    assert run.wait(timeout=30) == 0, processes.output(run)
    assert "Stopped web, worker, scheduler and demo sources." in processes.output(run)
    with pytest.raises(OSError):
        _get(base + "/")
    assert not WorkerHeartbeat.objects.exists()  # the worker stopped cleanly
