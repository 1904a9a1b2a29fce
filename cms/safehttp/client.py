"""SafeClient: the one way Tsunagu reaches another server (see the package
docstring for the rules it enforces)."""

from __future__ import annotations

import contextlib
import logging
import re
import ssl
import time
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Self

import httpcore
import httpx
from django.core.exceptions import ImproperlyConfigured

from .addresses import (
    AllowList,
    Resolver,
    address_verdict,
    parse_ip,
    system_resolver,
)
from .decoding import BoundedBody
from .errors import (
    BlockedAddress,
    BodyTooLarge,
    ConnectionFailed,
    DNSError,
    FetchTimeout,
    SafeHTTPError,
    TooManyRedirects,
    display_url,
)
from .models import Limits, Response, safehttp_setting
from .transport import Pin, PinnedTransport, pinned
from .urls import DEFAULT_PORTS, origin, parse_url

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Methods whose redirects are followed. Anything else (a webhook POST) gets
# the 3xx back: re-sending a body to wherever a server points, or silently
# turning a POST into a GET, are both surprises a caller should decide on.
FOLLOWED_METHODS = frozenset({"GET", "HEAD"})
# Headers the client owns: framing, connection management, and the encodings
# it knows how to decode under the size cap.
RESERVED_HEADERS = frozenset(
    {
        "accept-encoding",
        "connection",
        "content-length",
        "host",
        "keep-alive",
        "proxy-authorization",
        "te",
        "transfer-encoding",
        "upgrade",
        "user-agent",
    }
)
# Credentials a caller gave for one origin are not handed to another.
ORIGIN_BOUND_HEADERS = ("authorization", "cookie")
_METHOD = re.compile(r"[A-Z]+")


class SafeClient:
    """Fetches and posts under Tsunagu's network rules; reusable and
    thread-safe (share one across a thread pool; close it when done).

    ``allow``, ``user_agent`` and ``limits`` default to TSUNAGU_SAFEHTTP.
    ``resolver`` and ``network_backend`` exist for tests: the resolver turns a
    host name into addresses (called once per hop), and the backend opens a
    socket to an address that passed the checks. ``ssl_context`` replaces the
    default trust (certifi, or SSL_CERT_FILE / SSL_CERT_DIR) for a private
    certificate authority or a test one.
    """

    def __init__(
        self,
        *,
        allow: Iterable[str] | None = None,
        user_agent: str | None = None,
        limits: Limits | None = None,
        resolver: Resolver | None = None,
        network_backend: httpcore.NetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.user_agent = user_agent or str(safehttp_setting("USER_AGENT"))
        if allow is None:
            try:
                self.allow = AllowList.parse(safehttp_setting("ALLOW"))
            except ValueError as exc:
                raise ImproperlyConfigured(f"TSUNAGU_SAFEHTTP['ALLOW']: {exc}") from exc
        else:
            self.allow = AllowList.parse(allow)
        self._resolver = resolver or system_resolver
        self._transport = PinnedTransport(
            network_backend=network_backend, ssl_context=ssl_context
        )
        self._closed = False

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        self._transport.close()

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", url, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        json: Any = None,
    ) -> Response:
        method = method.upper()
        if not _METHOD.fullmatch(method):
            raise ValueError(f"{method!r} is not an HTTP method.")
        if content is not None and json is not None:
            raise ValueError("Pass content or json, not both.")
        if self._closed:
            raise RuntimeError("This SafeClient is closed.")
        outgoing = self._headers(headers)
        started = time.monotonic()
        try:
            response = self._request(
                method,
                url,
                headers=outgoing,
                content=content,
                json=json,
                started=started,
            )
        except SafeHTTPError as exc:
            logger.info(
                "safehttp %s %s not fetched (%s): %s",
                method,
                display_url(url),
                type(exc).__name__,
                exc,
            )
            raise
        logger.debug(
            "safehttp %s %s -> %s %s (%d bytes, %d redirects, %.2fs)",
            method,
            display_url(url),
            response.status_code,
            display_url(response.url),
            len(response.content),
            len(response.redirects),
            response.elapsed,
        )
        return response

    def check(self, url: str) -> None:
        """Rules 1 and 2 for ``url`` without connecting: raise what a request
        would raise before it left (an address an editor saves is checked
        when it is saved, and again at every use, since DNS changes)."""
        current = parse_url(url)
        self._pin(
            current,
            deadline=time.monotonic() + self.limits.total_timeout,
            redirected_from=None,
        )

    # The steps of one call.

    def _request(
        self,
        method: str,
        url: str,
        *,
        headers: httpx.Headers,
        content: bytes | None,
        json: Any,
        started: float,
    ) -> Response:
        deadline = started + self.limits.total_timeout
        current = parse_url(url)
        redirects: list[str] = []
        seen = {str(current)}
        while True:
            pin = self._pin(
                current, deadline=deadline, redirected_from=_last(redirects)
            )
            request = httpx.Request(
                method,
                current,
                headers=headers,
                content=content,
                json=json,
                extensions={"timeout": self._timeouts(deadline)},
            )
            with pinned(pin), self._errors(current, deadline):
                raw = self._transport.handle_request(request)
                try:
                    target = raw.headers.get("location")
                    if (
                        method not in FOLLOWED_METHODS
                        or raw.status_code not in REDIRECT_STATUSES
                        or not target
                    ):
                        body = self._body(
                            raw, method=method, url=current, deadline=deadline
                        )
                        return Response(
                            url=str(current),
                            status_code=raw.status_code,
                            headers=raw.headers,
                            content=body,
                            redirects=redirects,
                            elapsed=time.monotonic() - started,
                        )
                finally:
                    raw.close()
            following = parse_url(target, base=current, redirected_from=str(current))
            if str(following) in seen:
                raise TooManyRedirects(
                    url=str(current),
                    max_redirects=self.limits.max_redirects,
                    loop_target=str(following),
                )
            if len(redirects) >= self.limits.max_redirects:
                raise TooManyRedirects(url=url, max_redirects=self.limits.max_redirects)
            redirects.append(str(current))
            seen.add(str(following))
            if origin(following) != origin(current):
                for name in ORIGIN_BOUND_HEADERS:
                    headers.pop(name, None)
            current = following

    def _headers(self, extra: Mapping[str, str] | None) -> httpx.Headers:
        headers = httpx.Headers(
            {
                "User-Agent": self.user_agent,
                "Accept": "*/*",
                "Accept-Encoding": "gzip, deflate, br",
            }
        )
        for name, value in (extra or {}).items():
            if name.lower() in RESERVED_HEADERS:
                raise ValueError(f"SafeClient sets the {name} header itself.")
            headers[name] = value
        return headers

    def _timeouts(self, deadline: float) -> dict[str, float]:
        left = max(deadline - time.monotonic(), 0.001)
        connect = min(self.limits.connect_timeout, left)
        read = min(self.limits.read_timeout, left)
        return {"connect": connect, "read": read, "write": read, "pool": connect}

    def _pin(
        self, url: httpx.URL, *, deadline: float, redirected_from: str | None
    ) -> Pin:
        """Resolve the host once, refuse it if any address is off limits, and
        return the addresses the connection may use."""
        host = url.raw_host.decode("ascii")
        port = url.port or DEFAULT_PORTS[url.scheme]
        literal = parse_ip(host)
        if literal is not None:
            candidates = [literal]
        else:
            try:
                answers = list(self._resolver(host, port))
                candidates = [parse_ip(answer) for answer in answers]
            except OSError as exc:
                raise DNSError(
                    url=str(url),
                    host=url.host,
                    detail=_dns_detail(exc),
                    redirected_from=redirected_from,
                ) from exc
            if not candidates or None in candidates:
                raise DNSError(
                    url=str(url),
                    host=url.host,
                    detail=f"the lookup gave no usable address: {answers!r}",
                    redirected_from=redirected_from,
                )
        if time.monotonic() >= deadline:
            raise self._total_timeout(url)
        name_allowed = self.allow.allows_name(host, port)
        for address in candidates:
            assert address is not None
            verdict = address_verdict(address)
            if (
                verdict is None
                or name_allowed
                or self.allow.allows_address(address, port)
            ):
                continue
            raise BlockedAddress(
                url=str(url),
                host=url.host,
                address=str(address),
                category=verdict.category,
                inner=str(verdict.inner) if verdict.inner else None,
                redirected_from=redirected_from,
            )
        return Pin(
            host=host,
            port=port,
            addresses=tuple(str(address) for address in candidates),
            deadline=deadline,
        )

    def _body(
        self, raw: httpx.Response, *, method: str, url: httpx.URL, deadline: float
    ) -> bytes:
        no_body = method == "HEAD" or raw.status_code in (204, 304)
        declared = raw.headers.get("content-length", "").strip()
        if not no_body and declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise BodyTooLarge(
                url=str(url), max_bytes=self.limits.max_bytes, declared=int(declared)
            )
        body = BoundedBody(
            encodings=raw.headers.get_list("content-encoding", split_commas=True),
            max_bytes=self.limits.max_bytes,
            url=str(url),
        )
        for chunk in raw.iter_raw():
            body.feed(chunk)
            if time.monotonic() >= deadline:
                raise self._total_timeout(url)
        return body.finish()

    @contextlib.contextmanager
    def _errors(self, url: httpx.URL, deadline: float) -> Iterator[None]:
        """Turn httpx's transport exceptions into sentences."""
        try:
            yield
        except httpx.TimeoutException as exc:
            # 10 ms of slack: the socket timeout was cut to the time left, so
            # it fires right at the deadline, give or take the clock.
            if time.monotonic() >= deadline - 0.01:
                raise self._total_timeout(url) from exc
            phase, seconds = {
                httpx.ConnectTimeout: ("connect", self.limits.connect_timeout),
                httpx.WriteTimeout: ("write", self.limits.read_timeout),
                httpx.PoolTimeout: ("pool", self.limits.connect_timeout),
            }.get(type(exc), ("read", self.limits.read_timeout))
            raise FetchTimeout(
                url=str(url), host=url.host, phase=phase, seconds=seconds
            ) from exc
        except httpx.TransportError as exc:
            raise ConnectionFailed(
                url=str(url), host=url.host, detail=_transport_detail(exc)
            ) from exc

    def _total_timeout(self, url: httpx.URL) -> FetchTimeout:
        return FetchTimeout(
            url=str(url),
            host=url.host,
            phase="total",
            seconds=self.limits.total_timeout,
        )


def _last(items: list[str]) -> str | None:
    return items[-1] if items else None


def _dns_detail(exc: OSError) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"DNS said: {text}"


def _transport_detail(exc: BaseException) -> str:
    chain: list[BaseException] = []
    cursor: BaseException | None = exc
    while cursor is not None and cursor not in chain:
        chain.append(cursor)
        cursor = cursor.__cause__ or cursor.__context__
    for error in chain:
        if isinstance(error, ssl.SSLCertVerificationError):
            reason = error.verify_message or "not trusted"
            return f"its security certificate could not be verified ({reason})"
        if isinstance(error, ssl.SSLError):
            return "the secure (TLS) connection could not be set up"
        if isinstance(error, ConnectionRefusedError):
            return "the connection was refused"
        if isinstance(error, ConnectionResetError):
            return "the connection was reset"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke off or sent an invalid response"
    if isinstance(exc, httpx.ConnectError):
        return f"the connection failed ({exc})"
    return str(exc) or type(exc).__name__
