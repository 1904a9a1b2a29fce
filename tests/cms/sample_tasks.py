"""Tasks for the worker tests; importable by the worker processes they start."""

import time
from pathlib import Path

from django.tasks import task


@task()
def slow_the_first_time(marker: str) -> str:
    """Note each attempt in ``marker``; the first attempt hangs (to be killed)."""
    path = Path(marker)
    attempts = path.read_text().count("attempt\n") if path.exists() else 0
    with path.open("a") as f:
        f.write("attempt\n")
    if attempts == 0:
        time.sleep(120)
    return f"done after {attempts + 1} attempts"


@task()
def add(a: int, b: int) -> int:
    return a + b
