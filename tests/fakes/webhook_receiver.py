"""A partner's webhook endpoint, for the outbox's tests and benchmark:
records every POST, answers what the test queues (``answer_next``), and
counts deliveries by their id so duplicates and losses show.

Partners de-duplicate by the ``Tsunagu-Delivery`` header; ``events`` keeps
every request, ``unique`` the first of each id.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    host: str = "127.0.0.1"
    port: int = 0
    events: list[Received] = field(default_factory=list)
    _answers: list[tuple[int, dict[str, str], float]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    status, headers, delay = (
                        receiver._answers.pop(0) if receiver._answers else (200, {}, 0)
                    )
                    if 200 <= status < 300:
                        receiver.events.append(Received(dict(self.headers), body))
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/tsunagu"

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def answer_next(
        self, status: int, *, headers: dict[str, str] | None = None, delay: float = 0
    ) -> None:
        """The next request gets this answer (2xx ones are recorded)."""
        with self._lock:
            self._answers.append((status, headers or {}, delay))

    def counts(self) -> Counter:
        """Accepted requests per delivery id."""
        return Counter(event.headers.get("Tsunagu-Delivery") for event in self.events)
