"""What every local fake of a vendor's API does the same way: serve on a
loopback port in a thread, start and stop (also as a context manager), say
its URL, and answer ``requests_to``.

A fake subclasses ``LocalServer`` and sets ``server_class`` (a
``ThreadingHTTPServer`` whose handler finds the fake at ``server.fake``),
``handler_class`` and ``thread_name``; its ``__init__`` sets ``_address``,
``_lock``, ``_stopping`` and ``requests``, and ``_httpd`` and ``_thread`` to
None.
"""

from __future__ import annotations

import threading
from typing import Any, Self


class LocalServer:
    server_class: Any
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
