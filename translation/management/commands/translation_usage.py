"""This month's (or another month's) machine translation against the budget:
per office, per language pair, the total, the share and the budget's state."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, no_translations

from cms.spreadsheets import csv_writer
from translation.panels import MonthUsage, Scope, month_parse, usage_month

STATES = {
    "ok": "within the budget",
    "warning": "warning: 80% or more of the budget used",
    "stopped": "stopped: the budget is spent, translation waits",
}


class Command(BaseCommand):
    help = "Machine translation used in a month, against the budget."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--month", help="The month as YYYY-MM (default: this month)."
        )
        parser.add_argument(
            "--format", choices=["table", "csv", "json"], default="table"
        )

    @no_translations
    def handle(self, *args: Any, month: str | None, format: str, **options: Any):
        try:
            first_day = None if month is None else month_parse(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        usage = usage_month(month=first_day, scope=Scope(offices=[], everything=True))
        writers = {
            "table": self.write_table,
            "csv": self.write_csv,
            "json": self.write_json,
        }
        writers[format](usage)

    def write_table(self, usage: MonthUsage) -> None:
        status = usage.status
        write = self.stdout.write
        write(f"Machine translation, {usage.month:%Y-%m}")
        write(
            f"Billed {status.used:,} of {status.budget:,} characters "
            f"({status.share:.1%}); {status.remaining:,} left. "
            f"Budget: {STATES[usage.state]}."
        )
        if status.counted > status.used:
            write(f"({status.counted - status.used:,} held for requests under way.)")
        write("")
        write(f"{'Office':<24}{'Characters':>14}")
        for row in usage.offices:
            label = row.code or row.label
            write(f"{label:<24}{row.characters:>14,}")
        write(f"{'Total':<24}{status.used:>14,}")
        write("")
        write(f"{'Language pair':<24}{'Characters':>14}{'Texts':>10}")
        for pair in usage.pairs:
            label = f"{pair.source_language} -> {pair.target_language}"
            write(f"{label:<24}{pair.characters:>14,}{pair.texts:>10,}")
        if not usage.pairs:
            write("(nothing billed)")

    def write_csv(self, usage: MonthUsage) -> None:
        status = usage.status
        month = f"{usage.month:%Y-%m}"
        writer = csv_writer(self.stdout, lineterminator="\n")
        writer.writerow(
            [
                "month",
                "kind",
                "office",
                "source_language",
                "target_language",
                "characters",
                "budget",
                "share",
                "state",
            ]
        )
        for row in usage.offices:
            writer.writerow([month, "office", row.code, "", "", row.characters])
        for pair in usage.pairs:
            writer.writerow(
                [
                    month,
                    "pair",
                    "",
                    pair.source_language,
                    pair.target_language,
                    pair.characters,
                ]
            )
        writer.writerow(
            [
                month,
                "total",
                "",
                "",
                "",
                status.used,
                status.budget,
                f"{status.share:.4f}",
                usage.state,
            ]
        )

    def write_json(self, usage: MonthUsage) -> None:
        status = usage.status
        data = {
            "month": f"{usage.month:%Y-%m}",
            "budget": status.budget,
            "billed": status.used,
            "counted": status.counted,
            "remaining": status.remaining,
            "share": round(status.share, 4),
            "state": usage.state,
            "offices": [
                {"office": row.code or None, "characters": row.characters}
                for row in usage.offices
            ],
            "pairs": [
                {
                    "from": pair.source_language,
                    "to": pair.target_language,
                    "characters": pair.characters,
                    "texts": pair.texts,
                }
                for pair in usage.pairs
            ],
        }
        self.stdout.write(json.dumps(data, indent=2))
