"""A local WebSub hub for tests: the publisher's side of a hub.

The W3C recommendation (https://www.w3.org/TR/websub/, section 7) leaves
how a publisher tells its hub about new content to each hub; this one does
what common hubs do: a POST with an ``application/x-www-form-urlencoded``
body of ``hub.mode=publish`` and ``hub.url=<topic URL>`` (``hub.topic`` is
taken too), answered ``204 No Content`` once accepted, and ``400`` with the
reason in plain text for anything else (another mode, no or a relative
topic URL, another content type). Each accepted ping is recorded in
``pings``; ``answer_with`` makes it fail on purpose.

Run alone: ``python -m tests.feeds.hub --port 8003``.
"""

from __future__ import annotations

import argparse
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LocalHub:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.pings: list[str] = []
        self.rejected: list[str] = []
        self.answer_with: int | None = None
        self._lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                status, reason = hub._publish(
                    self.headers.get("Content-Type", ""), body
                )
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(reason.encode())))
                self.end_headers()
                self.wfile.write(reason.encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}/"

    def _publish(self, content_type: str, body: str) -> tuple[int, str]:
        if content_type.split(";")[0].strip() != "application/x-www-form-urlencoded":
            return self._reject(f"expected a form body, got {content_type!r}")
        form = parse_qs(body, keep_blank_values=True)
        if form.get("hub.mode") != ["publish"]:
            return self._reject(f"unsupported hub.mode {form.get('hub.mode')}")
        topics = form.get("hub.url", []) + form.get("hub.topic", [])
        if not topics:
            return self._reject("hub.url is required")
        for topic in topics:
            parts = urlsplit(topic)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                return self._reject(f"hub.url must be an absolute URL: {topic!r}")
        if self.answer_with is not None:
            return self.answer_with, "failing on purpose"
        with self._lock:
            self.pings.extend(topics)
        return HTTPStatus.NO_CONTENT, ""

    def _reject(self, reason: str) -> tuple[int, str]:
        with self._lock:
            self.rejected.append(reason)
        return HTTPStatus.BAD_REQUEST, reason

    def start(self) -> LocalHub:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8003)
    args = parser.parse_args()
    hub = LocalHub(port=args.port)
    print(f"WebSub hub at {hub.url}")
    try:
        hub.server.serve_forever()
    except KeyboardInterrupt:
        hub.server.server_close()
