"""`make bench-ingest`: Tsunagu's feed ingest against the `reader` library.

What runs (every process is started here and stopped at the end):

- Feed servers: one asyncio process (bench/server.py) listening on H loopback
  hosts, 127.0.0.2 ... 127.0.0.(H+1), one port, keep-alive, every body built
  before the clock starts. 1,000 sources, source i on host i mod H (so
  consecutive sources are on different hosts), each with its own copy of a
  corpus feed (bench/corpus.py: /work/shared/corpus/feeds, the edge ones that
  parse to entries included; links and text made unique per source so that
  de-duplication across sources does not turn 1,000 sources into 38). Round 1
  serves every feed without its first few entries; round 2 serves the same
  to 80% of the sources, which answer 304 to the ETag they got, and the whole
  feed (1-5 new entries) to the other 20%. Exactly those host:port pairs are
  allow-listed (SAFEHTTP_ALLOW). The servers are not part of the system under
  test: their CPU is printed separately, and their memory is not in peak_mb.
- Tsunagu: a fresh database (a temporary SQLite file, or a temporary
  PostgreSQL database with --postgres), `manage.py migrate` and
  `manage.py newsroom_setup`, settings bench/settings.py (production's, with
  the chosen delay and threads). The 1,000 Source rows go over the seven
  offices. P worker processes (one per core by default; bench/worker.py) run
  what db_worker runs for our tasks: `fetch_sources` on batches of
  BATCH_SIZE sources (`sources_fetch_many` with T threads: claim, robots.txt,
  the host's turn, conditional GET, parse, store, enqueue the draft task),
  handed to whichever worker is free, as the queue does. Round 1, then round
  2. Then, timed apart, the draft tasks those fetches enqueued
  (`process_new_items`: an ArticlePage draft per item), the oldest first, up
  to --drafts items.
- reader: `update_feeds(scheduled=False, workers=N)` over its own temporary
  SQLite database and the same URLs, twice, in a process of its own, with the
  same per-host delay (bench/reader_side.py says how, and why it gets the same
  order of URLs as Tsunagu).

N, the number of requests in flight, is the same on both sides: reader gets
workers=N; Tsunagu gets P processes of N/P threads (default 16 = 2 x 8 on two
cores). The delay between two requests to one host is the same on both sides
(default 0.1 s: with 10 sources per host a delay D is a floor of 10 x D under
each round, and production's 1 s would make round 2 measure the delay rather
than the code; --delay 1 shows it). bench/README.md has the details.

Measured: wall time per round (from handing out the first batch to the last
result); CPU of the processes under test (getrusage in each, over the round);
per source, the CPU of the thread that fetched it, so round 2's 304s and
changed feeds are told apart; peak memory as the sum of every process's peak
RSS (workers for Tsunagu, the one process for reader; a sum of peaks, so an
upper bound of what was resident at once).

Output: progress on stderr, a table on stdout, and last one line of JSON:
sources_per_s and reader_sources_per_s of the round with the lower ratio,
ratio_vs_reader (the lower of the two rounds), drafts_per_s, peak_mb.
"""

import argparse
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.children import Child, Inbox, deal  # noqa: E402
from bench.corpus import (  # noqa: E402
    DEFAULT_CORPUS,
    PlannedSource,
    make_plan,
    plan_dump,
    usable_feeds,
)
from bench.report import Progress, bench_main, log, report  # noqa: E402

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=100)
    parser.add_argument(
        "--workers",
        type=int,
        default=16,
        help="requests in flight on each side (reader's workers; Tsunagu's "
        "processes x threads)",
    )
    parser.add_argument(
        "--parse-processes",
        type=int,
        default=1,
        help="parse processes per worker (PARSE_PROCESSES; 0: parse in the threads)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=None,
        help="Tsunagu workers (default: one per core left after the parse processes)",
    )
    parser.add_argument(
        "--delay",
        type=float,
        default=0.1,
        help="seconds between two requests to a host (production's default: 1)",
    )
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument(
        "--drafts", type=int, default=300, help="items to make drafts of (0: skip)"
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"use a temporary PostgreSQL database on this server ({DEFAULT_POSTGRES})",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--profile", action="store_true", help="sample Tsunagu's CPU by function"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if args.processes is None:
        cores = os.cpu_count() or 1
        args.processes = max(1, cores // (1 + args.parse_processes))
    if args.workers % args.processes:
        parser.error("--workers must be a multiple of --processes")
    return args


class Postgres:
    """A database of our own on the server, dropped at the end."""

    def __init__(self, server: str) -> None:
        import psycopg

        self.server = server.rstrip("/")
        self.name = f"tsunagu_bench_{os.getpid()}"
        self._connect = lambda: psycopg.connect(
            f"{self.server}/postgres", autocommit=True
        )
        with self._connect() as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    @property
    def url(self) -> str:
        return f"{self.server}/{self.name}"

    def drop(self) -> None:
        with self._connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def django_env_base(tmp: Path, db_url: str) -> dict:
    """What every Django process of a benchmark gets: production's required
    variables, the temporary database and folder, nothing read from .env."""
    env = dict(os.environ)
    env.update(
        DJANGO_READ_DOT_ENV_FILE="0",
        SECRET_KEY=secrets.token_urlsafe(50),  # a throwaway database
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=db_url,
        TSUNAGU_VAR_DIR=str(tmp),
        LOG_LEVEL="WARNING",
    )
    return env


def django_env(args: argparse.Namespace, tmp: Path, db_url: str, allow: str) -> dict:
    env = django_env_base(tmp, db_url)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SAFEHTTP_ALLOW=allow,
        BENCH_HOST_DELAY_SECONDS=str(args.delay),
        BENCH_THREADS=str(args.workers // args.processes),
        BENCH_BATCH_SIZE=str(args.batch_size),
        BENCH_PARSE_PROCESSES=str(args.parse_processes),
        # As deployed (README, Deployment): glibc gives each thread its own
        # malloc arena, which fragments a threaded worker's memory.
        MALLOC_ARENA_MAX="2",
    )
    return env


def manage(env: dict, *command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def finish(process: subprocess.Popen, what: str) -> None:
    output, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{what} failed:\n{output[-3000:]}")


def run(args: argparse.Namespace, tmp: Path) -> dict:
    started = time.perf_counter()
    files, notes = usable_feeds(args.corpus)
    for note in notes:
        log(f"corpus: {note}")
    plan = make_plan(
        corpus=args.corpus, files=files, sources=args.sources, hosts=args.hosts
    )
    plan_dump(plan, tmp / "plan.json", args.corpus)
    inbox = Inbox()
    postgres = None
    try:
        server = Child(
            "server", ["bench.server", str(tmp / "plan.json")], None, tmp, inbox
        )
        port = inbox.expect(server, "ready")["port"]
        hosts = sorted({source.host for source in plan})
        allow = ",".join(f"{host}:{port}" for host in hosts)
        urls = [source.url(port) for source in plan]
        postgres = Postgres(args.postgres) if args.postgres else None
        db_url = postgres.url if postgres else f"sqlite:///{tmp / 'tsunagu.sqlite3'}"
        env = django_env(args, tmp, db_url, allow)
        log(f"database: {'PostgreSQL' if postgres else 'SQLite'}, migrating ...")
        finish(manage(env, "migrate", "--noinput"), "manage.py migrate")
        finish(manage(env, "newsroom_setup"), "manage.py newsroom_setup")
        workers = [
            Child(f"worker-{n}", ["bench.worker"], env, tmp, inbox)
            for n in range(args.processes)
        ]
        baseline = Child("reader", ["bench.reader_side"], None, tmp, inbox)
        for child in [*workers, baseline]:
            inbox.expect(child, "ready")
        log(f"set up in {time.perf_counter() - started:.0f} s")
        results = measure(args, plan, urls, server, workers, baseline, inbox, tmp)
        results["setup_s"] = time.perf_counter() - started
        return results
    finally:
        Child.stop_all()
        if postgres:
            postgres.drop()


def measure(
    args: argparse.Namespace,
    plan: list[PlannedSource],
    urls: list[str],
    server: Child,
    workers: list[Child],
    baseline: Child,
    inbox: Inbox,
    tmp: Path,
) -> dict:
    """Both rounds for Tsunagu, its drafts, both rounds for reader."""
    results: dict = {"args": vars(args) | {"corpus": str(args.corpus)}}
    results["reader_version"] = baseline.hello["version"]
    results["workers_start_kb"] = [worker.hello["maxrss_kb"] for worker in workers]
    first = workers[0]
    sources = [
        {"url": url, "name": s.name, "language": s.language, "office": s.office}
        for s, url in zip(plan, urls, strict=True)
    ]
    first.send({"cmd": "sources_create", "sources": sources})
    ids = inbox.expect(first, "created")["ids"]
    changed_ids = {ids[s.index] for s in plan if s.changed}
    batches = [
        ids[i : i + args.batch_size] for i in range(0, len(ids), args.batch_size)
    ]

    for number in (1, 2):
        server.send({"cmd": "round", "round": number})
        inbox.expect(server, "ok")
        server.send({"cmd": "stats"})
        cpu_before = inbox.expect(server, "stats")["cpu"]
        progress = Progress(f"Tsunagu round {number}", len(ids), "sources")
        outcome = deal(
            workers, inbox, "fetch", "batch", batches, progress, profile=args.profile
        )
        server.send({"cmd": "stats"})
        stats = inbox.expect(server, "stats")
        outcome["server_cpu"] = stats["cpu"] - cpu_before
        outcome["min_gap"] = stats["min_gap"]
        outcome["changed_ids"] = changed_ids
        results[f"ours_{number}"] = outcome

    first.send({"cmd": "item_states"})
    results["item_states"] = inbox.expect(first, "states")["states"]
    if args.drafts:
        first.send({"cmd": "draft_tasks", "limit": args.drafts})
        tasks = inbox.expect(first, "tasks")["tasks"]
        progress = Progress("Tsunagu drafts", sum(map(len, tasks)), "items")
        results["drafts"] = deal(
            workers, inbox, "drafts", "task", tasks, progress, profile=args.profile
        )

    server.send({"cmd": "round", "round": 1})
    inbox.expect(server, "ok")
    baseline.send(
        {
            "cmd": "setup",
            "db": str(tmp / "reader.sqlite3"),
            "urls": urls,
            "delay": args.delay,
        }
    )
    inbox.expect(baseline, "setup")
    for number in (1, 2):
        server.send({"cmd": "round", "round": number})
        inbox.expect(server, "ok")
        server.send({"cmd": "stats"})
        cpu_before = inbox.expect(server, "stats")["cpu"]
        progress = Progress(f"reader round {number}", len(urls), "sources")
        baseline.send(
            {
                "cmd": "update",
                "workers": args.workers,
                "progress_every": max(len(urls) // 20, 1),
            }
        )
        started = time.perf_counter()
        while (message := inbox.expect(baseline, ("progress", "done")))[
            "event"
        ] != "done":
            progress.add(message["sources"])
        message["wall_outer"] = time.perf_counter() - started
        server.send({"cmd": "stats"})
        stats = inbox.expect(server, "stats")
        message["server_cpu"] = stats["cpu"] - cpu_before
        message["min_gap"] = stats["min_gap"]
        results[f"reader_{number}"] = message
    results["server"] = stats
    return results


def main() -> None:
    args = arguments()
    bench_main(
        prefix="tsunagu-bench-",
        describe=lambda tmp: (
            f"bench-ingest: {args.sources} sources on {args.hosts} hosts, "
            f"{args.workers} requests in flight, {args.delay:g} s per host, "
            f"temporary files in {tmp}"
        ),
        run=lambda tmp: run(args, tmp),
        report=report,
        keep=args.keep,
    )


if __name__ == "__main__":
    main()
