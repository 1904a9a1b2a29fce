"""The site's public address: where every absolute URL starts.

Pages, feeds, the sitemap and robots.txt, the API's ``html_url``, canonical,
hreflang and Open Graph links, e-mails and webhook payloads all take their
scheme, host and port from one setting, ``TSUNAGU_BASE_URL``, which
``run_all`` sets from its ``--addr``. Wagtail's own answer (the default
Site record's hostname and port) is written once at the first set-up and
cannot say https on another port than 443, so our pages override
``get_url_parts`` to use this (cms.models.pages.SiteURLMixin) and code that
holds a plain ``Page`` calls ``page_full_url``.
"""

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

if TYPE_CHECKING:  # settings import this module before the apps are ready
    from wagtail.models import Page

# Addresses a server listens on that a browser cannot open: a link shows the
# loopback address of the same family instead.
WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104


def site_base_url() -> str:
    """``TSUNAGU_BASE_URL`` without a trailing slash, e.g. https://news.example.org."""
    return settings.TSUNAGU_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (starting with /) on the site's public address."""
    return site_base_url() + path


def page_full_url(page: "Page", request=None) -> str | None:
    """A page's absolute URL on the public address, whatever its class
    (``Page.objects`` gives plain pages); None if it is not routable."""
    parts = page.get_url_parts(request=request)
    if parts is None or parts[2] is None:
        return None
    return site_base_url() + parts[2]


def addr_split(addr: str, *, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """``host:port``, ``[v6]:port`` or ``port`` (runserver's forms) as
    (host, port); raises ValueError for anything else."""
    host, _sep, port = addr.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{addr!r} is not host:port")
    return host.strip("[]") or default_host, int(port)


def addr_url(addr: str) -> str:
    """The http URL that reaches a server listening on ``addr`` from this
    machine: a wildcard address (0.0.0.0, ::) becomes loopback."""
    host, port = addr_split(addr)
    host = WILDCARD_HOSTS.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def url_hostport(url: str) -> str:
    """``host:port`` of an http(s) URL, the form the safe-HTTP allow-list takes."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
