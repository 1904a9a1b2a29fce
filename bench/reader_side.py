"""The baseline: the `reader` library over the same URLs (``python -m
bench.reader_side``), in a process of its own.

``update_feeds_iter(scheduled=False, workers=N)``: what ``update_feeds`` runs
(it consumes this iterator), iterated here to count 304s and show progress.

Two things are added to reader, both to make the comparison fair:

- Politeness: reader has no per-host delay, so its HTTP adapter's ``send`` is
  wrapped to take the host's turn the way Tsunagu does: one request at a time
  per host:port, and the same delay between the end of one and the start of
  the next (the turn ends when the response headers arrive, since reader
  streams the body to its parser afterwards; on loopback the body follows at
  once).
- Order: reader updates feeds in URL order, which puts a host's feeds next to
  each other; with one request at a time per host its threads would then
  queue behind a single host while the others idle. It is given the order
  Tsunagu gets (consecutive sources on different hosts) instead, by sorting
  what its storage returns; nothing else of reader changes.
"""

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

from bench.protocol import receive, send, usage


class HostTurns:
    """One request at a time per host:port, ``delay`` seconds apart."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._next: dict[str, float] = {}

    @contextmanager
    def turn(self, host: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._next.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._next[host] = time.monotonic() + self.delay


def make(db_path: str, urls: list[str], delay: float) -> Any:
    from reader import make_reader

    reader = make_reader(db_path)
    for url in urls:
        reader.add_feed(url, exist_ok=True)

    turns = HostTurns(delay)
    session = reader._parser.get_retriever("http://").session
    adapter = session.get_adapter("http://")
    send_original = adapter.send

    def polite_send(request: Any, **kwargs: Any) -> Any:
        with turns.turn(urlsplit(request.url).netloc):
            return send_original(request, **kwargs)

    adapter.send = polite_send

    position = {url: number for number, url in enumerate(urls)}
    storage = reader._storage
    feeds_for_update = storage.get_feeds_for_update

    def in_bench_order(filter: Any) -> list:
        return sorted(feeds_for_update(filter), key=lambda f: position[f.url])

    storage.get_feeds_for_update = in_bench_order
    return reader


def main() -> None:
    import reader as reader_package

    send({"event": "ready", "pid": os.getpid(), "version": reader_package.__version__})
    reader = None
    while True:
        message = receive()
        command = message["cmd"]
        if command == "setup":
            reader = make(message["db"], message["urls"], message["delay"])
            send({"event": "setup", **usage()})
        elif command == "update":
            before, started = usage(), time.perf_counter()
            counts = {"not_modified": 0, "updated": 0, "error": 0}
            new = modified = 0
            errors: list[str] = []
            step = max(message["progress_every"], 1)
            for number, result in enumerate(
                reader.update_feeds_iter(scheduled=False, workers=message["workers"]),
                start=1,
            ):
                if result.error:
                    counts["error"] += 1
                    message = str(result.error).replace(repr(result.url), "")
                    cause = result.error.__cause__
                    if cause is not None and str(cause) not in message:
                        message += f" ({type(cause).__name__}: {cause})"
                    errors.append([result.url, message.strip(" :")[:200]])
                elif result.value is None:
                    counts["not_modified"] += 1
                else:
                    counts["updated"] += 1
                    new += result.value.new
                    modified += result.value.modified
                if number % step == 0:
                    send({"event": "progress", "sources": step})
            after = usage()
            send(
                {
                    "event": "done",
                    "wall": time.perf_counter() - started,
                    "cpu": after["cpu"] - before["cpu"],
                    "maxrss_kb": after["maxrss_kb"],
                    "counts": counts,
                    "new": new,
                    "modified": modified,
                    "errors": errors,
                }
            )
        elif command == "exit":
            send({"event": "bye", **usage()})
            return


if __name__ == "__main__":
    main()
