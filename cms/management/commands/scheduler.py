import signal
from typing import Any

from django.core.management.base import BaseCommand

from cms.scheduler import Scheduler, lease_release


class Command(BaseCommand):
    help = (
        "Run the periodic jobs (scheduled publishing, task recovery, pruning, and "
        "those of later stages). Start as many as you like: one leads, the others "
        "stand by."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="Take the lease if free, run the due jobs once, and exit.",
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop after this many seconds (for tests and one-off runs).",
        )

    def handle(
        self, *args: Any, once: bool, max_seconds: float | None, **options: Any
    ) -> None:
        scheduler = Scheduler(report=self.stdout.write)
        if once:
            ran = scheduler.tick()
            if scheduler.leading:
                lease_release(holder=scheduler.holder)
            self.stdout.write("Ran: " + (", ".join(ran) or "nothing was due"))
            return
        signal.signal(signal.SIGINT, scheduler.stop)
        signal.signal(signal.SIGTERM, scheduler.stop)
        scheduler.run_forever(max_seconds=max_seconds)
