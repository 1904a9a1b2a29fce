"""Local servers that behave well or badly, and clients allow-listed for them.

Everything runs on 127.0.0.1; nothing here touches the internet. Where a test
needs a "public" address it injects a resolver that answers with one and a
network backend that dials the local server instead (see ``Dialler``).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpcore
import pytest

from cms.safehttp import Limits, SafeClient
from cms.safehttp.addresses import parse_ip

MiB = 1024 * 1024


class Handler(BaseHTTPRequestHandler):
    """Routes ``/path`` (query ignored) to a function of this handler."""

    protocol_version = "HTTP/1.1"
    server: LocalServer

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        self.server.site.requests.append(Seen(self.command, self.path, headers, body))
        route = self.server.site.routes.get(path)
        try:
            if route is None:
                self.reply(404, {}, b"not found")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            # The client hung up on purpose (a cap or a deadline): done.
            self.close_connection = True

    do_GET = do_POST = do_HEAD = do_PUT = _dispatch

    def reply(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status not in (204, 304):
            self.wfile.write(body)

    def raw(self, data: bytes) -> None:
        self.wfile.write(data)

    @property
    def stopping(self) -> threading.Event:
        return self.server.site.stopping

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Site:
    port: int
    routes: dict[str, Callable[[Handler], None]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def hostport(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"http://{self.hostport}{path}"

    def route(self, path: str) -> Callable[[Callable[[Handler], None]], None]:
        def register(function: Callable[[Handler], None]) -> None:
            self.routes[path] = function

        return register

    def static(self, path: str, body: bytes, **headers: str) -> None:
        def serve(handler: Handler) -> None:
            handler.reply(
                200, {k.replace("_", "-"): v for k, v in headers.items()}, body
            )

        self.routes[path] = serve


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: Site

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients in these tests hang up mid-response on purpose


@pytest.fixture
def start_site() -> Iterator[Callable[[], Site]]:
    servers: list[LocalServer] = []

    def start() -> Site:
        server = LocalServer(("127.0.0.1", 0), Handler)
        server.site = Site(port=server.server_address[1])
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        servers.append(server)
        return server.site

    yield start
    for server in servers:
        server.site.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(start_site) -> Site:
    return start_site()


@pytest.fixture
def other_site(start_site) -> Site:
    return start_site()


@pytest.fixture
def limits() -> Limits:
    return Limits(
        max_bytes=1 * MiB,
        max_redirects=5,
        connect_timeout=2.0,
        read_timeout=2.0,
        total_timeout=5.0,
    )


@pytest.fixture
def make_client(site, limits) -> Iterator[Callable[..., SafeClient]]:
    """A client allow-listed for ``site`` only, with small limits."""
    clients: list[SafeClient] = []

    def make(**options: Any) -> SafeClient:
        options.setdefault("allow", [site.hostport])
        options.setdefault("limits", limits)
        options.setdefault("user_agent", "TsunaguTest/1.0")
        client = SafeClient(**options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client) -> SafeClient:
    return make_client()


class Dialler(httpcore.SyncBackend):
    """A network backend that records the address it is asked to dial and
    connects to a local port instead: "the public server" of a test."""

    def __init__(self, port: int, *, fail: frozenset[str] = frozenset()) -> None:
        self.port = port
        self.fail = fail
        self.dialled: list[tuple[str, int]] = []

    def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ):
        self.dialled.append((host, port))
        if host in self.fail:
            raise httpcore.ConnectError(f"{host} unreachable (test)")
        return super().connect_tcp(
            "127.0.0.1", self.port, timeout, local_address, socket_options
        )


class ScriptedResolver:
    """Answers each lookup with the next list of addresses, and remembers
    every lookup."""

    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.lookups: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append((host, port))
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@pytest.fixture(autouse=True)
def offline_dns(monkeypatch):
    """Fail any real DNS lookup: these tests must never touch the internet.
    IP literals and ``localhost`` (the hosts file) are all they may look up."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name != "localhost" and parse_ip(name) is None:
            raise AssertionError(f"a test tried to look up {name!r} in DNS")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
