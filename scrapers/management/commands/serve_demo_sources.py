"""Serve the bundled demo feeds and pages on loopback, so the demo sources
work offline (make run starts it on DEMO_SOURCES_ADDR, which dev settings
allow-list).

The files' links are written on ``http://demo-sources.invalid``; each answer
puts the address it was asked on (its Host header) in their place, so item
links follow whatever port the server runs on.
"""

import email.utils
import mimetypes
import re
import zlib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cms.siteurl import addr_split

ROOT = Path(__file__).resolve().parents[2] / "demo_feeds"
CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# The origin the bundled files' links are written on (RFC 2606 .invalid).
PLACEHOLDER = b"http://demo-sources.invalid"
HOST_RE = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "TsunaguDemo/1"

    def do_GET(self) -> None:
        relative = self.path.split("?", 1)[0].lstrip("/") or "index.html"
        path = (ROOT / relative).resolve()
        if not path.is_relative_to(ROOT) or not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        stat = path.stat()
        origin = self._origin()
        body = path.read_bytes().replace(PLACEHOLDER, origin)
        etag = f'"{stat.st_mtime_ns:x}-{len(body):x}-{zlib.crc32(origin):x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        content_type = CONTENT_TYPES.get(path.suffix) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header(
            "Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True)
        )
        self.end_headers()
        self.wfile.write(body)

    def _origin(self) -> bytes:
        """Where the client reached us: the Host header when it is a plain
        host[:port], else the listening address."""
        host = self.headers.get("Host", "")
        if not HOST_RE.fullmatch(host):
            address, port = self.server.server_address[:2]
            host = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        return f"http://{host}".encode("ascii")

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the web server's own log is enough noise


class Command(BaseCommand):
    help = "Serve the bundled demo feeds and pages (offline demo sources)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--addr",
            default=settings.TSUNAGU_DEMO_SOURCES_ADDR,
            help="host:port (default: DEMO_SOURCES_ADDR, %(default)s).",
        )

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        host, port = addr_split(addr)
        server = ThreadingHTTPServer((host, port), DemoHandler)
        self.stdout.write(f"Demo sources on http://{addr}/ (from {ROOT})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
