from typing import Any

from django.core.management.base import BaseCommand

from cms.newsroom.setup import newsroom_setup
from translation.glossary import glossary_sync_if_due


class Command(BaseCommand):
    help = (
        "Set up or bring up to date the newsroom's structure: locales, offices, "
        "regions, topics, one page tree per locale, the office and HQ groups and "
        "the Translation review workflow. No demo content; safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = newsroom_setup()
        for line in report.created:
            self.stdout.write(f"  + {line}")
        # The seed reaches the service before the first translations.
        if synced := glossary_sync_if_due():
            self.stdout.write(f"  Glossary: {synced}")
        self.stdout.write(
            self.style.SUCCESS(f"Newsroom ready ({len(report.created)} new items).")
        )
