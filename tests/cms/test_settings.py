"""Production refuses to start without its secrets; security headers are on."""

import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR, database_url_for_processes

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "news.example.org",
    "DATABASE_URL": "postgres://tsunagu@db.example.org:5432/tsunagu",
    "TSUNAGU_BASE_URL": "https://news.example.org",
}

PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "nosniff": settings.SECURE_CONTENT_TYPE_NOSNIFF,
    "debug": settings.DEBUG,
    "hosts": settings.ALLOWED_HOSTS,
}))
"""


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and not key.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "cms.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("missing", sorted(PRODUCTION_ENV))
def test_production_settings_fail_with_a_clear_message_when_a_secret_is_missing(
    missing,
):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _python(PROBE, env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"environment variables: {missing}" in result.stderr
    assert ".env.example" in result.stderr


def test_production_settings_name_every_missing_variable_at_once():
    result = _python(PROBE, {})
    assert "SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL" in result.stderr


def test_production_settings_load_with_their_secrets_and_are_secure():
    result = _python(PROBE, PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["hsts"] >= 31536000
    assert values["ssl_redirect"] and values["session_secure"] and values["csrf_secure"]
    assert values["nosniff"]
    assert values["debug"] is False
    assert values["hosts"] == ["news.example.org"]


REQUEST = """
import json, django
django.setup()
from django.test import Client
client = Client()
public = client.get("/", secure=True, HTTP_HOST="news.example.org")
plain = client.get("/", HTTP_HOST="news.example.org")
print(json.dumps({
    "status": public.status_code,
    "headers": dict(public.headers),
    "plain_status": plain.status_code,
    "plain_location": plain.headers.get("Location"),
}))
"""


@pytest.mark.django_db
def test_production_sends_security_headers_behind_tls(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": database_url_for_processes(),
        "STATIC_ROOT": str(tmp_path),
    }
    collect = _python(
        "import django; django.setup(); from django.core.management import "
        "call_command; call_command('collectstatic', interactive=False, verbosity=0)",
        env,
    )
    assert collect.returncode == 0, collect.stderr
    result = _python(REQUEST, env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = answer["headers"]
    assert answer["status"] == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    # Plain HTTP is sent to HTTPS.
    assert answer["plain_status"] == 301
    assert answer["plain_location"].startswith("https://news.example.org/")


@pytest.mark.django_db
def test_public_pages_have_a_content_security_policy_and_the_admin_keeps_its_own(
    client, admin_client
):
    public = client.get("/")
    assert public.status_code == 200
    assert "object-src 'none'" in public.headers["Content-Security-Policy"]
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    admin = admin_client.get("/admin/")
    assert admin.status_code == 200
    assert "Content-Security-Policy" not in admin.headers


def test_system_checks_pass_on_a_fresh_clone_without_var(tmp_path):
    """CI runs `manage.py check` before anything made var/; the check opens
    the SQLite file (JSONField support is a database feature), so the settings
    make the folder."""
    var_dir = tmp_path / "not-there-yet" / "var"
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and not key.startswith("DJANGO_")
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "TSUNAGU_VAR_DIR": str(var_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert var_dir.is_dir()


def test_development_makes_its_secret_key_once_and_keeps_it(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from cms.env import local_secret_key

    folder = tmp_path / "var"
    with ThreadPoolExecutor(4) as pool:
        keys = set(pool.map(lambda _: local_secret_key(folder), range(8)))
    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 50
    assert local_secret_key(folder) == key
    assert [p.name for p in folder.iterdir()] == ["secret_key"]


def test_development_settings_take_the_environments_key_first(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SECRET_KEY)"
    )
    for given in ("from-the-environment", None):
        env = {
            **clean,
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "TSUNAGU_VAR_DIR": str(tmp_path),
        }
        env.pop("SECRET_KEY", None)
        if given:
            env["SECRET_KEY"] = given
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        expected = given or (tmp_path / "secret_key").read_text().strip()
        assert result.stdout.strip() == expected


DEV_DEMO = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
css = client.get("/static/cms/site.css")
print(json.dumps({
    "debug": settings.DEBUG,
    "base": settings.TSUNAGU_BASE_URL,
    "allow": settings.TSUNAGU_SAFEHTTP["ALLOW"],
    "hosts": settings.ALLOWED_HOSTS,
    "missing_status": missing.status_code,
    "missing": missing.content.decode(),
    "css_status": css.status_code,
}))
"""


@pytest.mark.django_db
def test_the_demo_as_run_all_starts_it_shows_the_sites_own_404_on_its_addresses(
    tmp_path,
):
    """run_all's environment: DEBUG off, its base URL, its demo sources'
    address allow-listed (with the operator's own entries kept)."""
    result = _python(
        DEV_DEMO,
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
            "DJANGO_READ_DOT_ENV_FILE": "0",
            "DATABASE_URL": database_url_for_processes(),
            "TSUNAGU_VAR_DIR": str(tmp_path),
            "DEBUG": "0",
            "TSUNAGU_BASE_URL": "http://192.168.1.5:9123",
            "DEMO_SOURCES_ADDR": "0.0.0.0:9124",
            "SAFEHTTP_ALLOW": "10.0.0.5:8080",
        },
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["debug"] is False
    assert answer["base"] == "http://192.168.1.5:9123"
    assert answer["allow"] == ["10.0.0.5:8080", "127.0.0.1:9124"]
    assert "192.168.1.5" in answer["hosts"]
    # The site's own page (in Japanese), not Django's technical one.
    assert answer["missing_status"] == 404
    assert "ページが見つかりません" in answer["missing"]
    assert "technical_404" not in answer["missing"]
    assert answer["css_status"] == 200  # static files without collectstatic
