"""The report of `make bench-translation` (stdout), its last line one JSON
object."""

import json

TARGET_ROUND2_SHARE = 0.15
MAX_TEXTS = 50  # DeepL's limits per /v2/translate request
MAX_BYTES = 128 * 1024


def _row(label: str, cells: list[str]) -> str:
    return f"{label:<40}" + "".join(f"{cell:>16}" for cell in cells)


def _per_article(seconds: float, articles: int) -> float:
    return 1000 * seconds / articles if articles else 0.0


def report(results: dict) -> None:
    args = results["args"]
    rounds = results["rounds"]
    print()
    print(
        f"Translation into Japanese through the local DeepL server: "
        f"{args['articles']} articles from {results['texts']} corpus texts "
        f"({', '.join(results['locales'])}), {results['paragraphs']} paragraphs; "
        f"{args['workers']} db_worker process(es); {results['database']}."
    )
    if results["copies"] > 1:
        print(
            f"Fewer usable texts than articles: each text is used up to "
            f"{results['copies']} times, copy n > 1 with '[n] ' before its title, "
            "summary and every paragraph, so that no two articles share a string."
        )
    glossary = results["glossary"]
    print(
        f"Glossary: {glossary['terms']} terms, version {glossary['version']}, "
        + (
            f"with the service for {', '.join(glossary['languages'])} (sent "
            "before round 1)."
            if glossary["remote_id"]
            else "none with the service."
        )
    )
    print()
    print(_row("", ["round 1", "round 2", "round 3"]))
    print(
        _row(
            "",
            [
                "new drafts",
                f"{args['edit_share']:.0%} edited",
                "other office",
            ],
        )
    )
    rows = [
        ("articles", lambda r: f"{r['articles']}"),
        ("translation jobs", lambda r: f"{r['jobs']}"),
        (
            "translate_job tasks (that found no work)",
            lambda r: f"{r['tasks']} ({r['idle_tasks']})",
        ),
        ("strings in the jobs", lambda r: f"{r['segments']}"),
        ("  found in translation memory", lambda r: f"{r['from_memory']}"),
        (
            "strings sent (server / ledger)",
            lambda r: f"{r['server_texts']} / {r['ledger_texts']}",
        ),
        ("characters billed, ledger", lambda r: f"{r['ledger_chars']:,}"),
        ("characters billed, server's count", lambda r: f"{r['server_chars']:,}"),
        ("requests to /v2/translate", lambda r: f"{r['requests']}"),
        (f"  most texts in one (limit {MAX_TEXTS})", lambda r: f"{r['max_texts']}"),
        (
            f"  largest body, bytes (limit {MAX_BYTES:,})",
            lambda r: f"{r['max_bytes']:,}",
        ),
        ("wall time, s", lambda r: f"{r['wall']:.1f}"),
        ("ms per article", lambda r: f"{_per_article(r['wall'], r['articles']):.0f}"),
        (
            "workers' CPU ms per article",
            lambda r: f"{_per_article(r['cpu'], r['articles']):.0f}",
        ),
        (
            "then the index tasks left, s",
            lambda r: f"{r['drain']:.1f}",
        ),
        (
            "  ms per article with them",
            lambda r: f"{_per_article(r['wall'] + r['drain'], r['articles']):.0f}",
        ),
        (
            "jobs done / not done",
            lambda r: (
                f"{r['states'].get('done', 0)} / "
                f"{r['jobs'] - r['states'].get('done', 0)}"
            ),
        ),
    ]
    for label, cell in rows:
        print(_row(label, [cell(r) for r in rounds]))
    print(
        "  (The clock of a round runs from the commit of its drafts to its last "
        "job done; saving the drafts took "
        + ", ".join(f"{r['saved_in']:.1f}" for r in rounds)
        + " s, not counted; the Revision signal's requests that follow the commit "
        "(a job row and a task per article, in the saving process, while the "
        "worker starts) took "
        + ", ".join(f"{r['asked_in']:.1f}" for r in rounds)
        + " s, counted.)"
    )

    print(
        "  Tasks the round's saves and jobs enqueued, all run before the next "
        "round (the queue's started/finished times; the rest of the workers' "
        "time went to taking tasks, storing results and polling):"
    )
    for number, r in enumerate(rounds, 1):
        queue = r["queue"]
        busy = sum(kind["seconds"] for kind in queue.values())
        waiting = sum(kind["waiting"] for kind in queue.values())
        print(
            f"    round {number}: "
            + ", ".join(
                f"{name} {kind['run']} ({kind['seconds']:.1f} s)"
                for name, kind in sorted(
                    queue.items(), key=lambda item: -item[1]["seconds"]
                )
            )
            + f"; outside tasks "
            f"{args['workers'] * (r['wall'] + r['drain']) - busy:.1f} s"
            + (f"; {waiting} not run" if waiting else "")
        )
    print("  Time of a translate_job task (the worker's own clock):")
    for number, r in enumerate(rounds, 1):
        median, *slowest = r["slowest"]
        print(
            f"    round {number}: median {median['median']:.2f} s; slowest "
            + "; ".join(
                f"{job['seconds']:.1f} s ({job['strings']} strings in the page, "
                f"{job['sent']} sent: {job['title'][:30]!r})"
                for job in slowest
            )
        )

    print()
    problems = []
    for number, r in enumerate(rounds, 1):
        if r["ledger_chars"] != r["server_chars"]:
            problems.append(
                f"round {number}: the ledger says {r['ledger_chars']:,} characters, "
                f"the server counted {r['server_chars']:,}"
            )
        if r["billed_jobs"] != r["ledger_chars"]:
            problems.append(
                f"round {number}: the jobs say {r['billed_jobs']:,} characters, "
                f"the ledger {r['ledger_chars']:,}"
            )
        if r["server_texts"] != r["ledger_texts"]:
            problems.append(
                f"round {number}: {r['server_texts']} strings reached the server, "
                f"the ledger has {r['ledger_texts']}"
            )
        if r["pages_without_job"] or r["pages_with_two_jobs"] or r["other_pages_jobs"]:
            problems.append(
                f"round {number}: {r['pages_without_job']} articles without a job, "
                f"{r['pages_with_two_jobs']} with two or more, "
                f"{r['other_pages_jobs']} jobs for other pages"
            )
        if r["tasks"] != r["jobs"]:
            problems.append(
                f"round {number}: {r['tasks']} translate_job tasks for "
                f"{r['jobs']} jobs ({r['idle_tasks']} found nothing to do)"
            )
        if r["max_texts"] > MAX_TEXTS or r["max_bytes"] > MAX_BYTES:
            problems.append(f"round {number}: a request went over DeepL's limits")
        refused = {s: n for s, n in r["request_statuses"].items() if s != 200}
        if refused:
            problems.append(f"round {number}: requests answered {refused}")
        for error in r["errors"]:
            problems.append(f"round {number}: a job says: {error}")
    arrived, edited = results["edits_arrived"]
    japanese = results["japanese"]
    made = japanese.get("machine_translated", 0)
    sources = sum(japanese.values())
    others = {k: v for k, v in japanese.items() if k != "machine_translated" and v}
    print(
        f"Checks: one job per saved article in every round, started by the "
        f"Revision signal alone; ledger, jobs and server agree on characters and "
        f"strings: {'yes' if not problems else 'NO'}. Japanese drafts "
        f"machine-translated: {made} of {sources} articles"
        + (f" (others: {others})" if others else "")
        + f"; every edit in its Japanese draft: {arrived} of {edited} edited articles."
    )
    for problem in problems:
        print(f"  {problem}")
    if rounds[2]["ledger_chars"]:
        print("  Round 3 sent strings that the memory should have held, e.g.:")
        for text in rounds[2]["billed_samples"]:
            print(f"    {text[:100]!r}")

    one, two, three = (r["ledger_chars"] for r in rounds)
    share = two / one if one else 0.0
    met_two = one > 0 and share <= TARGET_ROUND2_SHARE
    met_three = three == 0
    ms_per_article = _per_article(rounds[0]["wall"], rounds[0]["articles"])
    print()
    print(
        f"Targets: round 2 bills at most {TARGET_ROUND2_SHARE:.0%} of round 1: "
        f"{'met' if met_two else 'NOT met'} ({share:.1%}; "
        f"{results['edited_paragraphs']} of {results['paragraphs']} paragraphs "
        f"edited in {rounds[1]['articles']} "
        f"articles); round 3 bills nothing: {'met' if met_three else 'NOT met'} "
        f"({three:,} characters). ms_per_article is round 1's (the first "
        f"translation of each article). Whole run {results['setup_and_run_s']:.0f} s."
    )
    print(
        json.dumps(
            {
                "round1_chars": one,
                "round2_chars": two,
                "round3_chars": three,
                "ms_per_article": round(ms_per_article, 1),
            }
        )
    )
