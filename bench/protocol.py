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


def usage() -> dict:
    """CPU seconds so far and peak RSS of this process (all its threads)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu": own.ru_utime + own.ru_stime, "maxrss_kb": own.ru_maxrss}
