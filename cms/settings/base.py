"""Settings shared by every environment. Values from outside come through cms.env."""

from pathlib import Path

from django.utils.csp import CSP
from django.utils.translation import get_language_info

from cms.env import BASE_DIR, env

VAR_DIR = Path(env.str("TSUNAGU_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # Ours first: cms overrides django_tasks_db's db_worker command (heartbeats).
    "cms",
    "cms.search",
    "cms.feeds",
    "scrapers",
    "translation",
    "publishers",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail.api.v2",
    "rest_framework",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.PublicSiteCSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL points elsewhere (PostgreSQL).
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tsunagu.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh clone has no var/ yet, and even `manage.py check` opens the
    # database (JSONField support is a database feature), so make its folder.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web, worker and scheduler share one file: WAL lets readers go on while one
    # writes, the busy timeout makes a writer wait instead of failing, and
    # IMMEDIATE takes the write lock at BEGIN so two writers never deadlock on an
    # upgrade from a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
        "timeout": env.int("SQLITE_BUSY_TIMEOUT_SECONDS", default=20),
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    # Wagtail's own search tables use PostgreSQL's search vector fields.
    INSTALLED_APPS.append("django.contrib.postgres")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Japanese first: the site's default language and the admin's.
LANGUAGE_CODE = "ja"
TIME_ZONE = "Asia/Tokyo"
# The time zones an editor may pick in their admin account: Tokyo's and the
# overseas offices' (Wagtail offers every zone otherwise).
WAGTAIL_USER_TIME_ZONES = [
    "Asia/Tokyo",
    "America/New_York",
    "Europe/London",
    "Europe/Paris",
    "Asia/Singapore",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Australia/Sydney",
]
USE_I18N = True
USE_TZ = True

# The languages the public site speaks (and the locales of the page trees).
WAGTAIL_I18N_ENABLED = True
# Each named in itself, for the public site's language switcher and feeds.
LANGUAGES = [
    ("ja", "日本語"),
    ("en", "English"),
    ("fr", "Français"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("ko", "한국어"),
    ("zh-hans", "简体中文"),
]
# The same languages named in the admin's language ("フランス語"): Wagtail
# labels locales with these, and so do the glossary's and sources' choices.
WAGTAIL_CONTENT_LANGUAGES = [
    (code, get_language_info(code)["name_translated"]) for code, _name in LANGUAGES
]
# The admin works in Japanese and English.
WAGTAILADMIN_PERMITTED_LANGUAGES = [("ja", "日本語"), ("en", "English")]
# Ours, then Japanese for Wagtail's strings its own catalogue lacks.
LOCALE_PATHS = [BASE_DIR / "cms" / "locale", BASE_DIR / "cms" / "locale_vendor"]

STATIC_URL = "/static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Background work: Django's task framework, stored in the database
# (django-tasks-db) and run by `manage.py db_worker`. Wagtail's own tasks go
# through it too: the django-tasks backport that Wagtail 8 declares them with
# builds them with the configured backend's task class.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# The scheduler: one process for all periodic work (`manage.py scheduler`).
# Later stages add their jobs here. EVERY is in seconds.
TSUNAGU_SCHEDULER = {
    "LEASE_SECONDS": env.int("SCHEDULER_LEASE_SECONDS", default=30),
    "TICK_SECONDS": env.int("SCHEDULER_TICK_SECONDS", default=5),
    "JOBS": {
        "publish_scheduled": {"JOB": "cms.jobs.publish_scheduled", "EVERY": 60},
        "requeue_stale_tasks": {"JOB": "cms.jobs.requeue_stale_tasks", "EVERY": 30},
        "prune_task_results": {"JOB": "cms.jobs.prune_task_results", "EVERY": 3600},
        "optimize_database": {"JOB": "cms.jobs.optimize_database", "EVERY": 3600},
        "enqueue_due_sources": {
            "JOB": "scrapers.jobs.enqueue_due_sources",
            "EVERY": 30,
        },
        # Translation jobs that are due again (lost tasks, the budget raised,
        # a new month, the quota back) and the glossary when it changed.
        "translation_sweep": {"JOB": "translation.jobs.translation_sweep", "EVERY": 60},
        # The outbox: deliveries the signal path missed (from Wagtail's log of
        # publishes), and those that are due again or whose worker died.
        "outbox_sweep": {"JOB": "publishers.jobs.outbox_sweep", "EVERY": 30},
        # Newsletter subscribers kept in step with Mailchimp, confirmation
        # e-mails retried, unconfirmed sign-ups deleted after their time.
        "newsletter_sweep": {
            "JOB": "publishers.newsletter.jobs.newsletter_sweep",
            "EVERY": 60,
        },
        # Last week's newsletter issue as a draft, once the week is over.
        "digest_compose": {
            "JOB": "publishers.digest.digest_compose_weekly",
            "EVERY": 3600,
        },
        # Partner keys' use counted in a shared cache, written to their rows.
        "partner_use_write": {
            "JOB": "cms.api.limits.partner_use_write_all",
            "EVERY": 60,
        },
    },
}
# A worker that has not beaten its heart for this long is taken for dead and its
# running task goes back to the queue; after MAX_ATTEMPTS workers died on one
# task it is marked failed instead (a task that kills its worker must not loop).
TSUNAGU_WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=5)
TSUNAGU_WORKER_DEAD_AFTER_SECONDS = env.int("WORKER_DEAD_AFTER_SECONDS", default=60)
TSUNAGU_TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
TSUNAGU_TASK_RESULTS_KEEP_DAYS = env.int("TASK_RESULTS_KEEP_DAYS", default=14)

# Outbound HTTP (cms.safehttp): scrapers and partner webhooks. Private,
# loopback, link-local and other special addresses are refused unless listed
# here as exact host:port pairs (the offline demo feeds; tests).
TSUNAGU_SAFEHTTP = {
    "ALLOW": env.list("SAFEHTTP_ALLOW", default=[]),
    "USER_AGENT": env.str(
        "SAFEHTTP_USER_AGENT",
        default="TsunaguBot/0.1 (+https://github.com/tsunagu; newsroom feed reader)",
    ),
    "MAX_BYTES": env.int("SAFEHTTP_MAX_BYTES", default=10 * 1024 * 1024),
    "MAX_REDIRECTS": env.int("SAFEHTTP_MAX_REDIRECTS", default=5),
    "CONNECT_TIMEOUT": env.float("SAFEHTTP_CONNECT_TIMEOUT_SECONDS", default=10.0),
    "READ_TIMEOUT": env.float("SAFEHTTP_READ_TIMEOUT_SECONDS", default=20.0),
    "TOTAL_TIMEOUT": env.float("SAFEHTTP_TOTAL_TIMEOUT_SECONDS", default=60.0),
}

# Feeds (cms/feeds/): a WebSub hub to advertise in every feed and to ping on
# publish; empty (the default) means no hub.
WEBSUB_HUB_URL = env.str("WEBSUB_HUB_URL", default="")

# Wagtail
WAGTAIL_SITE_NAME = "Tsunagu つなぐ"
# No Gravatar: editors' e-mail hashes stay here, and the admin shows its own
# avatar where no network reaches the outside (it was a broken image).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The site's public address (cms/siteurl.py): every absolute URL (pages,
# feeds, sitemap, API, e-mails, webhooks) starts with it. run_all sets it from
# its --addr; production requires it.
TSUNAGU_BASE_URL = env.str("TSUNAGU_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = TSUNAGU_BASE_URL
# Where the bundled demo feeds are served (serve_demo_sources; run_all sets it
# from its --demo-sources-addr): the demo sources' URLs point there.
TSUNAGU_DEMO_SOURCES_ADDR = env.str("DEMO_SOURCES_ADDR", default="127.0.0.1:8001")
WAGTAILSEARCH_BACKENDS = {
    # Splits Japanese, Chinese and Korean text into n-grams; the same on SQLite
    # and PostgreSQL (see cms/search/).
    "default": {"BACKEND": "cms.search.backend"},
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_MODERATION_ENABLED = True
WAGTAILLOCALIZE_JQUERY_ENABLED = False

# Wagtail API v2: read-only, for partners.
WAGTAILAPI_BASE_URL = TSUNAGU_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_SEARCH_ENABLED = True
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# Partner API rate limits (cms/api/limits.py): requests a minute per address
# without a key (a partner key has its own limit, set in the admin), and how
# many proxies in front of Django append to X-Forwarded-For (0: trust only the
# connecting address).
TSUNAGU_API = {
    "ANON_RATE_PER_MINUTE": env.int("API_ANON_RATE_PER_MINUTE", default=60),
    "TRUSTED_PROXY_COUNT": env.int("TRUSTED_PROXY_COUNT", default=0),
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    # No token, key or password is ever written (cms/logfilters.py).
    "filters": {"redact_secrets": {"()": "cms.logfilters.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # db_worker adds a handler of its own to loggers that have none.
        "django.tasks": {"handlers": ["console"], "propagate": False},
        "django_tasks_db": {"handlers": ["console"], "propagate": False},
        # trafilatura warns about every odd link of every page it reads.
        "trafilatura": {"level": "ERROR"},
        "htmldate": {"level": "ERROR"},
    },
}

# Security headers that hold everywhere; production turns on the TLS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy for the public site (Django's own CSP support, applied
# by cms.middleware.PublicSiteCSPMiddleware): the Wagtail admin relies on inline
# scripts and styles of its own, so the policy stops at the admin's door.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "https:"],
    "style-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
}
TSUNAGU_CSP_EXEMPT_PREFIXES = ("/admin/", "/django-admin/")

# Publishers (publishers/conf.py): the channels a published article goes out
# through, shaped like CACHES. The website channel purges a CDN and pings the
# WebSub hub (when either is configured); partner webhooks are registered in
# the admin; X joins when its four keys are set.
X_KEYS = {
    "CONSUMER_KEY": env.str("X_CONSUMER_KEY", default=""),
    "CONSUMER_SECRET": env.str("X_CONSUMER_SECRET", default=""),
    "ACCESS_TOKEN": env.str("X_ACCESS_TOKEN", default=""),
    "ACCESS_TOKEN_SECRET": env.str("X_ACCESS_TOKEN_SECRET", default=""),
}
X_ENABLED = all(X_KEYS.values())
TSUNAGU_SOCIAL = (
    {
        "x": {
            "BACKEND": "publishers.backends.social.x.XBackend",
            "OPTIONS": {
                **X_KEYS,
                "TIMEOUT_SECONDS": env.float("X_TIMEOUT_SECONDS", default=20.0),
                **(
                    {"API_URL": env.str("X_API_URL")}
                    if env.str("X_API_URL", default="")
                    else {}
                ),
            },
        }
    }
    if X_ENABLED
    else {}
)
TSUNAGU_PUBLISHERS = {
    "website": {"BACKEND": "publishers.channels.website.WebsiteChannel"},
    "webhooks": {"BACKEND": "publishers.channels.webhooks.WebhookChannel"},
    # The weekly issue and urgent articles: through Mailchimp when
    # TSUNAGU_NEWSLETTER names it, else Django's e-mail to local subscribers.
    "newsletter": {
        "BACKEND": "publishers.channels.newsletter.NewsletterChannel",
        "OPTIONS": {
            "FROM_NAME": env.str("NEWSLETTER_FROM_NAME", default="つなぐ Tsunagu")
        },
    },
}
# Newsletter sign-up (publishers/newsletter/conf.py reads these). The From
# address: empty is DEFAULT_FROM_EMAIL; Mailchimp needs a real address of a
# domain verified there.
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default="")
NEWSLETTER_CONSENT_VERSION = env.str("NEWSLETTER_CONSENT_VERSION", default="2026-11")
NEWSLETTER_CONFIRM_MAX_AGE_SECONDS = env.int(
    "NEWSLETTER_CONFIRM_MAX_AGE_SECONDS", default=3 * 24 * 3600
)
NEWSLETTER_CONFIRM_RESEND_SECONDS = env.int(
    "NEWSLETTER_CONFIRM_RESEND_SECONDS", default=600
)
NEWSLETTER_SIGNUPS_PER_HOUR = env.int("NEWSLETTER_SIGNUPS_PER_HOUR", default=20)
NEWSLETTER_PENDING_KEEP_DAYS = env.int("NEWSLETTER_PENDING_KEEP_DAYS", default=30)
NEWSLETTER_UNSUBSCRIBE_MAILTO = env.str("NEWSLETTER_UNSUBSCRIBE_MAILTO", default="")
MAILCHIMP_WEBHOOK_SECRET = env.str("MAILCHIMP_WEBHOOK_SECRET", default="")
# Mailchimp (publishers/backends/newsletter/): on when its key and audience
# are set; the embedded default is Django's e-mail.
MAILCHIMP_API_KEY = env.str("MAILCHIMP_API_KEY", default="")
TSUNAGU_NEWSLETTER = (
    {
        "BACKEND": "mailchimp",
        "OPTIONS": {
            "API_KEY": MAILCHIMP_API_KEY,
            "LIST_ID": env.str("MAILCHIMP_LIST_ID"),
            **(
                {"API_URL": env.str("MAILCHIMP_API_URL")}
                if env.str("MAILCHIMP_API_URL", default="")
                else {}
            ),
        },
    }
    if MAILCHIMP_API_KEY
    else {}
)
if X_ENABLED:
    TSUNAGU_PUBLISHERS["x"] = {
        "BACKEND": "publishers.channels.social.SocialChannel",
        "OPTIONS": {
            "LOCALES": env.list("X_LOCALES", default=["ja"]),
            "CORRECTION": env.str("X_ON_CORRECTION", default="reply"),
            "UNPUBLISH": env.str("X_ON_UNPUBLISH", default="delete"),
            "DAILY_CAP": env.int("X_DAILY_CAP", default=50),
            "MONTHLY_CAP": env.int("X_MONTHLY_CAP", default=1000),
        },
    }
TSUNAGU_OUTBOX = {
    "MAX_ATTEMPTS": env.int("OUTBOX_MAX_ATTEMPTS", default=8),
    "RETRY_BASE_SECONDS": env.int("OUTBOX_RETRY_BASE_SECONDS", default=30),
    "RETRY_MAX_SECONDS": env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600),
    "LEASE_SECONDS": env.int("OUTBOX_LEASE_SECONDS", default=120),
    "REQUEUE_AFTER_SECONDS": env.int("OUTBOX_REQUEUE_AFTER_SECONDS", default=300),
}

# Machine translation (translation/conf.py has every option). Without a DeepL
# key nothing is translated: drafts say they await translation.
DEEPL_AUTH_KEY = env.str("DEEPL_AUTH_KEY", default="")
TSUNAGU_TRANSLATION = {
    "BACKEND": env.str(
        "TRANSLATION_BACKEND", default="deepl" if DEEPL_AUTH_KEY else "none"
    ),
    "DEEPL_AUTH_KEY": DEEPL_AUTH_KEY,
    "DEEPL_SERVER_URL": env.str("DEEPL_SERVER_URL", default=""),
    "DEEPL_TIMEOUT_SECONDS": env.float("DEEPL_TIMEOUT_SECONDS", default=30.0),
    "DEEPL_MAX_RETRIES": env.int("DEEPL_MAX_RETRIES", default=3),
    "FORMALITY": env.str("TRANSLATION_FORMALITY", default="prefer_more"),
    "MONTHLY_BUDGET_CHARACTERS": env.int(
        "TRANSLATION_MONTHLY_BUDGET_CHARACTERS", default=500_000
    ),
    "PRICE_PER_MILLION": env.str("TRANSLATION_PRICE_PER_MILLION", default="25.00"),
    # The glossary loaded on first set-up: the seed kept in the repository.
    "GLOSSARY_SEED_CSV": env.str(
        "GLOSSARY_SEED_CSV",
        default=str(BASE_DIR / "translation" / "seed" / "terms.csv"),
    ),
}
# The editor's "Machine translate" button: through our translation service.
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
    "CLASS": "translation.machine_translator.TsunaguMachineTranslator",
    "OPTIONS": {},
}

# wagtail-localize: a translation starts as a draft, whatever the source's state;
# Japanese pages go live only through HQ review.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
