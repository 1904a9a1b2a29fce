"""`make bench-translation`: machine translation into Japanese, three rounds.

What runs (everything is started here and stopped at the end):

- The local DeepL API server (tests/fakes/deepl_server.py), in this process,
  on 127.0.0.1 and a free port, with a key of its own. It counts the
  characters it bills and records every request.
- Tsunagu: a fresh database (a temporary SQLite file, or a temporary
  PostgreSQL database with --postgres), `manage.py migrate` and
  `manage.py newsroom_setup`, production's settings with the DeepL backend
  pointed at that server (DEEPL_AUTH_KEY, DEEPL_SERVER_URL) and a budget
  the rounds cannot reach. W `manage.py db_worker` processes (one per two
  cores, as the README deploys them) run the translation jobs from the task
  queue, as in production. This process sets Django up too: it saves the
  drafts and reads the ledger.

The articles are corpus main texts (bench/translation_corpus.py): the
`truth/` texts of the corpus's article pages in a language we have a tree
for, one paragraph per line. There are fewer than 200, so they are reused:
copy n > 1 of a text has "[n] " before its title, summary and every
paragraph (the translation memory works paragraph by paragraph, so one
numbered paragraph would leave the others as repeats, billed once).

- Round 1: the articles are saved as drafts (as the scrapers save them) in
  the section of an office that works in their language; each draft asks for
  its Japanese translation by itself (the Revision signal, on commit).
- Round 2: 10% of all paragraphs (a fixed seed; each article's share in
  proportion to its paragraphs) get an edit, and a new revision is saved.
- Round 3: the same texts again as new drafts, each in another office's
  section of the same tree (created here, not through the scrapers'
  de-duplication, which would have refused them).

A round's clock starts when its changes are committed and stops when its
last job is done; ms_per_article is round 1's wall time over its articles.
Then the queue is left to empty (Wagtail's search and reference index tasks
that the saves enqueued, timed apart) before the next round starts.
Characters billed come from the ledger (UsageRecord) and from the server's
own count, which must agree.

Output: progress on stderr, the report on stdout, and last one line of JSON:
round1_chars, round2_chars, round3_chars, ms_per_article.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import DEFAULT_CORPUS  # noqa: E402
from bench.ingest import (  # noqa: E402
    DEFAULT_POSTGRES,
    Postgres,
    django_env_base,
    finish,
    manage,
)
from bench.report import bench_main, log  # noqa: E402
from bench.translation_corpus import (  # noqa: E402
    articles_plan,
    corpus_texts,
    edits_plan,
)
from bench.translation_report import report  # noqa: E402
from tests.fakes.deepl_server import DeepLServer  # noqa: E402

# Far above what three rounds bill: the budget must not stop a job.
BUDGET_CHARACTERS = 1_000_000_000


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument(
        "--edit-share",
        type=float,
        default=0.10,
        help="share of all paragraphs edited in round 2",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=max(1, (os.cpu_count() or 1) // 2),
        help="db_worker processes (default: one per two cores)",
    )
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=DEFAULT_POSTGRES,
        help=f"use a temporary PostgreSQL database on this server ({DEFAULT_POSTGRES})",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if not 0 < args.edit_share <= 1:
        parser.error("--edit-share must be in (0, 1]")
    return args


def translation_env(tmp: Path, db_url: str, server: DeepLServer) -> dict:
    env = django_env_base(tmp, db_url)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        TRANSLATION_BACKEND="deepl",
        DEEPL_AUTH_KEY=server.auth_key,
        DEEPL_SERVER_URL=server.url,
        TRANSLATION_MONTHLY_BUDGET_CHARACTERS=str(BUDGET_CHARACTERS),
    )
    return env


def run(args: argparse.Namespace, tmp: Path) -> dict:
    started = time.perf_counter()
    texts, notes = corpus_texts(args.corpus)
    for note in notes:
        log(f"corpus: {note}")
    if not texts:
        raise SystemExit(f"No usable text in {args.corpus}.")
    planned = articles_plan(texts, args.articles)
    edits = edits_plan(planned, args.edit_share)
    copies = max(article.copy for article in planned)
    if copies > 1:
        log(
            f"corpus: {len(texts)} usable texts for {args.articles} articles: "
            f"each used up to {copies} times, copies 2 and on marked '[n] '"
        )
    server = DeepLServer(auth_key=secrets.token_hex(16)).start()
    postgres, workers = None, []
    try:
        postgres = Postgres(args.postgres) if args.postgres else None
        db_url = postgres.url if postgres else f"sqlite:///{tmp / 'tsunagu.sqlite3'}"
        env = translation_env(tmp, db_url, server)
        log(f"database: {'PostgreSQL' if postgres else 'SQLite'}, migrating ...")
        finish(manage(env, "migrate", "--noinput"), "manage.py migrate")
        finish(manage(env, "newsroom_setup"), "manage.py newsroom_setup")

        os.environ.update(env)
        import django

        django.setup()
        from bench import translation_rounds as rounds
        from bench.translation_workers import Worker, glossary_ready, workers_ready

        workers = [Worker(n, env, tmp) for n in range(args.workers)]
        workers_ready(workers)
        glossary = glossary_ready(workers)
        log(f"set up in {time.perf_counter() - started:.0f} s")

        one = rounds.round_run(
            "round 1",
            lambda: rounds.drafts_create(planned, other_office=False),
            server,
            workers,
        )
        originals = one["page_ids"]
        two = rounds.round_run(
            "round 2",
            lambda: rounds.drafts_edit(planned, originals, edits),
            server,
            workers,
        )
        three = rounds.round_run(
            "round 3",
            lambda: rounds.drafts_create(planned, other_office=True),
            server,
            workers,
        )
        return {
            "args": vars(args) | {"corpus": str(args.corpus)},
            "database": "PostgreSQL" if postgres else "SQLite",
            "texts": len(texts),
            "copies": copies,
            "locales": sorted({article.text.locale for article in planned}),
            "paragraphs": sum(len(article.text.paragraphs) for article in planned),
            "edited_paragraphs": sum(map(len, edits.values())),
            "glossary": glossary,
            "rounds": [one, two, three],
            "edits_arrived": rounds.edits_arrived(planned, originals, edits),
            "japanese": rounds.translations_made(originals + three["page_ids"]),
            "setup_and_run_s": time.perf_counter() - started,
        }
    finally:
        for worker in workers:
            worker.stop()
        server.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if postgres:
            postgres.drop()


def main() -> None:
    args = arguments()
    bench_main(
        prefix="tsunagu-bench-translation-",
        describe=lambda tmp: (
            f"bench-translation: {args.articles} articles into Japanese, "
            f"{args.edit_share:.0%} of the paragraphs edited, {args.workers} "
            f"db_worker process(es), temporary files in {tmp}"
        ),
        run=lambda tmp: run(args, tmp),
        report=report,
        keep=args.keep,
    )


if __name__ == "__main__":
    main()
