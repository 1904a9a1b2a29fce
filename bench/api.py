"""`make bench-api`: the partner API, the feeds and the article pages under load.

What runs (everything is started here and stopped at the end):

- Tsunagu: a fresh database (a temporary SQLite file, or a temporary
  PostgreSQL database with --postgres), `manage.py migrate` and
  `manage.py newsroom_setup`, then N published articles (bench/api_data.py)
  in the Japanese tree's office sections, with topics and countries.
  gunicorn with production's settings (cms.settings.production) on
  127.0.0.1, a fixed number of sync workers, pinned to core 0; the response
  cache in a spare Redis database (CACHE_URL), shared by the workers; the
  anonymous rate limit raised out of the way (API_ANON_RATE_PER_MINUTE).
- Wagtail's API v2 out of the box (bench/api_oob_settings.py and
  bench/api_oob_urls.py): a second gunicorn, same settings and data, a plain
  WagtailAPIRouter with Wagtail's PagesAPIViewSet, no response cache.
- nginx, serving the bytes of the three answers as static files, pinned to
  core 0 too.
- wrk, one thread, pinned to core 1, a fixed number of connections.

Measured, requests per second and p50/p99 latency:

- cold: the response cache flushed before the run and every request a URL
  not asked before where the parameters allow it: the API listing with a
  different (valid, far-past) published_from on each request; the feed over
  every office x topic pair (fewer URLs than requests: the report says how
  many); the article pages over every article (each a miss the first time).
- warm: one URL, asked once before the run.
- Wagtail out of the box: the same listing (the same fields, filtered by the
  office's id), no cache; nginx: the same bytes.

Output: progress on stderr, the table on stdout, and last one line of JSON:
api_rps_warm, api_rps_cold, feed_rps_warm, page_rps_warm,
ratio_vs_wagtail_warm, ratio_vs_wagtail_cold, share_of_nginx (the lowest of
the three warm shares).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.api_wrk import lua_counter, lua_paths, wrk_run  # noqa: E402
from bench.ingest import (  # noqa: E402
    DEFAULT_POSTGRES,
    Postgres,
    django_env_base,
    finish,
    manage,
)
from bench.report import bench_main, log  # noqa: E402

SERVER_CORE, LOAD_CORE = 0, 1
TASKSET = shutil.which("taskset") or "taskset"
TARGET_WARM, TARGET_COLD = 10.0, 2.0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--redis",
        default="redis://127.0.0.1:6379/13",
        help="a spare Redis database for the cache (flushed; must start empty)",
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"use a temporary PostgreSQL database on this server ({DEFAULT_POSTGRES})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url)


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback
        if answer.status != 200:
            raise SystemExit(f"{url}: {answer.status}")
        return answer.read()


def cache_state(url: str) -> str:
    """What the response cache says it did (X-Tsunagu-Cache: hit or miss)."""
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - loopback
        return answer.headers.get("X-Tsunagu-Cache", "none")


def wait_up(url: str, process: subprocess.Popen, log_path: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"{url} exited:\n{log_path.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).close()  # noqa: S310
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer:\n{log_path.read_text()[:4000]}")


class Servers:
    def __init__(self) -> None:
        self.processes: list[subprocess.Popen] = []

    def start(
        self, command: list[str], env: dict | None, log_path: Path
    ) -> subprocess.Popen:
        with log_path.open("w") as out:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                [TASKSET, "-c", str(SERVER_CORE), *command],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def gunicorn(
    servers: Servers, env: dict, port: int, workers: int, log_path: Path, ready: str
) -> str:
    process = servers.start(
        [
            str(Path(sys.executable).parent / "gunicorn"), "cms.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--worker-class", "sync", "--timeout", "120", "--no-control-socket",
        ],
        env, log_path,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_up(base + ready, process, log_path)
    return base


def nginx(servers: Servers, tmp: Path, port: int, files: dict[str, bytes]) -> str:
    static = tmp / "nginx-root"
    static.mkdir()
    for name, body in files.items():
        (static / name).write_bytes(body)
    conf = tmp / "nginx.conf"
    # As root, nginx's worker would run as nobody, who cannot enter the
    # temporary folder (0700).
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ application/json json; application/atom+xml xml; text/html html; }}
  client_body_temp_path {tmp}/nginx-body;
  proxy_temp_path {tmp}/nginx-proxy;
  fastcgi_temp_path {tmp}/nginx-fastcgi;
  uwsgi_temp_path {tmp}/nginx-uwsgi;
  scgi_temp_path {tmp}/nginx-scgi;
  server {{
    listen 127.0.0.1:{port};
    root {static};
  }}
}}
"""
    )
    process = servers.start(
        ["nginx", "-p", str(tmp), "-c", str(conf)], None, tmp / "nginx.log"
    )
    base = f"http://127.0.0.1:{port}"
    wait_up(base + "/api.json", process, tmp / "nginx.log")
    return base


def run(args: argparse.Namespace, tmp: Path) -> dict:
    started = time.perf_counter()
    cache = redis_client(args.redis)
    if cache.dbsize():
        raise SystemExit(f"{args.redis} is not empty: give a spare one with --redis")
    postgres, servers = None, Servers()
    try:
        postgres = Postgres(args.postgres) if args.postgres else None
        db_url = postgres.url if postgres else f"sqlite:///{tmp / 'tsunagu.sqlite3'}"
        env = django_env_base(tmp, db_url)
        env.update(
            DJANGO_SETTINGS_MODULE="cms.settings.production",
            CACHE_URL=args.redis,
            SECURE_SSL_REDIRECT="0",
            API_ANON_RATE_PER_MINUTE=str(10**9),
            TSUNAGU_BASE_URL="http://127.0.0.1",
        )
        log(f"database: {'PostgreSQL' if postgres else 'SQLite'}, migrating ...")
        finish(manage(env, "migrate", "--noinput"), "manage.py migrate")
        finish(manage(env, "newsroom_setup"), "manage.py newsroom_setup")
        # Production's static storage needs its manifest (templates use it).
        finish(manage(env, "collectstatic", "--noinput"), "manage.py collectstatic")

        os.environ.update(env)
        import django

        django.setup()
        from bench import api_data

        data = api_data.articles_create(args.articles)
        urls = api_data.urls_plan(data)
        queries = api_data.queries_count(urls)
        from django.db import connections

        connections.close_all()
        log(
            f"queries per API listing: {queries[5]} for 5 articles, "
            f"{queries[20]} for 20"
        )

        ours = gunicorn(
            servers, env, free_port(), args.workers, tmp / "gunicorn.log", "/robots.txt"
        )
        oob_env = env | {"DJANGO_SETTINGS_MODULE": "bench.api_oob_settings"}
        oob = gunicorn(
            servers, oob_env, free_port(), args.workers, tmp / "oob.log", urls["oob"]
        )
        bodies = {
            "api.json": get(ours + urls["api"]),
            "feed.xml": get(ours + urls["feed"]),
            "page.html": get(ours + urls["page"]),
        }
        oob_body = get(oob + urls["oob"])
        oob_count = len(json.loads(oob_body)["items"])
        ours_count = len(json.loads(bodies["api.json"])["items"])
        if oob_count != ours_count:
            log(
                f"NOTE: out-of-the-box listing has {oob_count} items, ours {ours_count}"
            )
        static = nginx(servers, tmp, free_port(), bodies)
        log(f"set up in {time.perf_counter() - started:.0f} s")

        def load(label: str, url: str, script: Path | None = None) -> dict:
            result = wrk_run(
                url,
                duration=args.duration,
                connections=args.connections,
                core=LOAD_CORE,
                script=script,
            ).row()
            log(
                f"  {label}: {result['rps']:.0f} req/s, p50 {result['p50_ms']} ms, "
                f"p99 {result['p99_ms']} ms ({result['requests']} requests, "
                f"{result['errors']} errors)"
            )
            return result

        # Import everything in every worker before the clock: a few requests.
        for _ in range(4 * args.workers):
            get(ours + urls["api"])
            get(ours + urls["feed"])
            get(oob + urls["oob"])
        results: dict = {
            "args": vars(args),
            "database": "PostgreSQL" if postgres else "SQLite",
            "articles": data,
            "queries": queries,
            "urls": {
                k: v for k, v in urls.items() if k not in ("page_cold", "feed_cold")
            },
            "bytes": {name: len(body) for name, body in bodies.items()},
            "feed_cold_urls": len(urls["feed_cold"]),
            "page_cold_urls": len(urls["page_cold"]),
        }
        # Cold is a miss and warm a hit: checked, not assumed.
        cache.flushdb()
        probe = ours + urls["api_cold_pattern"] % 999_999
        states = [
            cache_state(probe),
            cache_state(probe),
            cache_state(ours + urls["feed"]),
        ]
        results["cache_check"] = states
        if states != ["miss", "hit", "miss"]:
            log(f"NOTE: the response cache answered {states}, not miss, hit, miss")
        log("cold (cache flushed before each run):")
        runs: dict = {}
        cache.flushdb()
        runs["api_cold"] = load(
            "API listing",
            ours + "/",
            lua_counter(tmp / "api_cold.lua", urls["api_cold_pattern"]),
        )
        cache.flushdb()
        runs["feed_cold"] = load(
            "Atom feed", ours + "/", lua_paths(tmp / "feed_cold.lua", urls["feed_cold"])
        )
        cache.flushdb()
        runs["page_cold"] = load(
            "article page",
            ours + "/",
            lua_paths(tmp / "page_cold.lua", urls["page_cold"]),
        )
        log("warm (the URL asked once before):")
        for name in ("api", "feed", "page"):
            get(ours + urls[name])
        runs["api_warm"] = load("API listing", ours + urls["api"])
        runs["feed_warm"] = load("Atom feed", ours + urls["feed"])
        runs["page_warm"] = load("article page", ours + urls["page"])
        log("Wagtail API v2 out of the box (no cache):")
        runs["oob"] = load("pages listing", oob + urls["oob"])
        log("nginx, the same bytes:")
        runs["nginx_api"] = load("api.json", static + "/api.json")
        runs["nginx_feed"] = load("feed.xml", static + "/feed.xml")
        runs["nginx_page"] = load("page.html", static + "/page.html")
        results["runs"] = runs
        results["oob_bytes"] = len(oob_body)
        results["setup_and_run_s"] = time.perf_counter() - started
        return results
    finally:
        servers.stop()
        cache.flushdb()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if postgres:
            postgres.drop()


def report(results: dict) -> None:
    runs = results["runs"]
    args = results["args"]
    print()
    print(
        f"bench-api: {results['articles']['articles']} articles "
        f"(made in {results['articles']['create_s']:.0f} s), {results['database']}, "
        f"gunicorn {args['workers']} sync workers on core {SERVER_CORE}, "
        f"wrk -t1 -c{args['connections']} -d{args['duration']:g}s on core {LOAD_CORE}"
    )
    print(
        f"queries per API listing: {results['queries'][5]} (5 articles), "
        f"{results['queries'][20]} (20 articles)"
        + (
            "  -- no N+1"
            if results["queries"][5] == results["queries"][20]
            else "  -- N+1!"
        )
    )
    print(
        "queries' own time, cold listing of 20: "
        f"{results['queries']['total_ms']:.1f} ms; slowest:"
    )
    for ms, sql in results["queries"]["slowest"]:
        print(f"  {ms:7.1f} ms  {sql}")
    print(f"cache check (cold URL twice, then the feed): {results['cache_check']}")
    print()
    print(f"{'':34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    labels = {
        "api_cold": "API listing, cold",
        "api_warm": "API listing, warm",
        "feed_cold": f"Atom feed, cold ({results['feed_cold_urls']} URLs)",
        "feed_warm": "Atom feed, warm",
        "page_cold": f"article page, cold ({results['page_cold_urls']} URLs)",
        "page_warm": "article page, warm",
        "oob": "Wagtail API v2 out of the box",
        "nginx_api": f"nginx api.json ({results['bytes']['api.json']} B)",
        "nginx_feed": f"nginx feed.xml ({results['bytes']['feed.xml']} B)",
        "nginx_page": f"nginx page.html ({results['bytes']['page.html']} B)",
    }
    for key, label in labels.items():
        r = runs[key]
        print(
            f"{label:34} {r['rps']:9.0f} {r['p50_ms']:9.2f} {r['p99_ms']:9.2f} "
            f"{r['errors']:7d}"
        )
    oob = runs["oob"]["rps"]
    warm = runs["api_warm"]["rps"] / oob
    cold = runs["api_cold"]["rps"] / oob
    shares = {
        name: runs[f"{name}_warm"]["rps"] / runs[f"nginx_{name}"]["rps"]
        for name in ("api", "feed", "page")
    }
    print()
    print(
        f"API vs Wagtail out of the box: warm {warm:.1f}x (target {TARGET_WARM:g}x: "
        f"{'met' if warm >= TARGET_WARM else 'NOT met'}), cold {cold:.1f}x "
        f"(target {TARGET_COLD:g}x: {'met' if cold >= TARGET_COLD else 'NOT met'})"
    )
    print(
        "warm, share of nginx: "
        + ", ".join(f"{name} {share:.2%}" for name, share in shares.items())
    )
    errors = sum(r["errors"] for r in runs.values())
    if errors:
        print(f"NOTE: {errors} answers were errors (non-2xx/3xx or socket errors)")
    print(
        json.dumps(
            {
                "api_rps_warm": round(runs["api_warm"]["rps"], 1),
                "api_rps_cold": round(runs["api_cold"]["rps"], 1),
                "feed_rps_warm": round(runs["feed_warm"]["rps"], 1),
                "page_rps_warm": round(runs["page_warm"]["rps"], 1),
                "ratio_vs_wagtail_warm": round(warm, 2),
                "ratio_vs_wagtail_cold": round(cold, 2),
                "share_of_nginx": round(min(shares.values()), 5),
            }
        ),
        flush=True,
    )


def main() -> None:
    args = arguments()
    bench_main(
        prefix="tsunagu-bench-api-",
        describe=lambda tmp: (
            f"bench-api: {args.articles} articles, {args.connections} connections, "
            f"{args.duration:g} s per run, temporary files in {tmp}"
        ),
        run=lambda tmp: run(args, tmp),
        report=report,
        keep=args.keep,
    )


if __name__ == "__main__":
    main()
