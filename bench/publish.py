"""`make bench-publish`: 500 articles published, every delivery done exactly
once while workers are killed.

What runs (everything is started here and stopped at the end):

- Tsunagu on a fresh database (a temporary SQLite file, or a temporary
  PostgreSQL database with --postgres) with production's settings, the
  outbox's channels pointed at local fakes, caps off: X (tests/fakes/
  x_server.py, through tweepy), two partners' webhook endpoints
  (tests/fakes/webhook_receiver.py), the website channel's WebSub hub
  (tests/feeds/hub.py), and Mailchimp (tests/fakes/mailchimp_server.py) for
  the issue.
- N `manage.py db_worker` processes as deployed; this process publishes the
  articles and runs the outbox's sweep every second (what the scheduler's
  outbox_sweep job does every 30 s), with a 5-second lease so that a killed
  worker's deliveries come back quickly.
- Twice, at random moments while deliveries are running (during the
  publishing or after it), a worker is killed (SIGKILL) and a new one
  started.

Measured: per channel, the time from an article's publication to its
delivery done (median and 95th percentile) and deliveries per second over
the whole run; then the week's issue of those articles composed and sent
as one Mailchimp campaign, timed. Duplicates and losses are counted on the
fakes' side: X posts per text, Mailchimp sends per campaign, webhook events
per delivery id (partners de-duplicate by it; how often one arrived more
than once is printed apart), and deliveries never done.

The last line is one JSON object: p50_s, p95_s (the worst channel),
deliveries_per_s, digest_s, duplicates, lost.
"""

import argparse
import json
import os
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ingest import (  # noqa: E402
    DEFAULT_POSTGRES,
    Postgres,
    django_env_base,
    finish,
    manage,
)
from bench.report import bench_main, log  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--partners", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES,
        default=None,
        help="a PostgreSQL server to make a temporary database on",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if args.articles < 1 or args.workers < 1:
        parser.error("--articles and --workers must be at least 1")
    return args


def publish_env(tmp: Path, db_url: str, fakes: dict) -> dict:
    x, receivers, hub, mailchimp = (
        fakes["x"],
        fakes["receivers"],
        fakes["hub"],
        fakes["mailchimp"],
    )
    credentials = x.credentials
    env = django_env_base(tmp, db_url)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        SECURE_SSL_REDIRECT="0",
        TSUNAGU_BASE_URL="http://127.0.0.1:8000",
        X_CONSUMER_KEY=credentials.consumer_key,
        X_CONSUMER_SECRET=credentials.consumer_secret,
        X_ACCESS_TOKEN=credentials.access_token,
        X_ACCESS_TOKEN_SECRET=credentials.access_token_secret,
        X_API_URL=x.url,
        X_LOCALES="ja",
        X_TIMEOUT_SECONDS="10",
        X_DAILY_CAP=str(10**9),
        X_MONTHLY_CAP=str(10**9),
        WEBSUB_HUB_URL=hub.url,
        SAFEHTTP_ALLOW=",".join([hub.address, *(r.address for r in receivers)]),
        MAILCHIMP_API_KEY=mailchimp.api_key,
        MAILCHIMP_LIST_ID=mailchimp.list_id,
        MAILCHIMP_API_URL=mailchimp.api_url,
        MAILCHIMP_WEBHOOK_SECRET=secrets.token_urlsafe(16),
        NEWSLETTER_FROM_EMAIL="newsletter@tsunagu.example.jp",
        OUTBOX_LEASE_SECONDS="5",
        OUTBOX_REQUEUE_AFTER_SECONDS="10",
        OUTBOX_RETRY_BASE_SECONDS="1",
        OUTBOX_MAX_ATTEMPTS="20",
    )
    return env


def run(args: argparse.Namespace, tmp: Path) -> dict:
    from tests.fakes.mailchimp_server import MailchimpServer
    from tests.fakes.webhook_receiver import WebhookReceiver
    from tests.fakes.x_server import XServer
    from tests.feeds.hub import LocalHub

    rng = random.Random(args.seed)  # noqa: S311 - when to kill, not secrets
    started = time.perf_counter()
    x = XServer().start()
    x.window_limits = {key: 10**9 for key in x.window_limits}
    x.app_day_limit = None
    receivers = [WebhookReceiver().start() for _ in range(args.partners)]
    hub = LocalHub().start()
    mailchimp = MailchimpServer().start()
    fakes = {"x": x, "receivers": receivers, "hub": hub, "mailchimp": mailchimp}
    postgres, workers = None, []
    try:
        postgres = Postgres(args.postgres) if args.postgres else None
        db_url = postgres.url if postgres else f"sqlite:///{tmp / 'tsunagu.sqlite3'}"
        env = publish_env(tmp, db_url, fakes)
        log(f"database: {'PostgreSQL' if postgres else 'SQLite'}, migrating ...")
        finish(manage(env, "migrate", "--noinput"), "manage.py migrate")
        finish(manage(env, "newsroom_setup"), "manage.py newsroom_setup")
        os.environ.update(env)
        import django

        django.setup()
        from bench import publish_run as steps
        from bench.translation_workers import Worker

        steps.partners_register(receivers)
        workers = [Worker(n, env, tmp) for n in range(args.workers)]
        log(f"set up in {time.perf_counter() - started:.0f} s")
        killer = steps.Killer(
            workers,
            env,
            tmp,
            kills=args.kills,
            rng=rng,
            expected_total=(2 + args.partners) * args.articles,
        )
        published = steps.articles_publish(args.articles, workers, killer)
        kills = steps.deliveries_wait(workers, killer)
        deliveries = steps.delivery_times(published)
        digest = steps.digest_run(workers)
        counted = steps.fakes_count(fakes, published, digest)
        return {
            "args": vars(args),
            "database": "PostgreSQL" if postgres else "SQLite",
            "articles": len(published["ids"]),
            "publish_s": published["seconds"],
            "kills": kills,
            "deliveries": deliveries,
            "digest": digest,
            "counted": counted,
            "setup_and_run_s": time.perf_counter() - started,
        }
    finally:
        for worker in workers:
            worker.stop()
        x.stop()
        for receiver in receivers:
            receiver.stop()
        hub.stop()
        mailchimp.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if postgres:
            postgres.drop()


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def report(results: dict) -> None:
    deliveries = results["deliveries"]
    print(
        f"bench-publish: {results['articles']} articles on {results['database']}, "
        f"{results['args']['workers']} workers, {len(results['kills'])} killed "
        f"(at {', '.join(f'{k:.1f} s' for k in results['kills']) or '-'} from the "
        "first publication), "
        f"published in {results['publish_s']:.1f} s"
    )
    print()
    print(f"{'channel':<12}{'deliveries':>11}{'p50 s':>9}{'p95 s':>9}{'per s':>9}")
    worst50 = worst95 = 0.0
    for channel, row in sorted(deliveries["channels"].items()):
        p50 = statistics.median(row["latencies"]) if row["latencies"] else 0.0
        p95 = _quantile(row["latencies"], 0.95)
        worst50, worst95 = max(worst50, p50), max(worst95, p95)
        print(
            f"{channel:<12}{row['done']:>11}{p50:>9.2f}{p95:>9.2f}"
            f"{row['done'] / deliveries['span_s']:>9.1f}"
        )
    total = deliveries["done"]
    per_s = total / deliveries["span_s"] if deliveries["span_s"] else 0.0
    print(f"{'all':<12}{total:>11}{'':>9}{'':>9}{per_s:>9.1f}")
    digest = results["digest"]
    print()
    print(
        f"digest: {digest['articles']} articles in {digest['sections']} sections, "
        f"composed in {digest['compose_s']:.1f} s, sent in {digest['send_s']:.1f} s "
        f"(campaign {digest['campaign']}, state {digest['state']})"
    )
    if digest["error"]:
        print(f"  its last error: {digest['error']}")
    counted = results["counted"]
    print()
    print("counted on the fakes' side:")
    for name, value in counted["detail"].items():
        print(f"  {name}: {value}")
    print(
        f"duplicates: {counted['duplicates']} (target 0), lost: {counted['lost']} "
        "(target 0)"
    )
    print(
        json.dumps(
            {
                "p50_s": round(worst50, 3),
                "p95_s": round(worst95, 3),
                "deliveries_per_s": round(per_s, 2),
                "digest_s": round(digest["compose_s"] + digest["send_s"], 2),
                "duplicates": counted["duplicates"],
                "lost": counted["lost"],
            }
        )
    )


def main() -> None:
    args = arguments()
    bench_main(
        prefix="tsunagu-bench-publish-",
        describe=lambda tmp: (
            f"bench-publish: {args.articles} articles, {args.workers} db_worker "
            f"processes, {args.kills} killed, temporary files in {tmp}"
        ),
        run=lambda tmp: run(args, tmp),
        report=report,
        keep=args.keep,
    )


if __name__ == "__main__":
    main()
