"""Set up the demo, then start web, task worker, scheduler and the demo
sources together; Ctrl-C stops them all.

For one machine (`make run`). Every process gets the same TSUNAGU_BASE_URL
(from --addr, or --base-url) and DEMO_SOURCES_ADDR, so links, e-mails, feeds
and the demo sources follow the ports chosen here. In production run each as
its own service: gunicorn, `manage.py db_worker` and `manage.py scheduler`.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.env import BASE_DIR
from cms.siteurl import addr_split, addr_url


class Command(BaseCommand):
    help = (
        "Set up the demo and run the web server, a task worker, the scheduler "
        "and the demo sources until Ctrl-C."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="host:port (or port) the web server listens on "
            "(default: %(default)s).",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The site's public address in links, e-mails and feeds "
            "(TSUNAGU_BASE_URL; default: http:// and --addr, a wildcard "
            "address shown as loopback).",
        )
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
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Django's technical error pages (DEBUG on). Without it the "
            "demo shows the site's own 404 and 500 pages, as visitors see them.",
        )
        parser.add_argument(
            "--no-setup",
            action="store_true",
            help="Start at once: no migrate, no demo set-up (load_demo).",
        )

    def handle(
        self,
        *args: Any,
        addr: str,
        base_url: str,
        tasks_backend: str,
        demo_sources_addr: str,
        no_setup: bool,
        debug: bool,
        **options: Any,
    ) -> None:
        try:
            addr_split(addr)
            demo_base = addr_url(demo_sources_addr)
            base_url = (base_url or addr_url(addr)).rstrip("/")
        except ValueError as exc:
            raise CommandError(f"{exc} (e.g. 127.0.0.1:9000)") from exc
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url {base_url!r} must start with http(s)://")
        # Every process (and the set-up) sees the same addresses: links and
        # e-mails say --addr, the demo sources point at --demo-sources-addr,
        # which development allow-lists for fetching.
        env = {
            **os.environ,
            "TSUNAGU_BASE_URL": base_url,
            "DEMO_SOURCES_ADDR": demo_sources_addr,
            # Off unless asked: a newcomer meets the site as visitors do
            # (its own 404 and 500 pages), and `make run ADDR=0.0.0.0:...`
            # shows no settings or tracebacks to the network.
            "DEBUG": "1" if debug else "0",
        }
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        # WhiteNoise warns at every start when its folder is missing.
        for folder in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
            Path(folder).mkdir(parents=True, exist_ok=True)
        if not no_setup:
            self._setup(manage, env)
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
            "demo sources": [
                *manage,
                "serve_demo_sources",
                "--addr",
                demo_sources_addr,
            ],
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
        worker_env = {**env, "MALLOC_ARENA_MAX": "2"}
        for name, command in commands.items():
            children[name] = subprocess.Popen(  # noqa: S603
                command, env=worker_env if name == "worker" else env
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Tsunagu is running on {base_url}/ (admin: {base_url}/admin/), "
                f"demo sources on {demo_base}/. Ctrl-C stops them all."
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
        self.stdout.write("Stopped web, worker, scheduler and demo sources.")

    def _setup(self, manage: list[str], env: dict[str, str]) -> None:
        """Migrate and load the demo in the processes' own environment, so
        the site record and the demo sources take these addresses."""
        if todo := _migrations_to_apply():
            self.stdout.write(
                f"Applying {todo} database migrations (the first run takes a "
                "minute or two) ..."
            )
        for step in (
            [*manage, "migrate", "--noinput", "--verbosity", "0"],
            [*manage, "load_demo"],
        ):
            done = subprocess.run(step, env=env, check=False)  # noqa: S603
            if done.returncode:
                raise CommandError(
                    f"{' '.join(step[1:])} failed (exit code {done.returncode})."
                )


def _migrations_to_apply() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    todo = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    connection.close()  # the children open their own
    return todo
