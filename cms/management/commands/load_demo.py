from typing import Any

from django.core.management.base import BaseCommand

from cms.newsroom.demo import demo_load


class Command(BaseCommand):
    help = (
        "Set up the newsroom (locales, offices, page trees, groups, review "
        "workflow) and add demo articles. Running it again adds only what is missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        report = demo_load()
        for line in report.created:
            self.stdout.write(f"  + {line}")
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
                f"Demo data ready ({len(report.created)} new items)."
                if report.created
                else "Demo data already loaded; nothing to add."
            )
        )
