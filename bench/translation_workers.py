"""The db_worker processes of `make bench-translation`, and waiting for them:
until they are up, until the glossary is with the service, until a round's
jobs are done, until the queue is empty."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bench.report import Progress
from cms.models import WorkerHeartbeat
from translation.glossary import glossary_state, glossary_sync_due
from translation.models import GlossaryTerm, TranslationJob
from translation.tasks import glossary_sync

ROOT = Path(__file__).resolve().parent.parent
STALL_SECONDS = 300  # nothing moved for this long: give up
POLL_SECONDS = 0.05
_TICK = os.sysconf("SC_CLK_TCK")


class Worker:
    """`manage.py db_worker` as deployed: all queues, no autoreload, its own
    log in the temporary folder."""

    def __init__(self, number: int, env: dict, tmp: Path) -> None:
        self.worker_id = f"bench-translation-{number}"
        self.log_path = tmp / f"worker-{number}.log"
        with self.log_path.open("w") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our interpreter, manage.py
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--queue-name",
                    "*",
                    "--no-reload",
                    "--worker-id",
                    self.worker_id,
                ],
                cwd=ROOT,
                env={**env, "MALLOC_ARENA_MAX": "2"},
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def cpu(self) -> float:
        """User + system CPU seconds so far (/proc)."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return 0.0
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK

    def check(self) -> None:
        if self.process.poll() is not None:
            lines = self.log_path.read_text(errors="replace").splitlines()[-40:]
            raise SystemExit(
                f"db_worker {self.worker_id} stopped (exit status "
                f"{self.process.returncode}); the end of its log:\n" + "\n".join(lines)
            )

    def stop(self) -> None:
        """SIGTERM, as a service manager stops it: the task in hand ends first."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def workers_ready(workers: list[Worker], timeout: float = 60) -> None:
    """Each worker beats its heart just before it starts taking tasks."""
    ids = {worker.worker_id for worker in workers}
    deadline = time.monotonic() + timeout
    while WorkerHeartbeat.objects.filter(worker_id__in=ids).count() < len(ids):
        for worker in workers:
            worker.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"The db_worker processes did not start in {timeout} s.")
        time.sleep(0.2)


def glossary_ready(workers: list[Worker], timeout: float = 120) -> dict:
    """The glossary newsroom_setup seeded is with the service before round 1:
    its version keys the translation memory, so a sync between two rounds
    would make the later one miss the memory."""
    if glossary_sync_due():
        glossary_sync.enqueue()  # a second ring is harmless: it finds it sent
    deadline = time.monotonic() + timeout
    while glossary_sync_due():
        for worker in workers:
            worker.check()
        if time.monotonic() > deadline:
            raise SystemExit(
                f"The glossary was not sent in {timeout} s: "
                f"{glossary_state().last_error or 'no error recorded'}"
            )
        time.sleep(0.2)
    state = glossary_state()
    return {
        "terms": GlossaryTerm.objects.count(),
        "version": state.version,
        "languages": [pair[0] for pair in state.remote_languages],
        "remote_id": bool(state.remote_id),
    }


def _settled(state: str, next_attempt_at, now) -> bool:
    if state == TranslationJob.State.RUNNING:
        return False
    if state == TranslationJob.State.QUEUED:
        # Backing off after an error: it would run minutes later.
        return next_attempt_at is not None and next_attempt_at > now
    return True


def jobs_wait(job_ids: list[int], workers: list[Worker], progress: Progress) -> float:
    """Until every job is done (or stopped); the moment that was seen."""
    seen, last_change = 0, time.monotonic()
    while True:
        now = timezone.now()
        rows = TranslationJob.objects.filter(pk__in=job_ids).values_list(
            "state", "next_attempt_at"
        )
        settled = sum(_settled(state, when, now) for state, when in rows)
        if settled > seen:
            progress.add(settled - seen)
            seen, last_change = settled, time.monotonic()
        if settled == len(job_ids):
            return time.perf_counter()
        for worker in workers:
            worker.check()
        if time.monotonic() - last_change > STALL_SECONDS:
            raise SystemExit(
                f"No translation job settled for {STALL_SECONDS} s "
                f"({seen}/{len(job_ids)} settled)."
            )
        time.sleep(POLL_SECONDS)


def queue_drain(workers: list[Worker]) -> float:
    """Until the queue is empty: Wagtail's index tasks that the round's saves
    left behind the translations run before the next round starts, so that
    no round pays for the one before; the moment that was seen."""
    pending = DBTaskResult.objects.filter(
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )
    last, last_change = None, time.monotonic()
    while count := pending.count():
        if count != last:
            last, last_change = count, time.monotonic()
        for worker in workers:
            worker.check()
        if time.monotonic() - last_change > STALL_SECONDS:
            raise SystemExit(f"{count} tasks did not move for {STALL_SECONDS} s.")
        time.sleep(POLL_SECONDS)
    return time.perf_counter()
