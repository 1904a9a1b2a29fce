"""A local server that answers as DeepL's API is documented to answer.

For the DeepL backend's tests and the translation benchmark: the official
``deepl`` client talks to it over real HTTP (``server_url=server.url``). It
follows developers.deepl.com and DeepL's OpenAPI file (the rules are in
deepl_rules.py, the endpoints in deepl_endpoints.py):

- ``Authorization: DeepL-Auth-Key <key>`` on every request, else 403.
- Every answer is one DeepL's OpenAPI file describes for its path (checked by
  tests/translation/test_deepl_contract.py through Stoplight Prism): errors
  are JSON ``{"message": ...}`` (a 413 too), and only the statuses the file
  lists for the path can be scripted with ``fail_next``.
- POST /v2/translate, JSON or form-encoded: at most 50 texts (more: 400), a
  body of at most 128 KiB (more: 413), ``formality`` more/less only for
  targets that have it (400),
  ``glossary_id`` only with ``source_lang`` and with a dictionary for the pair
  (400; an unknown glossary: 404 "Glossary not found", or 400 with the same
  message when ``unknown_glossary_status`` says so, as some DeepL servers
  answer), the quota checked before billing: a request whose characters do
  not fit in what is left is refused whole (456) and bills nothing.
  With ``tag_handling=xml`` and tag handling v2 (the default of accounts that
  first used tag handling after 1 December 2025) malformed XML is a 400.
- GET|POST /v2/usage, GET /v2/languages, GET /v2/glossary-language-pairs.
- v2 glossaries (one language pair) and v3 multilingual glossaries (several
  dictionaries), TSV or CSV entries; both kinds of id work in /v2/translate.

The "translation" is a rule, stable for exact assertions and plainly not a
real one: the DeepL target code in brackets, then the text with the
glossary's terms replaced in its text (never in tags or attributes):
``Bonjour <b>Lyon</b>`` → ``[JA] Bonjour <b>Lyon</b>``.

Tests steer it: ``fail_next(status, ...)`` queues answers given before any
other handling (status 0 drops the connection), ``delay_seconds`` slows every
answer, ``character_limit`` is the quota, ``requests`` records what came in.

Alone: ``python -m tests.fakes.deepl_server --port 8042 --key some-key``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import deepl_rules as rules
from .deepl_endpoints import Answer, Endpoints, json_answer
from .deepl_rules import Glossary, Refused
from .lifecycle import FakeHandler, FakeHTTPServer, LocalServer

__all__ = ["DEFAULT_AUTH_KEY", "DeepLServer", "Glossary", "RecordedRequest"]

DEFAULT_AUTH_KEY = "tsunagu-fake-deepl-key"
_REASONS = {456: "Quota Exceeded", 529: "Too Many Requests"}


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    #: Header names in lower case.
    headers: dict[str, str]
    #: The parsed body: JSON, or form fields (``text`` a list, the others
    #: strings); ``None`` when empty or unreadable.
    body: Any
    #: Bytes of the body as received.
    size: int
    #: The status answered; 0 while pending or when the connection was dropped.
    status: int = 0


@dataclass
class _Failure:
    status: int
    headers: dict[str, str]
    body: bytes
    path: str | None


class DeepLServer(LocalServer, Endpoints):
    """The fake service on ``host`` (127.0.0.1) and a free port."""

    thread_name = "fake-deepl"

    def __init__(
        self,
        *,
        auth_key: str = DEFAULT_AUTH_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        character_limit: int = rules.PRO_CHARACTER_LIMIT,
    ) -> None:
        #: The one key accepted.
        self.auth_key = auth_key
        self._address = (host, port)
        self._initial_limit = character_limit
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._generation = 0
        self.reset()

    # -- what tests steer and read ------------------------------------------

    def reset(self) -> None:
        """Back to the state after construction: no requests, glossaries,
        billed characters or queued failures; default limits and speed."""
        with self._lock:
            self._generation += 1
            self.requests: list[RecordedRequest] = []
            self.glossaries: dict[str, Glossary] = {}
            self.character_count = 0
            self.character_limit = self._initial_limit
            self.glossary_limit = rules.GLOSSARY_LIMIT
            self.delay_seconds = 0.0
            #: "v2" parses XML strictly (new accounts); "v1" does not.
            self.tag_handling_version = "v2"
            #: 404 as DeepL documents it; 400 as some of its servers answer.
            self.unknown_glossary_status = 404
            #: The billing period /v2/usage reports (a Pro account's).
            self.period_start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
            self.period_end = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)
            self._failures: list[_Failure] = []

    def fail_next(
        self,
        status: int,
        times: int = 1,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | dict | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (to paths starting with ``path``,
        if given) with ``status`` before any other handling, billing nothing.
        The body defaults to DeepL's kind of answer; status 0 closes the
        connection without answering. A status DeepL's description does not
        list for the path is refused: the fake never answers what DeepL
        would not."""
        documented = rules.documented_errors(path or "/v2/translate")
        if status and status not in documented:
            raise ValueError(
                f"DeepL's API description lists no {status} for {path or 'any path'}"
                f" (it lists {sorted(documented)})."
            )
        if body is None:
            body = {"message": rules.MESSAGES.get(status, "Error")}
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        answer_headers = {"Content-Type": "application/json", **(headers or {})}
        with self._lock:
            self._failures.extend(
                _Failure(status, answer_headers, body, path) for _ in range(times)
            )

    # -- lifecycle ----------------------------------------------------------

    # -- handling -----------------------------------------------------------

    def _arrive(self, record: RecordedRequest) -> tuple[int, _Failure | None]:
        with self._lock:
            self.requests.append(record)
            for index, failure in enumerate(self._failures):
                if failure.path is None or record.path.startswith(failure.path):
                    return self._generation, self._failures.pop(index)
            return self._generation, None

    def _current(self, generation: int) -> bool:
        # A request that sat out a delay across reset() or stop() must not
        # bill into the state a later test sees.
        return generation == self._generation and not self._stopping.is_set()

    def _answer(self, record: RecordedRequest, params: dict | None) -> Answer:
        expected = f"DeepL-Auth-Key {self.auth_key}"
        if record.headers.get("authorization") != expected:
            return json_answer(403, {"message": rules.MESSAGES[403]})
        limit = (
            rules.MAX_TRANSLATE_BODY
            if record.path == "/v2/translate"
            else rules.MAX_GLOSSARY_BODY
        )
        if record.size > limit:
            return json_answer(413, {"message": rules.MESSAGES[413]})
        allowed: set[str] = set()
        for methods, pattern, endpoint in _ROUTES:
            match = pattern.fullmatch(record.path)
            if match is None:
                continue
            allowed |= methods
            if record.method not in methods:
                continue
            if params is None:
                # The glossary endpoints describe a 415; the others a 400.
                status = 415 if 415 in rules.documented_errors(record.path) else 400
                return json_answer(status, {"message": "Invalid Content-Type or body"})
            try:
                return endpoint(self, params, **match.groupdict())
            except Refused as refused:
                payload = {"message": refused.message}
                if refused.detail:
                    payload["detail"] = refused.detail
                return json_answer(refused.status, payload)
        if allowed:
            allow = ", ".join(sorted(allowed))
            return json_answer(405, {"message": "Method not allowed"}, Allow=allow)
        return json_answer(404, {"message": rules.MESSAGES[404]})


_ID = r"/(?P<glossary_id>[^/]+)"
_ROUTES: list[tuple[set[str], re.Pattern[str], Callable[..., Answer]]] = [
    (set(methods.split()), re.compile(pattern), endpoint)
    for methods, pattern, endpoint in [
        ("POST", "/v2/translate", Endpoints.translate),
        ("GET POST", "/v2/usage", Endpoints.usage),
        ("GET POST", "/v2/languages", Endpoints.languages),
        ("GET", "/v2/glossary-language-pairs", Endpoints.glossary_pairs),
        ("POST", "/v2/glossaries", Endpoints.v2_create),
        ("GET", "/v2/glossaries", Endpoints.v2_list),
        ("GET", "/v2/glossaries" + _ID, Endpoints.v2_get),
        ("DELETE", "/v2/glossaries" + _ID, Endpoints.glossary_delete),
        ("GET", "/v2/glossaries" + _ID + "/entries", Endpoints.v2_entries),
        ("POST", "/v3/glossaries", Endpoints.v3_create),
        ("GET", "/v3/glossaries", Endpoints.v3_list),
        ("GET", "/v3/glossaries" + _ID, Endpoints.v3_get),
        ("PATCH", "/v3/glossaries" + _ID, Endpoints.v3_patch),
        ("DELETE", "/v3/glossaries" + _ID, Endpoints.glossary_delete),
        ("PUT", "/v3/glossaries" + _ID + "/dictionaries", Endpoints.v3_put_dictionary),
        (
            "DELETE",
            "/v3/glossaries" + _ID + "/dictionaries",
            Endpoints.v3_delete_dictionary,
        ),
        ("GET", "/v3/glossaries" + _ID + "/entries", Endpoints.v3_entries),
    ]
]


class _Handler(FakeHandler):
    server_version = "FakeDeepL/1"

    def _handle(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        query = parse_qs(url.query, keep_blank_values=True)
        body = _parse_body(headers.get("content-type", ""), raw)
        readable = None if body is _UNREAD else body
        record = RecordedRequest(
            self.command, url.path, query, headers, readable, len(raw)
        )
        generation, failure = fake._arrive(record)
        if fake.delay_seconds:
            fake._stopping.wait(fake.delay_seconds)
        if not fake._current(generation) or (failure and failure.status == 0):
            self.close_connection = True
            return
        if failure is not None:
            status, answer_headers, payload = (
                failure.status,
                failure.headers,
                failure.body,
            )
        else:
            params = None
            if body is not _UNREAD:
                params = {
                    **{key: values[-1] for key, values in query.items()},
                    **(body or {}),
                    "_accept": headers.get("accept", ""),
                }
            status, answer_headers, payload = fake._answer(record, params)
        record.status = status
        try:
            self.send_response(status, _REASONS.get(status))
            for name, value in answer_headers.items():
                self.send_header(name, value)
            if status != 204:
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (its timeout): nobody to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


_UNREAD = object()


def _parse_body(content_type: str, raw: bytes) -> Any:
    """A dict (for a form, ``text`` always a list), ``None`` when empty,
    ``_UNREAD`` when it cannot be read."""
    if not raw:
        return None
    kind = content_type.split(";")[0].strip().lower()
    with contextlib.suppress(ValueError, UnicodeDecodeError):
        if kind == "application/json":
            parsed = json.loads(raw)
            return parsed if isinstance(parsed, dict) else _UNREAD
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(raw.decode(), keep_blank_values=True, strict_parsing=True)
            return {
                key: values if key == "text" else values[-1]
                for key, values in form.items()
            }
    return _UNREAD


# The server's class is defined above its handler's.
DeepLServer.handler_class = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local fake of DeepL's API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default=DEFAULT_AUTH_KEY, help="the key accepted")
    parser.add_argument(
        "--character-limit", type=int, default=rules.PRO_CHARACTER_LIMIT
    )
    args = parser.parse_args(argv)
    server = DeepLServer(
        auth_key=args.key,
        host=args.host,
        port=args.port,
        character_limit=args.character_limit,
    )
    with server, contextlib.suppress(KeyboardInterrupt):
        print(server.url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
