"""The line protocol between bench/ingest.py and its child processes: one JSON
object per line, requests on stdin, answers on the original stdout. Importing
this module sends the process's own stdout to stderr, so that a stray print
from the code under test cannot break the protocol."""

import json
import os
import resource
import sys

_PROTOCOL = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)


def send(message: dict) -> None:
    _PROTOCOL.write(json.dumps(message) + "\n")
    _PROTOCOL.flush()


def receive() -> dict:
    line = sys.stdin.readline()
    if not line:
        raise SystemExit(0)
    return json.loads(line)


def _child_usage() -> tuple[float, int]:
    """CPU seconds and the sum of peak RSS (KiB) of this process's children
    (the parse processes): live ones from /proc, ended ones from getrusage."""
    import multiprocessing

    ticks = os.sysconf("SC_CLK_TCK")
    cpu, peak_kb = 0.0, 0
    for child in multiprocessing.active_children():
        try:
            with open(f"/proc/{child.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            with open(f"/proc/{child.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        peak_kb += int(line.split()[1])
        except (OSError, IndexError, ValueError):
            continue  # ended meanwhile: getrusage counts it below
    ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    return cpu + ended.ru_utime + ended.ru_stime, peak_kb + ended.ru_maxrss


def usage() -> dict:
    """CPU seconds so far and peak RSS of this process (all its threads) and
    of its parse processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    child_cpu, child_peak_kb = _child_usage()
    return {
        "cpu": own.ru_utime + own.ru_stime + child_cpu,
        "maxrss_kb": own.ru_maxrss + child_peak_kb,
        "own_maxrss_kb": own.ru_maxrss,
        "children_maxrss_kb": child_peak_kb,
    }
