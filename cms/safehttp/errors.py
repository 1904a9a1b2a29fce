"""Errors of the safe-HTTP client.

Every error's ``str()`` is a plain sentence: it is shown as-is on a source's
health page and in a webhook's delivery log, where the reader is an editor,
not a programmer. Structured details stay on attributes for code and logs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

# What each kind of refused address is, in words, and how to say "we don't go
# there". Kept beside the errors so the sentence and the category never drift.
ADDRESS_CATEGORIES: dict[str, tuple[str, str]] = {
    "unspecified": ("is the unspecified address", "unspecified addresses"),
    "loopback": ("is a loopback address (this server itself)", "loopback addresses"),
    "link-local": (
        "is a link-local address (such as the cloud metadata service at "
        "169.254.169.254)",
        "link-local addresses",
    ),
    "private": ("is on a private network", "private networks"),
    "shared": (
        "is in the shared address space that carriers use inside their networks",
        "shared address space",
    ),
    "multicast": ("is a multicast address", "multicast addresses"),
    "documentation": (
        "is reserved for documentation examples",
        "documentation addresses",
    ),
    "benchmarking": (
        "is reserved for network benchmarking",
        "benchmarking addresses",
    ),
    "reserved": (
        "is reserved for special use and is not reachable on the public internet",
        "such addresses",
    ),
}


def display_url(url: object, *, limit: int = 300) -> str:
    """The URL as it may be shown or logged: never with a password in it, and
    short enough for a table cell (a ``javascript:`` URL can be huge)."""
    text = str(url)
    try:
        parts = urlsplit(text)
        if parts.username is not None or parts.password is not None:
            host = parts.netloc.rpartition("@")[2]
            text = parts._replace(netloc=f"***@{host}").geturl()
    except ValueError:
        # Unparseable: show it, it cannot be used anyway; but cut any userinfo.
        if "@" in text:
            text = "***@" + text.rpartition("@")[2]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _seconds(value: float) -> str:
    return f"{value:g} second" + ("" if value == 1 else "s")


def _size(value: int) -> str:
    if value >= 1024 * 1024:
        return f"{value / (1024 * 1024):.3g} MB"
    if value >= 1024:
        return f"{value / 1024:.3g} KB"
    return f"{value} bytes"


class SafeHTTPError(Exception):
    """Base of everything the client refuses or fails at.

    Callers may raise it themselves with a sentence of their own (the scrapers
    do for a robots.txt that answers 5xx), so the message is the only
    required argument.
    """

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        redirected_from: str | None = None,
    ) -> None:
        if redirected_from:
            message = (
                f"{message} (Tsunagu was sent there by a redirect from "
                f"{display_url(redirected_from)}.)"
            )
        super().__init__(message)
        self.message = message
        self.url = display_url(url) if url is not None else None
        self.redirected_from = redirected_from

    def __str__(self) -> str:
        return self.message


class InvalidURL(SafeHTTPError):
    """Malformed, relative, or carrying a user name or password."""

    def __init__(
        self, *, url: str, detail: str, redirected_from: str | None = None
    ) -> None:
        super().__init__(
            f"“{display_url(url)}” is not an address Tsunagu can fetch: {detail}.",
            url=url,
            redirected_from=redirected_from,
        )
        self.detail = detail


class UnsupportedScheme(InvalidURL):
    def __init__(
        self, *, url: str, scheme: str, redirected_from: str | None = None
    ) -> None:
        super().__init__(
            url=url,
            detail=f"it uses {scheme}:, and Tsunagu fetches only http and https",
            redirected_from=redirected_from,
        )
        self.scheme = scheme


class BlockedAddress(SafeHTTPError):
    def __init__(
        self,
        *,
        url: str,
        host: str,
        address: str,
        category: str,
        inner: str | None = None,
        redirected_from: str | None = None,
    ) -> None:
        phrase, plural = ADDRESS_CATEGORIES[category]
        subject = f"The address {address}"
        if host.strip("[]") != address:
            subject += f" of {host}"
        if inner is not None:
            subject += f" (which carries the IPv4 address {inner})"
        super().__init__(
            f"{subject} {phrase}; Tsunagu does not fetch from {plural}.",
            url=url,
            redirected_from=redirected_from,
        )
        self.host = host
        self.address = address
        self.category = category


class DNSError(SafeHTTPError):
    def __init__(
        self, *, url: str, host: str, detail: str, redirected_from: str | None = None
    ) -> None:
        super().__init__(
            f"The host name {host} could not be found ({detail}).",
            url=url,
            redirected_from=redirected_from,
        )
        self.host = host


class TooManyRedirects(SafeHTTPError):
    def __init__(
        self, *, url: str, max_redirects: int, loop_target: str | None = None
    ) -> None:
        if loop_target is not None:
            message = (
                f"{display_url(url)} redirects in a loop (back to "
                f"{display_url(loop_target)}); Tsunagu stopped following it."
            )
        else:
            message = (
                f"{display_url(url)} redirected more than {max_redirects} times; "
                f"Tsunagu follows at most {max_redirects} redirects."
            )
        super().__init__(message, url=url)
        self.max_redirects = max_redirects
        self.loop = loop_target is not None


class BodyTooLarge(SafeHTTPError):
    def __init__(
        self, *, url: str, max_bytes: int, declared: int | None = None
    ) -> None:
        if declared is not None:
            message = (
                f"The response from {display_url(url)} announces {_size(declared)}, "
                f"more than the {_size(max_bytes)} Tsunagu reads from one address."
            )
        else:
            message = (
                f"The response from {display_url(url)} is larger than "
                f"{_size(max_bytes)}, the most Tsunagu reads from one address."
            )
        super().__init__(message, url=url)
        self.max_bytes = max_bytes
        self.declared = declared


class FetchTimeout(SafeHTTPError):
    """``phase`` is connect, read, write, pool or total."""

    def __init__(self, *, url: str, host: str, phase: str, seconds: float) -> None:
        wait = _seconds(seconds)
        sentences = {
            "connect": f"{host} did not accept a connection within {wait}.",
            "read": f"{host} stopped sending data for {wait}.",
            "write": f"{host} stopped accepting data for {wait}.",
            "pool": (
                f"All of Tsunagu's connections were busy for {wait}; "
                f"{display_url(url)} was not fetched."
            ),
            "total": (
                f"Fetching {display_url(url)} took longer than the "
                f"{wait} Tsunagu allows."
            ),
        }
        super().__init__(sentences[phase], url=url)
        self.host = host
        self.phase = phase
        self.seconds = seconds


class ConnectionFailed(SafeHTTPError):
    def __init__(self, *, url: str, host: str, detail: str) -> None:
        super().__init__(
            f"Tsunagu could not get a response from {host}: {detail}.", url=url
        )
        self.host = host
        self.detail = detail


class DecodingError(SafeHTTPError):
    def __init__(self, *, url: str, encoding: str, detail: str) -> None:
        super().__init__(
            f"The response from {display_url(url)} could not be decompressed "
            f"({encoding}): {detail}.",
            url=url,
        )
        self.encoding = encoding
