"""bench-api: wrk on one core, its output read back (requests/s, p50, p99)."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx/3xx answers plus socket errors

    def row(self) -> dict:
        return {
            "rps": round(self.rps, 1),
            "p50_ms": round(self.p50_ms, 2),
            "p99_ms": round(self.p99_ms, 2),
            "requests": self.requests,
            "errors": self.errors,
        }


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        raise ValueError(f"wrk latency: {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def wrk_parse(output: str) -> WrkResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])
    requests = int(re.search(r"(\d+) requests in", output)[1])
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match[1])
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(n) for n in match.groups())
    return WrkResult(rps, p50, p99, requests, errors)


def lua_paths(path: Path, paths: list[str]) -> Path:
    """A wrk script that asks for each path in turn (one thread: -t1), so a
    run of fewer requests than paths never asks for one twice."""
    items = ",\n".join(f"[[{p}]]" for p in paths)
    path.write_text(
        f"local paths = {{\n{items}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n % #paths + 1\n"
        '  return wrk.format("GET", paths[n])\nend\n'
    )
    return path


def lua_counter(path: Path, pattern: str) -> Path:
    """A wrk script whose every request is a new URL: pattern % n."""
    path.write_text(
        "local n = 0\nrequest = function()\n  n = n + 1\n"
        f'  return wrk.format("GET", string.format("{pattern}", n))\nend\n'
    )
    return path


def wrk_run(
    url: str,
    *,
    duration: float,
    connections: int,
    core: int,
    script: Path | None = None,
) -> WrkResult:
    command = [
        "taskset", "-c", str(core), "wrk", "-t1", f"-c{connections}",
        f"-d{duration:g}s", "--latency", "--timeout", "30s",
    ]  # fmt: skip
    if script:
        command += ["-s", str(script)]
    done = subprocess.run(  # noqa: S603 - wrk, our own arguments
        [*command, url], capture_output=True, text=True, check=True
    )
    return wrk_parse(done.stdout)
