"""The HTTP side of the fake Mailchimp (mailchimp_server.py): what came in,
what tests asked to happen to it, and a handler that reads a request,
applies the directive (fail before the effect; hold or drop the answer after
it) and writes Mailchimp's kind of answer.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from . import mailchimp_rules as rules
from .lifecycle import FakeHandler
from .mailchimp_rules import MethodNotAllowed, Problem

if TYPE_CHECKING:
    from .mailchimp_server import MailchimpServer

_REASONS = {429: "Too Many Requests"}


@dataclass
class RecordedRequest:
    method: str
    #: The path after /3.0, e.g. "/campaigns/abc/actions/send".
    path: str
    query: dict[str, list[str]]
    #: Header names in lower case.
    headers: dict[str, str]
    #: The JSON body (None when empty or "null").
    body: Any
    #: The status answered (0 while pending or when nothing was answered).
    status: int = 0
    #: "", "held" (answered late, past the client's patience) or "dropped".
    outcome: str = ""


@dataclass
class Directive:
    kind: str  # "fail", "hold" or "drop"
    path: str | None
    method: str | None
    status: int = 0
    payload: dict[str, Any] | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hold_seconds: float = 0.0

    def matches(self, record: RecordedRequest) -> bool:
        return (self.path is None or record.path.startswith(self.path)) and (
            self.method is None or self.method == record.method
        )


class Handler(FakeHandler):
    server_version = "openresty"  # what Mailchimp's front says

    def _handle(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        path = url.path
        record = RecordedRequest(
            self.command,
            path.removeprefix(rules.API_PREFIX) if path.startswith("/3.0/") else path,
            parse_qs(url.query, keep_blank_values=True),
            {name.lower(): value for name, value in self.headers.items()},
            None,
        )
        with contextlib.suppress(ValueError):
            record.body = json.loads(raw) if raw.strip() else None
        generation, directive = fake._arrive(record)
        try:
            self._respond(fake, record, raw, path, generation, directive)
        finally:
            fake._leave(generation)

    def _respond(
        self,
        fake: MailchimpServer,
        record: RecordedRequest,
        raw: bytes,
        path: str,
        generation: int,
        directive: Directive | None,
    ) -> None:
        if directive is not None and directive.kind == "fail":
            if directive.status == 0:
                record.outcome = "dropped"
                self.close_connection = True
                return
            self._send(record, directive.status, directive.payload, directive.headers)
            return
        if fake.delay_seconds:
            fake._stopping.wait(fake.delay_seconds)
        if not fake._current(generation):
            self.close_connection = True
            return
        headers: dict[str, str] = {}
        try:
            if not path.startswith(rules.API_PREFIX + "/"):
                raise Problem(404)
            status, payload = fake._answer(record, raw)
        except Problem as problem:
            status, payload = problem.status, rules.problem_document(problem)
            if isinstance(problem, MethodNotAllowed):
                headers["Allow"] = problem.allow
        if directive is not None and directive.kind == "drop":
            record.outcome = "dropped"
            self.close_connection = True
            return
        if directive is not None and directive.kind == "hold":
            record.outcome = "held"
            if self._hold(fake, generation, directive.hold_seconds):
                self.close_connection = True
                return
        self._send(record, status, payload, headers)

    def _hold(self, fake: MailchimpServer, generation: int, seconds: float) -> bool:
        """Wait until the client hangs up (its timeout: True), ``seconds``
        pass, or the server is reset or stopped."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and fake._current(generation):
            readable, _, _ = select.select([self.connection], [], [], 0.05)
            if readable:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return True
                except OSError:
                    return True
        return False

    def _send(
        self,
        record: RecordedRequest,
        status: int,
        payload: dict[str, Any] | bytes | None,
        headers: dict[str, str],
    ) -> None:
        if isinstance(payload, bytes):
            body = payload
        else:
            body = rules.json_bytes(payload) if payload is not None else b""
        kind = "application/problem+json" if status >= 400 else "application/json"
        record.status = status
        try:
            self.send_response(status, _REASONS.get(status))
            if body:
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (its timeout): nobody to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
