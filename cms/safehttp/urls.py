"""Which URLs the client accepts (rule 1 of the package docstring)."""

from __future__ import annotations

import re

import httpx

from .addresses import normalise_host
from .errors import InvalidURL, UnsupportedScheme

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_CHARS = re.compile(r"[a-z0-9._-]+")


def parse_url(
    raw: str | httpx.URL,
    *,
    base: httpx.URL | None = None,
    redirected_from: str | None = None,
) -> httpx.URL:
    """An absolute http(s) URL with a plausible host and no credentials, or
    InvalidURL / UnsupportedScheme saying why not."""
    text = str(raw)

    def invalid(detail: str) -> InvalidURL:
        return InvalidURL(url=text, detail=detail, redirected_from=redirected_from)

    try:
        url = base.join(text) if base is not None else httpx.URL(text)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise invalid(str(exc).rstrip(".") or "it cannot be parsed") from exc
    if not url.scheme:
        raise invalid("it is not a full address starting with http:// or https://")
    if url.scheme not in DEFAULT_PORTS:
        raise UnsupportedScheme(
            url=text, scheme=url.scheme, redirected_from=redirected_from
        )
    if url.userinfo:
        raise invalid(
            "it contains a user name or password, which Tsunagu never sends "
            "inside an address"
        )
    host = url.raw_host.decode("ascii").lower()
    if not host:
        raise invalid("it has no host name")
    if ":" not in host and not _HOST_CHARS.fullmatch(host):
        raise invalid("its host name contains characters a host name cannot have")
    if url.port is not None and not 0 < url.port < 65536:
        raise invalid(f"{url.port} is not a valid port")
    return url


def origin(url: httpx.URL) -> tuple[str, str, int]:
    return (
        url.scheme,
        normalise_host(url.raw_host.decode("ascii")),
        url.port or DEFAULT_PORTS[url.scheme],
    )
