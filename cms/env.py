"""The one typed reader of the environment.

Every setting that comes from outside the code is read here, through ``env``:
``env.str``, ``env.bool``, ``env.int``, ``env.list``, ``env.db_url``. A variable
without a default that is missing raises ``ImproperlyConfigured`` naming it.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def read_dot_env() -> None:
    """Load ``.env`` from the project folder, never overriding the real environment.

    Only development entry points call this (``manage.py``); production reads the
    process environment alone.
    """
    path = BASE_DIR / ".env"
    if path.is_file():
        env.read_env(path, overwrite=False)
