"""Progress lines while the benchmark runs, and its report at the end."""

import json
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

TARGET_RATIO = 2.0
TARGET_PEAK_MB = 300.0


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class Progress:
    """A line on stderr at each tenth of the work."""

    def __init__(self, label: str, total: int, unit: str) -> None:
        self.label, self.total, self.unit = label, total, unit
        self.done, self.tenth = 0, 1
        self.started = time.perf_counter()
        log(f"{label}: {total} {unit}")

    def add(self, count: int) -> None:
        self.done += count
        reached = min(10 * self.done // max(self.total, 1), 10)
        if reached >= self.tenth:
            elapsed = time.perf_counter() - self.started
            log(
                f"  {self.label}: {reached * 10:3d}% "
                f"({self.done}/{self.total} {self.unit}, {elapsed:.1f} s)"
            )
            self.tenth = reached + 1


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    mean, median = statistics.fmean(values), statistics.median(values)
    return f"{1000 * mean:.1f} / {1000 * median:.1f}"


def ours(outcome: dict) -> dict:
    records = [r for worker in outcome["workers"] for r in worker["records"]]
    cpu = sum(worker["cpu"] for worker in outcome["workers"])
    statuses = Counter(str(r["status"] or r["result"]) for r in records)
    wall = outcome["wall"]
    return {
        "records": records,
        "sources": len(records),
        "wall": wall,
        "sources_per_s": len(records) / wall,
        "items": sum(r["new"] for r in records),
        "items_per_s": sum(r["new"] for r in records) / wall,
        "updated": sum(r["updated"] for r in records),
        "statuses": statuses,
        "failed": [
            r for r in records if r["result"] in ("failed", "deferred", "skipped")
        ],
        "cpu": cpu,
        "thread_cpu": sum(r["cpu"] for r in records),
        "server_cpu": outcome["server_cpu"],
        "min_gap": outcome["min_gap"],
    }


def baseline(outcome: dict) -> dict:
    counts = outcome["counts"]
    sources = sum(counts.values())
    wall = outcome["wall_outer"]
    return {
        "sources": sources,
        "wall": wall,
        "sources_per_s": sources / wall,
        "items": outcome["new"],
        "items_per_s": outcome["new"] / wall,
        "statuses": Counter(
            {
                "200": counts["updated"],
                "304": counts["not_modified"],
                "err": counts["error"],
            }
        ),
        "cpu": outcome["cpu"],
        "server_cpu": outcome["server_cpu"],
        "min_gap": outcome["min_gap"],
    }


def _breakdown(name: str, records: list[dict]) -> list[str]:
    if not records:
        return [f"  {name:<28} (none)"]
    other = [r["cpu"] - r["parse"] - r["store"] - r["get"] for r in records]
    cells = [
        _ms([r["cpu"] for r in records]),
        _ms([r["parse"] for r in records]),
        _ms([r["store"] for r in records]),
        _ms([r["get"] for r in records]),
        _ms(other),
    ]
    return [f"  {name:<28}" + "".join(f"{cell:>15}" for cell in cells)]


def _row(label: str, cells: list[str]) -> str:
    return f"{label:<34}" + "".join(f"{cell:>14}" for cell in cells)


def report(results: dict) -> None:
    args = results["args"]
    o1, o2 = ours(results["ours_1"]), ours(results["ours_2"])
    r1, r2 = baseline(results["reader_1"]), baseline(results["reader_2"])
    ratios = [
        o1["sources_per_s"] / r1["sources_per_s"],
        o2["sources_per_s"] / r2["sources_per_s"],
    ]
    low = 0 if ratios[0] <= ratios[1] else 1
    changed = results["ours_2"]["changed_ids"]
    threads = args["workers"] // args["processes"]
    database = (
        "PostgreSQL (its server's CPU and memory are not counted)"
        if args["postgres"]
        else "SQLite"
    )

    parse_processes = args.get("parse_processes") or 0
    parse_note = (
        f", each with {parse_processes} parse process(es)" if parse_processes else ""
    )
    print()
    print(
        f"Ingest: Tsunagu vs reader {results['reader_version']}; {args['sources']} "
        f"sources on {args['hosts']} hosts; N = {args['workers']} requests in flight "
        f"(Tsunagu: {args['processes']} processes x {threads} threads"
        f"{parse_note}, batches of "
        f"{args['batch_size']}; reader: workers={args['workers']}); "
        f"{args['delay']:g} s between two requests to a host; {database}."
    )
    print()
    print(_row("", ["round 1", "(all new)", "round 2", "(80% 304)"]))
    print(_row("", ["Tsunagu", "reader", "Tsunagu", "reader"]))
    rows = [
        ("wall time, s", lambda s: f"{s['wall']:.1f}"),
        ("sources per second", lambda s: f"{s['sources_per_s']:.1f}"),
        ("new items stored", lambda s: f"{s['items']}"),
        ("items per second", lambda s: f"{s['items_per_s']:.0f}"),
        (
            "answers 200/304/other",
            lambda s: "{}/{}/{}".format(
                s["statuses"].get("200", 0),
                s["statuses"].get("304", 0),
                s["sources"]
                - s["statuses"].get("200", 0)
                - s["statuses"].get("304", 0),
            ),
        ),
        ("CPU s, processes under test", lambda s: f"{s['cpu']:.1f}"),
        ("CPU ms per source", lambda s: f"{1000 * s['cpu'] / s['sources']:.1f}"),
        ("feed servers' CPU s (not counted)", lambda s: f"{s['server_cpu']:.1f}"),
        (
            "shortest gap at one host, s",
            lambda s: "-" if s["min_gap"] is None else f"{s['min_gap']:.3f}",
        ),
    ]
    for label, cell in rows:
        print(_row(label, [cell(o1), cell(r1), cell(o2), cell(r2)]))
    print(
        _row(
            "ratio, sources per second",
            ["", f"{ratios[0]:.2f}x", "", f"{ratios[1]:.2f}x"],
        )
    )

    print()
    print(
        "Tsunagu CPU per source (ms, mean / median), measured in the thread that "
        "fetched it"
        + (
            " (parsing runs in the parse processes: its CPU is in the totals "
            "above, not in this table's parse column, which is the thread's "
            "side of the pipe):"
            if parse_processes
            else ":"
        )
    )
    print(
        f"  {'':<28}"
        + "".join(
            f"{h:>15}" for h in ("total", "parse", "store", "HTTP+polite", "other")
        )
    )
    lines = _breakdown(
        "round 1, new feed (200)", [r for r in o1["records"] if r["status"] == 200]
    )
    lines += _breakdown(
        "round 2, 304", [r for r in o2["records"] if r["status"] == 304]
    )
    lines += _breakdown(
        "round 2, changed feed (200)",
        [r for r in o2["records"] if r["status"] == 200 and r["id"] in changed],
    )
    print("\n".join(lines))
    print(
        "  Off-CPU time per source (ms, mean): waiting for the host's turn, the "
        "database's lock, the GIL or the network."
    )
    for label, s in (("round 1", o1), ("round 2", o2)):
        records = s["records"]

        def off(key: str, records: list[dict] = records) -> float:
            wall = key + "_wall" if key else "wall"
            cpu = key or "cpu"
            return 1000 * statistics.fmean(r[wall] - r[cpu] for r in records)

        share = s["thread_cpu"] / s["cpu"] if s["cpu"] else 0
        print(
            f"  {label}: {off(''):.0f} in all, {off('get'):.0f} in polite_get, "
            f"{off('store'):.0f} in storing (items_prepare + items_save); "
            f"the fetching threads did {share:.0%} of the workers' CPU."
        )
    if not args["postgres"]:
        print(
            "  SQLite has one writer at a time; items_save runs inside the "
            "fetch's transaction (BEGIN IMMEDIATE):"
        )
        for label, s in (("round 1", o1), ("round 2", o2)):
            held = sum(r.get("save_wall", 0.0) for r in s["records"])
            print(
                f"  {label}: items_save held the write lock {held:.1f} s of the "
                f"round's {s['wall']:.1f} s ({held / s['wall']:.0%})."
            )
    for label, s in (("round 1", o1), ("round 2", o2)):
        for record in s["failed"][:5]:
            what = f"source {record['id']} {record['result']}"
            print(f"  {label}: {what}: {record['error']}")
        if len(s["failed"]) > 5:
            print(f"  {label}: ... {len(s['failed'])} sources not fetched in all")

    states = results["item_states"]
    duplicates = states.get("duplicate", 0)
    print(
        f"  Items stored by Tsunagu: {sum(states.values())}, of which {duplicates} "
        f"({duplicates / max(sum(states.values()), 1):.0%}) were taken for "
        "duplicates of another source's item (copies of one long corpus text "
        "differ by a few words; reader keeps them all)."
    )

    for label, key in (("round 1", "reader_1"), ("round 2", "reader_2")):
        errors = Counter(
            (url.rsplit("/", 1)[-1], message)
            for url, message in results[key].get("errors", [])
        )
        for (feed, message), count in errors.most_common(6):
            print(f"  reader {label}, {count} x {feed}: {message}")

    drafts_per_s = 0.0
    if "drafts" in results:
        d = results["drafts"]
        made = sum(worker["drafts"] for worker in d["workers"])
        cpu = sum(worker["cpu"] for worker in d["workers"])
        drafts_per_s = made / d["wall"] if d["wall"] else 0.0
        print()
        print(
            f"Drafts (process_new_items, timed apart): {made} ArticlePage drafts in "
            f"{d['wall']:.1f} s = {drafts_per_s:.1f} drafts/s, "
            f"{1000 * cpu / max(made, 1):.0f} ms CPU per draft."
        )

    worker_peaks: dict[int, int] = {}
    for key in ("ours_1", "ours_2", "drafts"):
        for worker in results.get(key, {}).get("workers", []):
            pid = worker["pid"]
            worker_peaks[pid] = max(worker_peaks.get(pid, 0), worker["maxrss_kb"])
    peak_mb = sum(worker_peaks.values()) / 1024
    reader_mb = (
        max(results["reader_1"]["maxrss_kb"], results["reader_2"]["maxrss_kb"]) / 1024
    )
    print()
    print(
        "Peak memory (sum of each process's peak RSS): Tsunagu "
        + " + ".join(f"{kb / 1024:.0f}" for kb in worker_peaks.values())
        + f" = {peak_mb:.0f} MB; reader {reader_mb:.0f} MB; feed servers "
        f"{results['server']['maxrss_kb'] / 1024:.0f} MB (not counted)."
    )
    phases = [("at start", results["workers_start_kb"])]
    for key, label in (
        ("ours_1", "round 1"),
        ("ours_2", "round 2"),
        ("drafts", "drafts"),
    ):
        if key in results:
            phases.append(
                (f"after {label}", [w["maxrss_kb"] for w in results[key]["workers"]])
            )
    print(
        "  Tsunagu's workers' peak RSS, MB: "
        + "; ".join(
            f"{label} " + " + ".join(f"{kb / 1024:.0f}" for kb in sorted(kbs))
            for label, kbs in phases
        )
        + "."
    )
    if parse_processes:
        children = [
            w.get("children_maxrss_kb", 0)
            for key in ("ours_1", "ours_2", "drafts")
            if results.get(key)
            for w in results[key]["workers"]
        ]
        print(
            "  of which parse processes (peak RSS summed over each worker's): "
            f"{max(children, default=0) / 1024:.0f} MB."
        )
    print(f"Whole run {results['setup_s']:.0f} s.")

    if any(worker.get("profile") for worker in results["ours_1"]["workers"]):
        print_profile(results)

    met_ratio = min(ratios) >= TARGET_RATIO
    met_peak = peak_mb < TARGET_PEAK_MB
    print()
    print(
        f"Targets: >= {TARGET_RATIO:g}x reader's sources/s on both rounds: "
        f"{'met' if met_ratio else 'NOT met'} ({ratios[0]:.2f}x, {ratios[1]:.2f}x); "
        f"peak < {TARGET_PEAK_MB:g} MB: {'met' if met_peak else 'NOT met'} "
        f"({peak_mb:.0f} MB). The JSON's sources/s are round {low + 1}'s."
    )
    low_ours, low_reader = (o1, r1) if low == 0 else (o2, r2)
    print(
        json.dumps(
            {
                "sources_per_s": round(low_ours["sources_per_s"], 1),
                "reader_sources_per_s": round(low_reader["sources_per_s"], 1),
                "ratio_vs_reader": round(min(ratios), 2),
                "drafts_per_s": round(drafts_per_s, 1),
                "peak_mb": round(peak_mb, 1),
            }
        )
    )


def print_profile(results: dict) -> None:
    for key, title in (
        ("ours_1", "round 1"),
        ("ours_2", "round 2"),
        ("drafts", "drafts"),
    ):
        if key not in results:
            continue
        own: Counter = Counter()
        total: Counter = Counter()
        cpu = 0.0
        for worker in results[key]["workers"]:
            profile = worker.get("profile") or {}
            own.update(dict(profile.get("own", [])))
            total.update(dict(profile.get("total", [])))
            cpu += profile.get("cpu", 0.0)
        print()
        print(f"Profile, {title} (sampled CPU of all workers' threads: {cpu:.1f} s)")
        print("  by own CPU (the function itself):")
        for where, seconds in own.most_common(15):
            print(f"    {seconds:7.2f} s {100 * seconds / cpu:5.1f}%  {where}")
        print("  by total CPU (the function and what it calls):")
        for where, seconds in total.most_common(30):
            print(f"    {seconds:7.2f} s {100 * seconds / cpu:5.1f}%  {where}")


def bench_main(
    *,
    prefix: str,
    describe: Callable[[Path], str],
    run: Callable[[Path], Any],
    report: Callable[[Any], None],
    keep: bool,
) -> None:
    """A benchmark's run in a temporary folder (removed at the end unless
    ``keep``), then its report: what every ``make bench-...`` does."""
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    log(describe(tmp))
    try:
        results = run(tmp)
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report(results)
