"""Parsing in processes of their own, apart from the worker.

Scraped bytes are the most hostile input Tsunagu reads, and parsing them is
most of a fetch's CPU. A parse process holds only ``scrapers.parsing`` and
its libraries (about 35 MB, where a worker holds Django and Wagtail, 125 MB),
so a worker uses a second core for parsing without a second copy of Django;
and whatever a document does to the parser (a crash in a C library, memory
without end, a loop) ends that process, not the worker: the fetch fails with
a clear error, the process is replaced, and the other fetches go on.

Each parse process serves one request at a time over a pipe; a thread takes
an idle process (or starts one, up to ``PARSE_PROCESSES``), sends the
function's name and arguments, and waits at most ``PARSE_TIMEOUT_SECONDS``.
A process that overruns, crashes or answers nothing is killed. Its address
space is capped at ``PARSE_MEMORY_MB``. ``PARSE_PROCESSES = 0`` parses in the
calling thread (the tests' default, where a spawn per test costs more than
it saves).

Processes are spawned, not forked: a worker has threads and open database
connections that a fork would copy half-way. Spawning runs the parent's main
script again under another name, so a script of ours that parses must keep
its work under ``if __name__ == "__main__":``, as manage.py does.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
import traceback
from multiprocessing.connection import Connection
from typing import Any

from .conf import scraper_setting
from .parsing import FeedParseError, RuleError

logger = logging.getLogger(__name__)

# What a parse process may be asked to run: module-level functions of
# scrapers.parsing, by name, so nothing else crosses the pipe.
FUNCTIONS = ("parse_feed", "parse_list_page", "extract_article")
_ERRORS: dict[str, type[Exception]] = {
    "FeedParseError": FeedParseError,
    "RuleError": RuleError,
}


def _serve(conn: Connection, memory_mb: int) -> None:
    """A parse process: answer requests until the worker closes the pipe."""
    import resource
    import signal

    # Ctrl-C reaches the whole process group; the worker decides when to
    # stop, and this process ends when the worker's end of the pipe closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from . import parsing

    while True:
        try:
            name, kwargs = conn.recv()
        except (EOFError, OSError):
            return  # the worker is gone
        try:
            if name not in FUNCTIONS:
                raise ValueError(f"not a parsing function: {name}")
            answer: tuple = ("ok", getattr(parsing, name)(**kwargs))
        except tuple(_ERRORS.values()) as exc:
            answer = ("error", type(exc).__name__, str(exc))
        except MemoryError:
            answer = ("failed", "MemoryError", "")
        except Exception as exc:
            answer = ("failed", type(exc).__name__, traceback.format_exc())
        conn.send(answer)


class _Process:
    def __init__(self, memory_mb: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(child_end, memory_mb),
            daemon=True,
            name="tsunagu-parse",
        )
        self.process.start()
        child_end.close()

    def kill(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class ParsePool:
    """Up to ``processes`` parse processes, started when first needed."""

    def __init__(self, *, processes: int, timeout: float, memory_mb: int) -> None:
        self.timeout = timeout
        self.memory_mb = memory_mb
        self._slots = threading.BoundedSemaphore(processes)
        self._idle: list[_Process] = []
        self._lock = threading.Lock()
        self.started = 0  # processes started so far, replacements included

    def call(self, name: str, **kwargs: Any) -> Any:
        if name not in FUNCTIONS:
            raise ValueError(f"not a parsing function: {name}")
        with self._slots:
            with self._lock:
                worker = self._idle.pop() if self._idle else None
            if worker is None:
                worker = _Process(self.memory_mb)
                self.started += 1
            answer = self._ask(worker, name, kwargs)
            with self._lock:
                self._idle.append(worker)
        return self._result(answer)

    def _ask(self, worker: _Process, name: str, kwargs: dict) -> tuple:
        try:
            worker.conn.send((name, kwargs))
            if not worker.conn.poll(self.timeout):
                worker.kill()
                raise FeedParseError(
                    f"Reading this document took longer than {self.timeout:g} s; "
                    "it was stopped. The site may be sending something unusual."
                )
            return worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            code = worker.process.exitcode
            raise FeedParseError(
                "The parser stopped on this document (exit code "
                f"{code}); it may be malformed or too large to read."
            ) from exc
        except BaseException:
            worker.kill()
            raise

    def _result(self, answer: tuple) -> Any:
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "error":
            raise _ERRORS[answer[1]](answer[2])
        kind, details = answer[1], answer[2]
        if kind == "MemoryError":
            raise FeedParseError(
                f"Reading this document needed more than {self.memory_mb} MB; "
                "it was stopped."
            )
        logger.error("The parse process failed:\n%s", details)
        raise FeedParseError(
            f"The parser failed on this document ({kind}); the details are in "
            "the server's log."
        )

    def close(self) -> None:
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.kill()


_pool: ParsePool | None = None
_pool_lock = threading.Lock()


def parse_pool() -> ParsePool | None:
    """This process's pool, or None when parsing stays in the calling thread."""
    global _pool
    processes = scraper_setting("PARSE_PROCESSES")
    if not processes:
        return None
    with _pool_lock:
        if _pool is None:
            # Before multiprocessing's own exit handler (atexit runs the last
            # registered first), which would wait for each process in turn.
            atexit.register(parse_pool_close)
            _pool = ParsePool(
                processes=processes,
                timeout=scraper_setting("PARSE_TIMEOUT_SECONDS"),
                memory_mb=scraper_setting("PARSE_MEMORY_MB"),
            )
        return _pool


def parse(name: str, **kwargs: Any) -> Any:
    """``scrapers.parsing.<name>(**kwargs)``, in a parse process if there are any."""
    pool = parse_pool()
    if pool is None:
        from . import parsing

        return getattr(parsing, name)(**kwargs)
    return pool.call(name, **kwargs)


def parse_pool_close() -> None:
    """Stop this process's parse processes (a new pool starts when needed)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.close()
