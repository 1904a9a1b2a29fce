"""Tests: fast hashing, local-memory cache, tasks run at once.

The database is a file (SQLite) or PostgreSQL when DATABASE_URL is set, so that
the worker and scheduler processes some tests start can share it.
"""

import os
import secrets
import tempfile

from .base import *

# Random per run; put in the environment so the worker and scheduler
# processes some tests start sign with the same key.
SECRET_KEY = os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEBUG = False

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = tempfile.mkdtemp(prefix="tsunagu-test-media-")
STATIC_ROOT = tempfile.mkdtemp(prefix="tsunagu-test-static-")

# Immediate by default; "db" is the real database backend, for the tests that
# run a real worker process.
TASKS = {
    "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": str(
            VAR_DIR / f"test-{env.str('PYTEST_XDIST_WORKER', default='main')}.sqlite3"
        )
    }

LOGGING["root"]["level"] = "WARNING"
for _name in ("django.tasks", "django_tasks_db"):
    LOGGING["loggers"][_name]["level"] = "WARNING"

# Scrapers: polite, but not slow, towards the tests' own servers.
# Parsing in the fetching thread: a parse process per test would cost more
# than it saves (tests/scrapers/test_parsepool.py runs the processes).
TSUNAGU_SCRAPERS = {"HOST_DELAY_SECONDS": 0.05, "THREADS": 4, "PARSE_PROCESSES": 0}
