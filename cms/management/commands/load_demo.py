import logging
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand

from cms.newsroom.demo import demo_load


class Command(BaseCommand):
    help = (
        "Set up the newsroom (locales, offices, page trees, groups, review "
        "workflow) and add demo articles. Running it again adds only what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verbosity"] < 2:
            # Wagtail logs every page it creates, edits and publishes: a
            # first set-up would print some 400 lines. The summary says it.
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        report = demo_load()
        if options["verbosity"] > 1:
            for line in report.created:
                self.stdout.write(f"  + {line}")
        elif report.created:
            # One line, not one per thing made (-v 2 lists them).
            kinds = Counter(_kind(line) for line in report.created)
            self.stdout.write(
                "  + " + ", ".join(f"{n} {kind}" for kind, n in kinds.most_common())
            )
        if report.admin_password:
            self.stdout.write(
                self.style.WARNING(
                    "Admin user created. Its password, shown this once: "
                    f"{report.admin_password}\n(The demo users nyc-editor ... "
                    "syd-editor and hq-reviewer share it. Set TSUNAGU_ADMIN_PASSWORD "
                    "before the first run to choose it; change it in the admin.)"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready ({len(report.created)} added or moved)."
                if report.created
                else "Demo data already loaded; nothing to add."
            )
        )


PAGE_WORDS = {"page", "index", "section", "archive"}


def _kind(line: str) -> str:
    """What sort of thing a report line made ("article en/x": article; "fr
    page Actualités", "Japanese news index": page)."""
    words = line.split()
    if line.startswith("demo source"):
        return "demo source moved" if " moved " in line else "demo source"
    if line.startswith("Japanese translation"):
        return " ".join(words[:2])
    if line.startswith("glossary:"):
        return "glossary"
    if PAGE_WORDS & set(words[:4]):
        return "page"
    return words[0]
