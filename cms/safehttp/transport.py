"""The httpx transport that dials only addresses the client has checked.

httpx (through httpcore) would resolve the host name again when it opens a
connection, and a hostile DNS server can answer that second lookup with
127.0.0.1 (DNS rebinding). So the client resolves and checks the name itself,
puts the checked addresses in a context variable for the duration of the
request (a "pin"), and this transport's network backend connects to those
addresses and nothing else. The URL is left alone, so the Host header, TLS SNI
and certificate verification all still use the original host name, and the
pool keeps one set of connections per (scheme, host, port).

The pin also carries the request's total deadline: every socket read, write,
connect and TLS handshake is given at most the time left, so a server that
trickles one byte a second is cut off at the deadline even though no single
read is slow.

Context variables are per thread, and httpcore's sync pool opens and reads a
connection in the thread that made the request, so one transport can serve a
whole thread pool. A pooled keep-alive connection may be reused by a later
request for the same origin; it leads to an address that was checked when it
was opened, and the later request has just passed the same checks.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import time
import typing
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

import httpcore
import httpx


@dataclass(frozen=True)
class Pin:
    """The checked addresses for one request hop, and its deadline
    (``time.monotonic()`` seconds)."""

    host: str  # as httpcore will ask for it: the URL's ASCII host, no brackets
    port: int
    addresses: tuple[str, ...]
    deadline: float


_current_pin: ContextVar[Pin | None] = ContextVar("safehttp_pin", default=None)


@contextlib.contextmanager
def pinned(pin: Pin) -> Iterator[None]:
    token = _current_pin.set(pin)
    try:
        yield
    finally:
        _current_pin.reset(token)


def _time_left(
    timeout: float | None, error: type[httpcore.TimeoutException]
) -> float | None:
    pin = _current_pin.get()
    if pin is None:
        return timeout
    remaining = pin.deadline - time.monotonic()
    if remaining <= 0:
        raise error("The total time limit was reached.")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """Bounds every operation on a connection by the current request's
    deadline. The deadline is looked up at each call, not stored, because a
    kept-alive connection serves later requests with deadlines of their own."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _time_left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _time_left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        timeout = _time_left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, timeout)
        )

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to the pinned addresses of the current
    request, trying them in order. ``inner`` does the actual dialling (tests
    pass one that records where it was asked to go)."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        pin = _current_pin.get()
        if pin is None or pin.host != host or pin.port != port:
            # Fail closed: a connection nobody checked is never opened.
            raise httpcore.ConnectError(
                f"No checked address for {host}:{port}; refusing to connect."
            )
        failure: Exception | None = None
        for address in pin.addresses:
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=_time_left(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return _DeadlineStream(stream)
        assert failure is not None  # a pin always has at least one address
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: typing.Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("Unix sockets are never used by safehttp.")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """certifi's roots (or SSL_CERT_FILE / SSL_CERT_DIR), loaded once: reading
    the bundle takes tens of milliseconds and a context is safe to share."""
    return httpx.create_ssl_context()


class PinnedTransport(httpx.HTTPTransport):
    """httpx's own transport (its request/response mapping and exception
    translation) over a connection pool that uses :class:`PinnedBackend`.

    httpx 0.28 has no argument for a network backend, so the pool the parent
    builds is replaced; it holds no connections yet. No proxy is ever used:
    a proxy would do its own DNS and defeat the pin.
    """

    def __init__(
        self,
        *,
        network_backend: httpcore.NetworkBackend | None = None,
        ssl_context: ssl.SSLContext | None = None,
        limits: httpx.Limits | None = None,
    ) -> None:
        ssl_context = ssl_context or default_ssl_context()
        limits = limits or httpx.Limits(
            max_connections=100, max_keepalive_connections=20
        )
        super().__init__(verify=ssl_context, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=PinnedBackend(network_backend),
        )
