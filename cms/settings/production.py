"""Production: every secret and address from the environment, secure by default."""

from django.core.checks.security.base import SECRET_KEY_WARNING_MSG
from django.core.checks.security.base import _check_secret_key as _secret_key_strong
from django.core.exceptions import ImproperlyConfigured

from .base import *

_REQUIRED = ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "TSUNAGU_BASE_URL")
if _missing := [name for name in _REQUIRED if not env.str(name, default="")]:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: "
        + ", ".join(_missing)
        + " (each is described in .env.example)."
    )

# Mailchimp holds the truth about membership and tells us through its
# webhooks; without the webhook's secret, unsubscribes would never come back.
if MAILCHIMP_API_KEY and not MAILCHIMP_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "MAILCHIMP_API_KEY is set but MAILCHIMP_WEBHOOK_SECRET is not: set the "
        "webhook's secret (see .env.example) so unsubscribes reach Tsunagu."
    )

SECRET_KEY = env.str("SECRET_KEY")
# Django's deploy check security.W009 (too short, too few characters, or
# "django-insecure-"), its own rule, made an error at start: a weak key
# signs sessions, password resets and newsletter confirmation links.
if not _secret_key_strong(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY is weak (Django's deploy check security.W009): "
        + SECRET_KEY_WARNING_MSG % "SECRET_KEY"
        + " For example: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# TLS: behind a proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Django sends HSTS on secure requests only, so plain-HTTP health checks are
# unaffected.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False
)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"

CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
        ),
        "OPTIONS": {
            "host": env.str("EMAIL_HOST", default="localhost"),
            "port": env.int("EMAIL_PORT", default=25),
            "username": env.str("EMAIL_HOST_USER", default=""),
            "password": env.str("EMAIL_HOST_PASSWORD", default=""),
            "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            "timeout": env.int("EMAIL_TIMEOUT_SECONDS", default=20),
        },
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="tsunagu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
