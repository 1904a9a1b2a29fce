"""Safe outbound HTTP: everything Tsunagu fetches (scrapers) or posts (partner
webhooks) goes through :class:`SafeClient`.

Whoever controls a URL, its DNS or a redirect must not be able to make
Tsunagu reach its own network, and a hostile server must not be able to
exhaust its memory or time. Usage::

    from cms.safehttp import SafeClient, SafeHTTPError

    with SafeClient() as client:            # settings: TSUNAGU_SAFEHTTP
        try:
            response = client.get(url, headers={"If-None-Match": etag})
        except SafeHTTPError as exc:
            source.last_error = str(exc)     # a sentence an editor can read
        else:
            if response.status_code == 304: ...

Interface
    ``SafeClient(*, allow=None, user_agent=None, limits=None, resolver=None,
    network_backend=None, ssl_context=None)``; ``.get(url, *, headers=None)``;
    ``.request(method, url, *, headers=None, content=None, json=None)``;
    ``.close()`` or ``with``; attributes ``.limits``, ``.allow``,
    ``.user_agent``. One client is thread-safe and pools connections; share
    it across a thread pool.

    ``Limits(*, max_bytes, max_redirects, connect_timeout, read_timeout,
    total_timeout)``, frozen; unset fields come from settings.

    ``Response``: ``url`` (final), ``status_code``, ``headers``
    (``httpx.Headers``, case-insensitive), ``content`` (bytes, decoded from
    gzip/deflate/br), ``redirects`` (the URLs that redirected, in order),
    ``elapsed`` (seconds), ``content_type`` and ``charset`` (from the header).
    Every status, 304, 429 and 503 included, is returned, never raised.

    Errors, all :class:`SafeHTTPError` with a readable ``str()``:
    ``InvalidURL`` (malformed, relative, credentials in it) and its subclass
    ``UnsupportedScheme``; ``BlockedAddress``; ``DNSError``;
    ``TooManyRedirects`` (over the limit, or a loop); ``BodyTooLarge``;
    ``FetchTimeout`` (``.phase``: connect, read, write, pool or total);
    ``ConnectionFailed`` (refused, reset, TLS, broken response);
    ``DecodingError`` (broken or unknown compression). Programming mistakes
    (a reserved header, content and json together, a closed client) raise
    ValueError or RuntimeError.

Rules
    1. http and https only, on the URL's port or the scheme's default; no
       ``user:pass@``; malformed URLs are refused with the reason.
    2. The host is resolved once per hop; if any address is loopback,
       private, link-local (169.254.169.254), multicast, reserved,
       unspecified, shared (100.64/10), benchmarking, documentation,
       IPv6 unique-local or site-local, or an IPv6 form (mapped, compatible,
       6to4, NAT64, translated) of such an IPv4 address, the call is refused.
       Numeric shorthands (``2130706433``, ``0x7f.1``, ``127.1``) are read as
       the addresses they are.
    3. The connection goes to an address that was checked, never to a second
       lookup (:mod:`.transport`); Host, SNI and certificate checks use the
       host name.
    4. GET and HEAD follow 301/302/303/307/308 by hand, each hop checked
       again, relative Locations resolved, loops and more than
       ``max_redirects`` refused; Authorization and Cookie are dropped when
       the origin changes. Other methods (webhook POSTs) never follow: the
       3xx is returned.
    5. The body is streamed; ``max_bytes`` caps the bytes on the wire and
       after decompression (:mod:`.decoding`), a larger Content-Length is
       refused before reading, and ``total_timeout`` bounds the whole call,
       redirects, connects and every read included.
    6. User-Agent from settings, ``Accept-Encoding: gzip, deflate, br``;
       other caller headers (If-None-Match, If-Modified-Since,
       Authorization) pass through. Cookies are never stored, proxies and
       proxy environment variables never used.
    7. ``TSUNAGU_SAFEHTTP["ALLOW"]`` (or ``allow=``) lists exact
       ``host:port`` pairs that may be reached although refused by rule 2:
       ``127.0.0.1:8001`` matches that checked address and port,
       ``localhost:8001`` that host name and port, ``[::1]:8001`` the IPv6
       loopback. No wildcards.
    8. Each call is logged at DEBUG, each refusal or failure at INFO, with the
       URL (passwords removed); never bodies or headers.
"""

from .addresses import AllowList, Resolver, system_resolver
from .client import SafeClient
from .errors import (
    BlockedAddress,
    BodyTooLarge,
    ConnectionFailed,
    DecodingError,
    DNSError,
    FetchTimeout,
    InvalidURL,
    SafeHTTPError,
    TooManyRedirects,
    UnsupportedScheme,
)
from .models import Limits, Response

__all__ = [
    "AllowList",
    "BlockedAddress",
    "BodyTooLarge",
    "ConnectionFailed",
    "DNSError",
    "DecodingError",
    "FetchTimeout",
    "InvalidURL",
    "Limits",
    "Resolver",
    "Response",
    "SafeClient",
    "SafeHTTPError",
    "TooManyRedirects",
    "UnsupportedScheme",
    "system_resolver",
]
