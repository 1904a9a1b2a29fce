"""A local server that answers as X's API v2 is documented to answer, for the
calls the X backend makes through tweepy.

For the X backend's tests and the publishing benchmark: ``tweepy.Client``
talks to it over real HTTP (the backend's API_URL option rewrites
https://api.twitter.com to ``server.url``). It follows X's OpenAPI
description (../shared/specs/x-api-v2.159-openapi.json) and docs.x.com; the
facts are in x_rules.py:

- ``Authorization: OAuth ...`` (1.0a, HMAC-SHA1) with our consumer key and
  access token, and a signature made with our secrets, else 401.
- POST /2/tweets ``{"text", "reply": {"in_reply_to_tweet_id"}}``: 201 with
  ``{"data": {"id", "text", "edit_history_tweet_ids"}}``, the text as X shows
  it (links wrapped in t.co, ``&<>`` escaped). Empty or over 280 weighted
  characters: 400. A text the account already has: 403 duplicate content.
  A reply to a post that is gone: 403.
- DELETE /2/tweets/{id}: ``{"data": {"deleted": true}}``; a post it does not
  have (or no longer): 404.
- GET /2/users/me; GET /2/users/{id}/tweets with start_time, end_time,
  since_id, until_id, max_results (5–100), pagination_token, exclude and
  tweet.fields (created_at, author_id, referenced_tweets), newest first.
- Rate limits: a 15-minute window per endpoint (``window_limits``) and, for
  posting, 24-hour caps per account (``user_day_limit``) and per app
  (``app_day_limit``), each told in X's headers (x-rate-limit-*,
  x-user-limit-24hour-*, x-app-limit-24hour-*) on every answer, 429 when
  used up. Their clock is ``now()``, which tests move (``advance``).

Tests steer it: ``fail_next(status, ...)`` answers before any handling;
``timeout_after_arrival_next()`` handles a request (the post is created)
then holds the answer past the client's timeout; ``drop_connection_next()``
closes the connection without an answer (after handling it, with
``after_handling=True``); ``delay_seconds`` slows every answer;
``timeline_delay_seconds`` hides new posts from timelines for a while, as
X's do. It counts posts created per text (``created``) so tests and the
benchmark can count duplicates and losses, and records ``requests``.

Alone: ``python -m tests.fakes.x_server --port 8043``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import x_rules as rules
from .lifecycle import FakeHandler, FakeHTTPServer, LocalServer
from .x_rules import Bucket, Credentials, Endpoints, FakePost, RecordedRequest

__all__ = ["DEFAULT_CREDENTIALS", "FakePost", "RecordedRequest", "XServer"]

# An OAuth 1.0a access token starts with the account's user id.
DEFAULT_CREDENTIALS = Credentials(
    consumer_key="tsunagu-fake-consumer-key",
    consumer_secret="tsunagu-fake-consumer-secret",
    access_token="1500000000000000001-tsunaguFakeAccessToken",
    access_token_secret="tsunagu-fake-access-token-secret",
)
Answer = tuple[int, dict[str, str], bytes]


@dataclass
class _Steer:
    kind: str  # "status", "drop" or "hold"
    method: str | None
    path: str | None
    status: int = 0
    headers: dict[str, str] | None = None
    body: bytes = b""
    after_handling: bool = False
    hold_seconds: float = 0.0

    def matches(self, record: RecordedRequest) -> bool:
        return self.method in (None, record.method) and (
            self.path is None or record.path.startswith(self.path)
        )


class XServer(LocalServer, Endpoints):
    """The fake API on ``host`` (127.0.0.1) and a free port."""

    thread_name = "fake-x"

    def __init__(
        self,
        *,
        credentials: Credentials = DEFAULT_CREDENTIALS,
        username: str = "tsunagu_news",
        host: str = "127.0.0.1",
        port: int = 0,
        verify_signatures: bool = True,
    ) -> None:
        self.credentials = credentials
        self.user_id = credentials.access_token.partition("-")[0]
        self.username = username
        self.verify_signatures = verify_signatures
        self._address = (host, port)
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # -- what tests steer and read ------------------------------------------

    def reset(self) -> None:
        """Back to the state after construction: no posts, requests, queued
        failures or spent limits; default limits, speed and clock."""
        with self._lock:
            self.posts: dict[str, FakePost] = {}
            #: Posts created per text, deleted ones included.
            self.created: Counter[str] = Counter()
            self.requests: list[RecordedRequest] = []
            self.window_limits = dict(rules.WINDOW_LIMITS)
            self.user_day_limit: int | None = None
            self.app_day_limit: int | None = rules.APP_DAY_LIMIT
            self.delay_seconds = 0.0
            self.timeline_delay_seconds = 0.0
            #: How long timeout_after_arrival_next holds its answer by default.
            self.hold_seconds = 3.0
            #: None: real time; else the Unix time the fake believes it is.
            self.now_override: float | None = None
            self._buckets: dict[str, Bucket] = {}
            self._steers: list[_Steer] = []
            self._links: dict[str, str] = {}
            self._sequence = itertools.count(1)

    def now(self) -> float:
        return time.time() if self.now_override is None else self.now_override

    def advance(self, seconds: float) -> None:
        """Move the fake's clock (rate-limit windows, created_at) forward."""
        with self._lock:
            self.now_override = self.now() + seconds

    def fail_next(
        self,
        status: int,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str | dict | None = None,
        path: str | None = None,
        method: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests (matching ``method`` and the
        ``path`` prefix, if given) with ``status`` before any handling:
        nothing is created or counted. The body defaults to X's problem body;
        a 429 defaults to a used-up 15-minute window."""
        if body is None:
            body = rules.problem(status)
        if isinstance(body, dict):
            answer_headers = {"Content-Type": "application/json; charset=utf-8"}
            body = json.dumps(body)
        else:
            answer_headers = {"Content-Type": "text/html"}
        if status == 429 and not headers:
            headers = {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(self.now()) + rules.WINDOW_SECONDS),
            }
        answer_headers.update(headers or {})
        payload = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._steers.extend(
                _Steer("status", method, path, status, answer_headers, payload)
                for _ in range(times)
            )

    def timeout_after_arrival_next(
        self,
        *,
        hold_seconds: float | None = None,
        path: str | None = "/2/tweets",
        method: str | None = "POST",
    ) -> None:
        """Handle the next matching request (a post is created), then hold
        the answer ``hold_seconds``: longer than the client waits, so the
        post exists though the client saw a timeout."""
        hold = self.hold_seconds if hold_seconds is None else hold_seconds
        with self._lock:
            self._steers.append(_Steer("hold", method, path, hold_seconds=hold))

    def drop_connection_next(
        self,
        *,
        after_handling: bool = False,
        path: str | None = None,
        method: str | None = None,
    ) -> None:
        """Close the connection of the next matching request without an
        answer: before handling it (nothing happens), or after (the post
        exists)."""
        with self._lock:
            self._steers.append(
                _Steer("drop", method, path, after_handling=after_handling)
            )

    def post_add(self, text: str, *, created: float | None = None) -> FakePost:
        """A post made earlier (e.g. by hand in X's app), for timelines."""
        with self._lock:
            return self._post_store(
                text, None, self.now() if created is None else created
            )

    def live_posts(self) -> list[FakePost]:
        with self._lock:
            return [post for post in self.posts.values() if not post.deleted]

    def duplicates(self) -> dict[str, int]:
        """Texts posted more than once, and how often."""
        with self._lock:
            return {text: n for text, n in self.created.items() if n > 1}

    # -- lifecycle ----------------------------------------------------------

    # -- handling -----------------------------------------------------------

    def _arrive(self, record: RecordedRequest) -> _Steer | None:
        with self._lock:
            self.requests.append(record)
            for index, steer in enumerate(self._steers):
                if steer.matches(record):
                    return self._steers.pop(index)
        return None

    def _answer(self, record: RecordedRequest, raw_query: str) -> Answer:
        header = record.headers.get("authorization", "")
        if self.verify_signatures:
            problem = rules.oauth_problem(
                record.method, record.path, raw_query, header, self.credentials
            )
        else:
            problem = "" if self.credentials.access_token in header else "bad token"
        if problem:
            record.outcome = problem
            return _json(401, rules.problem(401))
        allowed = False
        for method, pattern, key, endpoint in _ROUTES:
            match = pattern.fullmatch(record.path)
            if match is None:
                continue
            allowed = True
            if method != record.method:
                continue
            headers, exhausted = self._spend(key)
            if exhausted:
                record.outcome = "rate limited"
                return _json(429, rules.problem(429), headers)
            try:
                status, payload = endpoint(self, record, **match.groupdict())
            except rules.Refused as refused:
                record.outcome = str(refused)
                status, payload = refused.status, refused.body
            return _json(status, payload, headers)
        return _json(405 if allowed else 404, rules.problem(405 if allowed else 404))

    def _spend(self, key: str) -> tuple[dict[str, str], bool]:
        """Count a request against its limits; (headers, used up)."""
        now = self.now()
        with self._lock:
            limits = [("x-rate-limit", f"window:{key}", self.window_limits[key], 0)]
            if key == "create":
                limits.append(("x-user-limit-24hour", "user", self.user_day_limit, 1))
                limits.append(("x-app-limit-24hour", "app", self.app_day_limit, 1))
            buckets = []
            for prefix, name, limit, daily in limits:
                if limit is None:
                    continue
                seconds = rules.DAY_SECONDS if daily else rules.WINDOW_SECONDS
                bucket = self._buckets.setdefault(name, Bucket(limit, seconds))
                bucket.limit = limit
                buckets.append((prefix, bucket.current(now)))
            exhausted = any(bucket.remaining == 0 for _, bucket in buckets)
            if not exhausted:
                for _, bucket in buckets:
                    bucket.used += 1
            headers: dict[str, str] = {}
            for prefix, bucket in buckets:
                headers.update(rules.limit_headers(prefix, bucket))
        return headers, exhausted

    def _post_store(self, text: str, reply_to: str | None, created: float) -> FakePost:
        post_id = rules.snowflake(created, next(self._sequence))
        post = FakePost(
            post_id,
            text,
            rules.shown_text(text, self._links),
            created,
            self.user_id,
            reply_to,
        )
        self.posts[post_id] = post
        self.created[text] += 1
        return post


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    body = json.dumps(payload).encode()
    content_type = "application/json; charset=utf-8"
    if status >= 400 and "title" in payload:
        content_type = "application/problem+json"
    return status, {"Content-Type": content_type, **(headers or {})}, body


_ROUTES: list[tuple[str, re.Pattern[str], str, Callable[..., tuple[int, dict]]]] = [
    ("POST", re.compile(r"/2/tweets"), "create", Endpoints._create),
    (
        "DELETE",
        re.compile(r"/2/tweets/(?P<post_id>[^/]+)"),
        "delete",
        Endpoints._delete,
    ),
    ("GET", re.compile(r"/2/users/me"), "me", Endpoints._me),
    (
        "GET",
        re.compile(r"/2/users/(?P<user_id>[^/]+)/tweets"),
        "timeline",
        Endpoints._timeline,
    ),
]


class _Handler(FakeHandler):
    server_version = "FakeX/1"

    def _handle(self) -> None:
        fake = self.server.fake
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = None
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            body = json.loads(raw) if raw else None
        query = parse_qs(url.query, keep_blank_values=True)
        record = RecordedRequest(self.command, url.path, query, headers, body)
        steer = fake._arrive(record)
        if fake.delay_seconds:
            fake._stopping.wait(fake.delay_seconds)
        if steer is not None and steer.kind == "drop" and not steer.after_handling:
            record.outcome = "connection dropped before handling"
            self.close_connection = True
            return
        if steer is not None and steer.kind == "status":
            status, answer_headers, payload = (
                steer.status,
                steer.headers or {},
                steer.body,
            )
            record.outcome = "steered"
        else:
            status, answer_headers, payload = fake._answer(record, url.query)
        if steer is not None and steer.kind == "drop":
            record.outcome = f"connection dropped after handling ({status})"
            self.close_connection = True
            return
        if steer is not None and steer.kind == "hold":
            record.outcome = f"answer ({status}) held {steer.hold_seconds:g} s"
            fake._stopping.wait(steer.hold_seconds)
            self.close_connection = True
        record.status = status
        try:
            self.send_response(status)
            for name, value in answer_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (its timeout): nobody to answer.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


# The server's class is defined above its handler's.
XServer.handler_class = _Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A local fake of X's API v2.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--user-day-limit", type=int, default=None)
    parser.add_argument("--app-day-limit", type=int, default=rules.APP_DAY_LIMIT)
    args = parser.parse_args(argv)
    server = XServer(host=args.host, port=args.port)
    server.user_day_limit = args.user_day_limit
    server.app_day_limit = args.app_day_limit
    with server, contextlib.suppress(KeyboardInterrupt):
        credentials = server.credentials
        print(server.url, flush=True)
        print(
            f"CONSUMER_KEY={credentials.consumer_key} "
            f"CONSUMER_SECRET={credentials.consumer_secret} "
            f"ACCESS_TOKEN={credentials.access_token} "
            f"ACCESS_TOKEN_SECRET={credentials.access_token_secret}",
            flush=True,
        )
        threading.Event().wait()


if __name__ == "__main__":
    main()
