"""Stoplight Prism as a validating mock, or a validating proxy, of a vendor's
OpenAPI description.

Contract tests point a real client library (tweepy, mailchimp-marketing) at
Prism and assert that Prism found no violation in what was sent. Prism's
answers are the description's examples, not state: behaviour over several
calls is tested against the stateful fakes beside this module. As a proxy
(``prism_proxy``) Prism stands in front of one of those fakes and checks both
ways: what the client sends, and what the fake answers (status codes, error
bodies), so a fake kinder than the vendor is caught.

What Prism does, as ../shared/specs/README.md records it: 422 (or the
described error) with the reason in its log when a request breaks the
schema, 401 without credentials, and any described status when the request
carries ``Prefer: code=NNN``. ``--errors`` stays off: some of the specs' own
examples fail their schemas.

``make contract-deps`` installs Prism into var/prism.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "var" / "prism" / "node_modules" / ".bin" / "prism"


def specs_dir() -> Path:
    """../shared/specs beside the checkout (SHARED_DIR overrides it)."""
    for candidate in (
        os.environ.get("SHARED_DIR", ""),
        str(ROOT.parent / "shared"),
        "/work/shared",
    ):
        if candidate and (Path(candidate) / "specs").is_dir():
            return Path(candidate) / "specs"
    raise FileNotFoundError("../shared/specs is missing (set SHARED_DIR)")


X_SPEC = "x-api-v2.159-openapi.oauth1-patched.json"
MAILCHIMP_SPEC = "mailchimp-marketing-3.0.55-openapi.nullbody-patched.yaml"
DEEPL_SPEC = "deepl-openapi.yaml"

# A log line of Prism's validator about the request (not its own examples).
_VIOLATION = re.compile(r"\[VALIDATOR\].*?(?:error|warning)\s+(Violation: .*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class PrismMock:
    url: str
    log_path: Path
    _seen: int = field(default=0)

    def log(self) -> str:
        return _ANSI.sub("", self.log_path.read_text(errors="replace"))

    def violations(self, *, responses: bool = False) -> list[str]:
        """Every violation Prism logged about a request since the start; with
        ``responses``, about the answers too (as a proxy: the fake's answers;
        as a mock, the description's own examples, some of which break its
        schemas)."""
        found = []
        for line in self.log().splitlines():
            if (match := _VIOLATION.search(line)) and (
                responses or not match.group(1).startswith("Violation: response")
            ):
                found.append(match.group(1).strip())
        return found

    def violations_new(self, *, responses: bool = False) -> list[str]:
        """The violations logged since the last call of this method."""
        found = self.violations(responses=responses)
        new, self._seen = found[self._seen :], len(found)
        return new

    def requests_seen(self) -> int:
        """How many requests Prism received (and so checked)."""
        return self.log().count("[HTTP SERVER]")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def prism_mock(spec_name: str, *, dynamic: bool = False) -> Iterator[PrismMock]:
    """Prism serving ``spec_name`` (a file of ../shared/specs) on a free
    loopback port, until the block ends."""
    with _prism(["mock"], spec_name, ["-d"] if dynamic else []) as mock:
        yield mock


@contextmanager
def prism_proxy(spec_name: str, upstream: str) -> Iterator[PrismMock]:
    """Prism on a free loopback port forwarding every request to
    ``upstream`` (a local fake) and logging where the request or the fake's
    answer breaks ``spec_name``. Violations are only logged (no --errors),
    so the client sees the fake's own answer."""
    with _prism(["proxy"], spec_name, [upstream]) as proxy:
        yield proxy


@contextmanager
def _prism(mode: list[str], spec_name: str, extra: list[str]) -> Iterator[PrismMock]:
    if not PRISM.exists():
        raise RuntimeError(f"{PRISM} is missing: run make contract-deps")
    spec = specs_dir() / spec_name
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="prism-", suffix=".log")[1])
    command = [str(PRISM), *mode, "-h", "127.0.0.1", "-p", str(port), str(spec)]
    command += extra
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Prism stopped: {log.read_text(errors='replace')}")
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("Prism did not answer within 60 s") from None
                time.sleep(0.2)
        yield PrismMock(url=url, log_path=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.unlink(missing_ok=True)
