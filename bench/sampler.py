"""A small CPU profiler for threaded code (``--profile``).

cProfile follows one thread's calls; the fetch pool has many, waiting most of
the time. This samples every thread's stack every few milliseconds and gives
each stack the CPU time its thread used since the last sample (read from the
thread's own CPU clock), so waiting costs nothing and the hot functions come
out by CPU, as py-spy would show them.
"""

import sys
import threading
import time
from collections import Counter
from types import FrameType


def _where(frame: FrameType) -> str:
    code = frame.f_code
    filename = code.co_filename
    for marker in ("site-packages/", "/work/main/", "lib/python3.13/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{code.co_firstlineno}({code.co_name})"


class Sampler:
    def __init__(self, interval: float = 0.004) -> None:
        self.interval = interval
        self.own: Counter[str] = Counter()  # CPU seconds with the function on top
        self.total: Counter[str] = Counter()  # CPU seconds with it on the stack
        self.cpu = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._clocks: dict[int, float] = {}

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()

    def _cpu(self, ident: int) -> float | None:
        try:
            clock = time.pthread_getcpuclockid(ident)
            return time.clock_gettime(clock)
        except OSError:
            return None

    def _run(self) -> None:
        me = threading.get_ident()
        while not self._stop.wait(self.interval):
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                now = self._cpu(ident)
                if now is None:
                    continue
                before = self._clocks.get(ident)
                self._clocks[ident] = now
                if before is None:
                    continue
                spent = now - before
                if spent <= 0:
                    continue
                self.cpu += spent
                self.own[_where(frame)] += spent
                seen = set()
                cursor: FrameType | None = frame
                while cursor is not None:
                    where = _where(cursor)
                    if where not in seen:
                        seen.add(where)
                        self.total[where] += spent
                    cursor = cursor.f_back

    def report(self) -> dict:
        return {
            "cpu": self.cpu,
            "own": self.own.most_common(40),
            "total": self.total.most_common(60),
        }
