"""What every local fake of a vendor's API does the same way: serve on a
loopback port in a thread, start and stop (also as a context manager), say
its URL, and answer ``requests_to``.

A fake subclasses ``LocalServer`` and sets ``handler_class`` (a
``FakeHandler``, which finds the fake at ``self.server.fake``) and
``thread_name``; its ``__init__`` sets ``_address``, ``_lock``,
``_stopping`` and ``requests``, and ``_httpd`` and ``_thread`` to None.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    fake: Any


class FakeHandler(BaseHTTPRequestHandler):
    """What the fakes' handlers share: keep-alive as the clients' sessions
    expect, no delayed ACKs on small answers, idle connections closed, and
    no access log on the test output."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60
    server: FakeHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer:
    server_class: Any = FakeHTTPServer
    handler_class: Any
    thread_name = "fake"

    def start(self) -> Self:
        self._stopping.clear()
        self._httpd = self.server_class(self._address, self.handler_class)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def requests_to(self, path: str, method: str | None = None) -> list:
        """The recorded requests to exactly ``path`` (by ``method``)."""
        with self._lock:
            return [
                request
                for request in self.requests
                if request.path == path and method in (None, request.method)
            ]
