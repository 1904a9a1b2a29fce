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


def local_secret_key(folder: Path) -> str:
    """Development's SECRET_KEY when the environment gives none: random, made
    once and kept in ``folder/secret_key`` (var/, never committed), so sessions
    survive a restart and no key is written in the code. Web, worker and
    scheduler start together: the first to link its file in place wins and
    the others read that one."""
    import os
    import secrets
    import tempfile

    path = folder / "secret_key"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".secret_key.")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(secrets.token_urlsafe(50))
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()
