"""Development: `make run` on one machine, SQLite under var/ by default."""

from cms.env import local_secret_key

from .base import *

DEBUG = True
# Production refuses to start without its own SECRET_KEY; development makes
# one and keeps it under var/.
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# Newsletters and notifications land as files in var/mail until SMTP is set.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}

# The offline demo sources (manage.py serve_demo_sources, started by make run).
TSUNAGU_SAFEHTTP["ALLOW"] = env.list("SAFEHTTP_ALLOW", default=["127.0.0.1:8001"])
