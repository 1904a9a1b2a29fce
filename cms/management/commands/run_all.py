"""Start web, task worker and scheduler together; Ctrl-C stops all three.

For one machine (`make run`). In production run each as its own service:
gunicorn, `manage.py db_worker` and `manage.py scheduler`.
"""

import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cms.env import BASE_DIR


class Command(BaseCommand):
    help = "Run the web server, a task worker and the scheduler until Ctrl-C."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument(
            "--demo-sources-addr",
            default="127.0.0.1:8001",
            help="Where the bundled demo feeds are served (default: %(default)s).",
        )
        parser.add_argument(
            "--tasks-backend",
            default="default",
            help="The TASKS alias the worker serves (default: %(default)s).",
        )

    def handle(
        self,
        *args: Any,
        addr: str,
        tasks_backend: str,
        demo_sources_addr: str,
        **options: Any,
    ) -> None:
        demo_addr = demo_sources_addr
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        commands = {
            "web": [*manage, "runserver", addr],
            "worker": [
                *manage,
                "db_worker",
                "--queue-name",
                "*",
                "--backend",
                tasks_backend,
                "--no-reload",
            ],
            "scheduler": [*manage, "scheduler"],
            # The demo sources' feeds and pages, served offline.
            "demo sources": [*manage, "serve_demo_sources", "--addr", demo_addr],
        }
        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_args: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Fetching runs in threads; glibc's per-thread malloc arenas would
        # fragment the worker's memory (see README, Deployment).
        worker_env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
        for name, command in commands.items():
            children[name] = subprocess.Popen(  # noqa: S603
                command, env=worker_env if name == "worker" else None
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Tsunagu is running on http://{addr}/ (admin: http://{addr}/admin/). "
                "Ctrl-C stops web, worker and scheduler."
            )
        )
        failed = None
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    failed = name
                    stopping = True
                    break
            time.sleep(0.5)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if failed:
            raise CommandError(
                f"The {failed} process stopped (exit code "
                f"{children[failed].returncode}); the others were stopped too."
            )
        self.stdout.write("Stopped web, worker and scheduler.")
