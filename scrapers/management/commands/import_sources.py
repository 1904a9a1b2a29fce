from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cms.models import Office
from scrapers.csv_import import sources_import_csv


class Command(BaseCommand):
    help = (
        "Create or update sources from a CSV file (office, name, url, kind, "
        "language, item_selector, link_selector, title_selector, date_selector, "
        "summary_selector). All rows or none."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("csv_file", type=Path)

    def handle(self, *args: Any, csv_file: Path, **options: Any) -> None:
        try:
            data = csv_file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {csv_file}: {exc.strerror}") from exc
        report = sources_import_csv(data=data, offices=Office.objects.all())
        if not report.ok:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {e}" for e in report.errors)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.created} sources created, {report.updated} updated."
            )
        )
