"""A local HTTP server that plays any site the scraper tests need."""

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cms.models import Office
from scrapers.models import Source

Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Site:
    """Routes: path -> reply, or a function of the request headers."""

    host: str
    port: int
    routes: dict[str, Reply | Callable[[dict[str, str]], Reply]] = field(
        default_factory=dict
    )
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> int:
        return sum(1 for _t, p, _h in self.requests if p == path)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            site.requests.append((time.monotonic(), self.path, headers))
            route = site.routes.get(self.path)
            if route is None:
                status, reply_headers, body = 404, {}, b"not found"
            elif callable(route):
                status, reply_headers, body = route(headers)
            else:
                status, reply_headers, body = route
            self.send_response(status)
            for name, value in reply_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    return Handler


def _start(host: str) -> tuple[Site, ThreadingHTTPServer]:
    server = ThreadingHTTPServer((host, 0), None)  # type: ignore[arg-type]
    site = Site(host=host, port=server.server_address[1])
    server.RequestHandlerClass = _handler(site)
    site.routes["/robots.txt"] = (404, {}, b"")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return site, server


@pytest.fixture
def sites(settings) -> Iterator[Callable[[str], Site]]:
    """Start a site on a loopback address (127.0.0.x are all this machine) and
    allow-list exactly its host:port."""
    servers = []

    def start(host: str = "127.0.0.1") -> Site:
        site, server = _start(host)
        servers.append(server)
        settings.TSUNAGU_SAFEHTTP = {
            **settings.TSUNAGU_SAFEHTTP,
            "ALLOW": [*settings.TSUNAGU_SAFEHTTP["ALLOW"], f"{host}:{site.port}"],
        }
        return site

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(sites) -> Site:
    return sites("127.0.0.1")


def rss(*items: tuple[str, str, str], extra: str = "") -> bytes:
    """A small RSS 2.0 feed of (guid, title, description) items."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title>"
        f"<link>http://example.org/{guid}</link>"
        f"<pubDate>Tue, 24 Nov 2026 09:30:00 +0100</pubDate>"
        f"<description>{description}</description></item>"
        for guid, title, description in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Test</title><link>http://example.org/</link>{extra}{body}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def make_source(db):
    def make(url: str, office: str = "par", **fields) -> Source:
        values = {"name": f"Source {url}", "kind": Source.Kind.RSS, "language": "fr"}
        return Source.objects.create(
            office=Office.objects.get(code=office), url=url, **{**values, **fields}
        )

    return make
