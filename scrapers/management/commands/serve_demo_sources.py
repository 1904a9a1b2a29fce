"""Serve the bundled demo feeds and pages on 127.0.0.1, so the demo sources
work offline (make run starts it; dev settings allow-list its address)."""

import email.utils
import mimetypes
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

ROOT = Path(__file__).resolve().parents[2] / "demo_feeds"
CONTENT_TYPES = {
    ".xml": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
    ".json": "application/feed+json",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "TsunaguDemo/1"

    def do_GET(self) -> None:
        relative = self.path.split("?", 1)[0].lstrip("/") or "index.html"
        path = (ROOT / relative).resolve()
        if not path.is_relative_to(ROOT) or not path.is_file():
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        stat = path.stat()
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        body = path.read_bytes()
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

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the web server's own log is enough noise


class Command(BaseCommand):
    help = "Serve the bundled demo feeds and pages (offline demo sources)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--addr", default="127.0.0.1:8001")

    def handle(self, *args: Any, addr: str, **options: Any) -> None:
        host, port = addr.rsplit(":", 1)
        server = ThreadingHTTPServer((host, int(port)), DemoHandler)
        self.stdout.write(f"Demo sources on http://{addr}/ (from {ROOT})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
