"""Fetch sources now, with a progress bar and a summary table."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import QuerySet

from scrapers.conf import scraper_setting
from scrapers.jobs import sources_due
from scrapers.models import Source
from scrapers.runner import sources_fetch_many
from scrapers.services import FetchOutcome

BAR_WIDTH = 30


class Progress:
    """A one-line bar on a terminal; a line per tenth elsewhere (CI logs).
    Writes to a management command's OutputWrapper."""

    def __init__(self, total: int, stream: Any) -> None:
        self.total, self.stream = total, stream
        self.done = self.new = self.failed = 0
        self.tty = stream.isatty()

    def __call__(self, outcome: FetchOutcome) -> None:
        self.done += 1
        self.new += len(outcome.new_item_ids)
        self.failed += outcome.result == "failed"
        line = (
            f"{self.done}/{self.total} sources · {self.new} new items · "
            f"{self.failed} failed"
        )
        if self.tty:
            filled = BAR_WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            end = "\n" if self.done == self.total else ""
            self.stream.write(f"\r[{bar}] {line}", ending=end)
            self.stream.flush()
        elif self.done == self.total or self.done % max(self.total // 10, 1) == 0:
            self.stream.write(line)


class Command(BaseCommand):
    help = "Fetch sources now: the due ones, or those of an office, or chosen ones."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", help="Only this office's sources (its code).")
        parser.add_argument(
            "--source", type=int, action="append", help="This source (id); repeatable."
        )
        parser.add_argument(
            "--all", action="store_true", help="Every enabled source, due or not."
        )
        parser.add_argument(
            "--threads", type=int, default=None, help="Sources fetched at once."
        )

    def select(
        self, *, office: str | None, source: list[int] | None, all: bool
    ) -> QuerySet:
        sources = Source.objects.all()
        if source:
            return sources.filter(pk__in=source)
        sources = sources.filter(enabled=True)
        if office:
            if not sources.filter(office__code=office).exists():
                raise CommandError(f"No enabled sources for office {office!r}.")
            sources = sources.filter(office__code=office)
        if not all:
            sources = sources.filter(pk__in=sources_due())
        return sources

    def handle(self, *args: Any, **options: Any) -> None:
        sources = self.select(
            office=options["office"], source=options["source"], all=options["all"]
        )
        ids = list(sources.order_by("pk").values_list("pk", flat=True))
        if not ids:
            self.stdout.write("Nothing to fetch (no source is due; try --all).")
            return
        progress = Progress(len(ids), self.stderr)
        outcomes = sources_fetch_many(
            source_ids=ids,
            threads=options["threads"] or scraper_setting("THREADS"),
            progress=progress,
        )
        self.print_table(outcomes)

    def print_table(self, outcomes: list[FetchOutcome]) -> None:
        """A row per source, then every error in full (a cut error is one an
        operator cannot act on)."""
        rows = [("source", "result", "HTTP", "new", "waiting", "updated", "seconds")]
        ordered = sorted(outcomes, key=lambda o: (o.result != "failed", o.name))
        for o in ordered:
            rows.append(
                (
                    f"{o.source_id} {o.name}"[:40],
                    o.result,
                    str(o.http_status or "-"),
                    str(len(o.new_item_ids)),
                    str(o.waiting or "-"),
                    str(o.updated),
                    f"{o.seconds:.1f}",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for number, row in enumerate(rows):
            self.stdout.write(
                "  ".join(
                    cell.ljust(w) for cell, w in zip(row, widths, strict=True)
                ).rstrip()
            )
            if number == 0:
                self.stdout.write("  ".join("-" * w for w in widths))
        errors = [o for o in ordered if o.error]
        if errors:
            self.stdout.write("")
            self.stdout.write("Errors:")
            for o in errors:
                self.stdout.write(
                    self.style.ERROR(f"{o.source_id} {o.name}: {o.error}")
                )
        totals = {}
        for o in outcomes:
            totals[o.result] = totals.get(o.result, 0) + 1
        new = sum(len(o.new_item_ids) for o in outcomes)
        waiting = sum(o.waiting for o in outcomes)
        summary = ", ".join(
            f"{count} {result}" for result, count in sorted(totals.items())
        )
        left = f"; {waiting} wait for the next fetch" if waiting else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(outcomes)} sources: {summary}; {new} new items{left}."
            )
        )
