"""Shared fixtures.

The newsroom's structure and demo articles are loaded once per test session
(committed), and every ordinary test runs in a transaction rolled back after it.
Tests that start real worker or scheduler processes need committed data
(``transactional_db``); pytest-django runs them after the others, and they make
what they need themselves.
"""

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parent.parent

# A worker on the "db" backend, polling often, as the process tests start it.
DB_WORKER_ARGS = (
    "db_worker",
    "--backend",
    "db",
    "--no-startup-delay",
    "--interval",
    "0.2",
)


def wait_until(
    predicate: Callable[[], object], *, timeout: float = 60, what: str = "condition"
) -> None:
    """Poll ``predicate`` until it holds; fail the test after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def office_for_tests(code: str = "tst"):
    """A minimal office in Paris's time zone, working in French."""
    from cms.models import Office

    office, _ = Office.objects.get_or_create(
        code=code,
        defaults={
            "name_ja": "テスト",
            "name_en": "Test",
            "city_ja": "テスト",
            "city_en": "Test",
            "time_zone": "Europe/Paris",
            "working_languages": ["fr"],
        },
    )
    return office


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def user_in_group(db):
    """Make a user in one group: ``user_in_group("Office editors: lon")``."""
    from django.contrib.auth.models import Group

    def make(group_name: str, username: str | None = None):
        user = get_user_model().objects.create_user(
            username=username or group_name.lower().replace(" ", "-").replace(":", ""),
            password="pw",
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


def database_url_for_processes() -> str:
    """A DATABASE_URL that points other processes at this session's test database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{host}/{db['NAME']}"


@pytest.fixture
def process_env(transactional_db) -> dict[str, str]:
    """Environment for a `manage.py` child process sharing the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DATABASE_URL": database_url_for_processes(),
        "PYTHONUNBUFFERED": "1",
    }
    return env


class Processes:
    """Start `manage.py` children; whatever is still running is killed at the end."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        self.env = env
        self.logdir = logdir
        self.children: list[subprocess.Popen] = []

    def start(self, name: str, *args: str, **env: str) -> subprocess.Popen:
        log = open(self.logdir / f"{name}.log", "w")  # noqa: SIM115
        child = subprocess.Popen(
            [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
            cwd=PROJECT_DIR,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        child.log_path = self.logdir / f"{name}.log"
        self.children.append(child)
        return child

    def output(self, child: subprocess.Popen) -> str:
        return child.log_path.read_text()


@pytest.fixture
def processes(process_env, tmp_path) -> Iterator[Processes]:
    manager = Processes(process_env, tmp_path)
    yield manager
    for child in manager.children:
        if child.poll() is None:
            child.kill()
            child.wait()


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
