"""Development: `make run` on one machine, SQLite under var/ by default."""

from urllib.parse import urlsplit

from cms.env import local_secret_key
from cms.siteurl import addr_url, url_hostport

from .base import *

# `run_all` (make run) turns DEBUG off unless given --debug: the demo shows the
# site's own 404 and 500 pages, as visitors see them, and shows no settings
# to whoever reaches its port. `manage.py runserver` alone keeps DEBUG on.
DEBUG = env.bool("DEBUG", default=True)
# Static files straight from the apps and uploads from MEDIA_ROOT, with DEBUG
# off too (no collectstatic in development).
WHITENOISE_USE_FINDERS = True
TSUNAGU_SERVE_MEDIA = True
# Production refuses to start without its own SECRET_KEY; development makes
# one and keeps it under var/.
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# The address links point at answers too (run_all --base-url, e.g. a LAN name).
if (_host := urlsplit(TSUNAGU_BASE_URL).hostname) and _host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_host)

# Newsletters and notifications land as files in var/mail until SMTP is set.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")},
    }
}

# The offline demo sources (manage.py serve_demo_sources, started by make run)
# are on loopback: allowed, wherever run_all --demo-sources-addr put them.
TSUNAGU_SAFEHTTP["ALLOW"] = [
    *env.list("SAFEHTTP_ALLOW", default=[]),
    url_hostport(addr_url(TSUNAGU_DEMO_SOURCES_ADDR)),
]
