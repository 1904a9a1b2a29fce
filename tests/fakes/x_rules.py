"""What X's API v2 documentation says, for the fake server in x_server.py:
error bodies, rate-limit buckets and headers, post ids, how X shows a post's
text, OAuth 1.0a checks, and what each endpoint answers (``Endpoints``).

Sources: X's OpenAPI description (../shared/specs/x-api-v2.159-openapi.json:
TweetId ``^[0-9]{1,19}$``, Problem bodies), docs.x.com (rate limits and
their headers, 24-hour caps, Manage Posts), X's developer forum and client
libraries' issue trackers for the bodies X sends (duplicate content, 401,
429), and RFC 5849 (OAuth 1.0a signatures).
"""

from __future__ import annotations

import hmac
import html
import re
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

from oauthlib.oauth1.rfc5849 import signature, utils

from publishers.social_text import MAX_WEIGHTED_LENGTH, weighted_length

ID = re.compile(r"[0-9]{1,19}")
# Snowflake ids: milliseconds since X's epoch, shifted past 22 bits of
# worker and sequence. Decimal, 19 digits today, growing with time.
TWITTER_EPOCH_MS = 1288834974657
WINDOW_SECONDS = 15 * 60
DAY_SECONDS = 24 * 60 * 60
# Per account per 15 minutes, per endpoint (docs.x.com rate limits, Pro).
WINDOW_LIMITS = {"create": 100, "delete": 50, "me": 75, "timeline": 900}
# POST /2/tweets per app per 24 hours (the Free tier has 17 for both).
APP_DAY_LIMIT = 10_000
# Hosts a client signs its OAuth 1.0a requests for (tweepy uses the first).
SIGNED_HOSTS = ("https://api.twitter.com", "https://api.x.com")

PROBLEM = "https://api.twitter.com/2/problems/"
TITLES = {
    400: "Invalid Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found Error",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."
REPLY_GONE_DETAIL = (
    "You attempted to reply to a Tweet that is deleted or not visible to you."
)
TOO_LONG_MESSAGE = (
    "Your Tweet text is too long. For more information on how Twitter "
    "determines text length see https://github.com/twitter/twitter-text."
)


class Refused(Exception):
    """An error answer with X's body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body.get("detail", ""))
        self.status, self.body = status, body


def problem(status: int, detail: str = "", kind: str = "about:blank") -> dict:
    """X's RFC 7807 body: {"title", "detail", "type", "status"}."""
    title = TITLES.get(status, "Error")
    return {"title": title, "detail": detail or title, "type": kind, "status": status}


def invalid_request(message: str, parameter: str, value: str) -> Refused:
    """400 as X sends it for a bad parameter."""
    return Refused(
        400,
        {
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEM + "invalid-request",
        },
    )


def not_found(parameter: str, value: str) -> Refused:
    return Refused(
        404,
        {
            "title": "Not Found Error",
            "detail": f"Could not find tweet with {parameter}: [{value}].",
            "type": PROBLEM + "resource-not-found",
            "parameter": parameter,
            "value": value,
            "resource_id": value,
            "resource_type": "tweet",
        },
    )


# -- ids and text ---------------------------------------------------------------


def snowflake(now: float, sequence: int) -> str:
    milliseconds = int(now * 1000) - TWITTER_EPOCH_MS
    return str((milliseconds << 22) | (sequence & 0x3FFFFF))


def timestamp(moment: float) -> str:
    """X's date-times: UTC, milliseconds, Z (tweepy parses exactly this)."""
    value = datetime.fromtimestamp(moment, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_time(value: str) -> float | None:
    """An RFC 3339 date-time as X accepts it (start_time, end_time)."""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.timestamp()


_LINK = re.compile(r"https?://[^\s\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]+", re.I)
_SLUG = string.ascii_letters + string.digits


def shown_text(text: str, links: dict[str, str]) -> str:
    """The text as X shows it: every http(s) link replaced by a t.co link
    (the same link gets the same t.co link), and &, < and > escaped."""

    def wrap(match: re.Match[str]) -> str:
        url = match.group().rstrip(".,;:!?'\")")
        if url not in links:
            number = len(links) + 1
            slug = "".join(_SLUG[(number * 7919 + i * 104729) % 62] for i in range(10))
            links[url] = f"https://t.co/{slug}"
        return links[url] + match.group()[len(url) :]

    return html.escape(_LINK.sub(wrap, text), quote=False)


# -- rate limits ------------------------------------------------------------------


@dataclass
class Bucket:
    """A fixed window: ``limit`` requests until ``reset`` (Unix seconds)."""

    limit: int
    seconds: int
    reset: float = 0.0
    used: int = 0

    def current(self, now: float) -> Bucket:
        if now >= self.reset:
            self.reset, self.used = now + self.seconds, 0
        return self

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def limit_headers(prefix: str, bucket: Bucket) -> dict[str, str]:
    return {
        f"{prefix}-limit": str(bucket.limit),
        f"{prefix}-remaining": str(bucket.remaining),
        f"{prefix}-reset": str(int(bucket.reset)),
    }


# -- OAuth 1.0a -------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    consumer_key: str
    consumer_secret: str
    access_token: str
    access_token_secret: str


def oauth_problem(
    method: str, path: str, query: str, header: str, credentials: Credentials
) -> str:
    """Why the Authorization header does not authenticate the request, or ""
    when it does: the consumer key and token must be ours and the HMAC-SHA1
    signature must match, computed for any host a client may have signed."""
    if not header.lower().startswith("oauth "):
        return "no OAuth 1.0a Authorization header"
    try:
        fields = dict(utils.parse_authorization_header(header))
    except ValueError:
        return "a malformed Authorization header"
    fields = {key: unquote(value) for key, value in fields.items()}
    if fields.get("oauth_consumer_key") != credentials.consumer_key:
        return "an unknown consumer key"
    if fields.get("oauth_token") != credentials.access_token:
        return "an unknown access token"
    if fields.get("oauth_signature_method") != "HMAC-SHA1":
        return "a signature method other than HMAC-SHA1"
    params = signature.collect_parameters(
        uri_query=query, headers={"Authorization": header}
    )
    normalized = signature.normalize_parameters(params)
    secrets = SimpleNamespace(
        client_secret=credentials.consumer_secret,
        resource_owner_secret=credentials.access_token_secret,
    )
    for host in SIGNED_HOSTS:
        base = signature.signature_base_string(
            method, signature.base_string_uri(host + path), normalized
        )
        expected = signature.sign_hmac_sha1_with_client(base, secrets)
        if hmac.compare_digest(expected, fields.get("oauth_signature", "")):
            return ""
    return "a signature that does not match the secrets"


# -- state and endpoints ------------------------------------------------------


@dataclass
class FakePost:
    id: str
    text: str
    #: The text as X shows it (t.co links, escaped).
    shown: str
    created: float
    author_id: str
    reply_to: str | None = None
    deleted: bool = False


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    #: Header names in lower case.
    headers: dict[str, str]
    #: The parsed JSON body, or None.
    body: Any
    #: The status answered; 0 while pending or when no answer was sent.
    status: int = 0
    #: Why a request was refused or not answered, in words.
    outcome: str = ""


class Endpoints:
    """The fake's endpoints, a mixin of XServer (x_server.py), which holds
    the state, the lock, the clock and the HTTP side. Each takes the recorded
    request (and the path's id) and returns (status, body) or raises Refused."""

    _lock: threading.RLock
    posts: dict[str, FakePost]
    user_id: str
    username: str
    timeline_delay_seconds: float
    now: Callable[[], float]
    _post_store: Callable[..., FakePost]

    def _create(self, record: RecordedRequest) -> tuple[int, dict]:
        body = record.body
        if not isinstance(body, dict):
            raise invalid_request("The request body must be JSON.", "body", "")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise invalid_request("Post text must not be empty.", "text", "")
        if weighted_length(text) > MAX_WEIGHTED_LENGTH:
            raise invalid_request(TOO_LONG_MESSAGE, "text", text[:40])
        reply = body.get("reply") or {}
        reply_to = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else ""
        if reply_to is not None and not (
            isinstance(reply_to, str) and ID.fullmatch(reply_to)
        ):
            raise invalid_request(
                "in_reply_to_tweet_id must be a post id.",
                "reply.in_reply_to_tweet_id",
                str(reply_to),
            )
        with self._lock:
            if reply_to is not None:
                target = self.posts.get(reply_to)
                if target is None or target.deleted:
                    raise Refused(403, problem(403, REPLY_GONE_DETAIL))
            if any(p.text == text and not p.deleted for p in self.posts.values()):
                raise Refused(403, problem(403, DUPLICATE_DETAIL))
            post = self._post_store(text, reply_to, self.now())
        data = {"id": post.id, "text": post.shown, "edit_history_tweet_ids": [post.id]}
        return 201, {"data": data}

    def _delete(self, record: RecordedRequest, post_id: str) -> tuple[int, dict]:
        if not ID.fullmatch(post_id):
            raise invalid_request("The id must be a post id.", "id", post_id)
        with self._lock:
            post = self.posts.get(post_id)
            if post is None or post.deleted:
                raise not_found("id", post_id)
            post.deleted = True
        return 200, {"data": {"deleted": True}}

    def _me(self, record: RecordedRequest) -> tuple[int, dict]:
        user = {"id": self.user_id, "name": "Tsunagu", "username": self.username}
        return 200, {"data": user}

    def _timeline(self, record: RecordedRequest, user_id: str) -> tuple[int, dict]:
        query = {key: values[-1] for key, values in record.query.items()}
        if not ID.fullmatch(user_id):
            raise invalid_request("The id must be a user id.", "id", user_id)
        size = query.get("max_results", "10")
        if not size.isdigit() or not 5 <= int(size) <= 100:
            raise invalid_request(
                "The `max_results` query parameter value is not between 5 and 100",
                "max_results",
                size,
            )
        bounds: dict[str, float] = {}
        for name in ("start_time", "end_time"):
            if name in query:
                moment = parse_time(query[name])
                if moment is None:
                    raise invalid_request(f"Invalid {name}", name, query[name])
                bounds[name] = moment
        fields = set(query.get("tweet.fields", "").split(","))
        excluded = set(query.get("exclude", "").split(","))
        before = _token_id(query.get("pagination_token"))
        if user_id != self.user_id:
            return 200, {"meta": {"result_count": 0}}
        visible_until = self.now() - self.timeline_delay_seconds
        with self._lock:
            posts = [
                post
                for post in self.posts.values()
                if not post.deleted
                and post.created <= visible_until
                and post.created >= bounds.get("start_time", float("-inf"))
                and post.created < bounds.get("end_time", float("inf"))
                and int(post.id) > int(query.get("since_id") or 0)
                and int(post.id) < int(query.get("until_id") or 10**19)
                and int(post.id) < before
                and not ("replies" in excluded and post.reply_to)
            ]
        posts.sort(key=lambda post: int(post.id), reverse=True)
        page, rest = posts[: int(size)], posts[int(size) :]
        if not page:
            return 200, {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "result_count": len(page),
            "newest_id": page[0].id,
            "oldest_id": page[-1].id,
        }
        if rest:
            meta["next_token"] = _base36(int(page[-1].id))
        return 200, {"data": [_tweet(post, fields) for post in page], "meta": meta}


def _tweet(post: FakePost, fields: set[str]) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": post.id,
        "text": post.shown,
        "edit_history_tweet_ids": [post.id],
    }
    if "created_at" in fields:
        tweet["created_at"] = timestamp(post.created)
    if "author_id" in fields:
        tweet["author_id"] = post.author_id
    if "referenced_tweets" in fields and post.reply_to:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
    return tweet


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while number:
        number, digit = divmod(number, 36)
        text = digits[digit] + text
    return text or "0"


def _token_id(token: str | None) -> int:
    """Posts older than the id a pagination token holds; any for none."""
    if not token:
        return 10**19
    try:
        return int(token, 36)
    except ValueError:
        raise invalid_request(
            "The pagination token is not valid.", "pagination_token", token
        ) from None
