"""X through tweepy's API v2 client, OAuth 1.0a user context.

OPTIONS: CONSUMER_KEY, CONSUMER_SECRET (the app's), ACCESS_TOKEN,
ACCESS_TOKEN_SECRET (the account's; required), TIMEOUT_SECONDS (connect and
read: one number or a pair, default (5, 20)), API_URL (a local server that
answers for https://api.x.com and https://api.twitter.com: tests).

tweepy sets no timeout on its requests and retries nothing; a
``requests`` transport adapter mounted on its session adds the timeout to
every call (and sends to API_URL when set). There is no retry here either:
a POST retried blindly could post twice. The outbox decides, from the error:

- RateLimited: 429; ``reset_at`` from X's headers (the latest of the
  exhausted limits), tweepy's own waiting stays off (the outbox waits, not a
  worker thread).
- DuplicateContent: X's 403 for a text the account already posted.
- ConfigurationError: 401, any other 403 (an app without "Read and write",
  an app outside a project), 402.
- Rejected: 400 and other 4xx (and a text over 280, checked before sending).
- TemporaryError: 5xx, or the connection failed before the request left
  (refused, DNS, TLS, connect timeout).
- OutcomeUnknown: the request to post left and its answer was lost (read
  timeout, connection dropped) or was a 5xx: the post may exist.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import requests
import tweepy
import urllib3.exceptions
from django.core.exceptions import ImproperlyConfigured
from requests.adapters import HTTPAdapter

from publishers.social_text import MAX_WEIGHTED_LENGTH, weighted_length

from .base import (
    Account,
    ConfigurationError,
    DuplicateContent,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    RemotePost,
    SocialBackend,
    SocialError,
    TemporaryError,
)

logger = logging.getLogger(__name__)

# tweepy builds every URL on this prefix; X also answers on api.x.com.
X_HOSTS = ("https://api.twitter.com", "https://api.x.com")
REQUIRED = ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET")
KNOWN = {*REQUIRED, "TIMEOUT_SECONDS", "API_URL"}
DEFAULT_TIMEOUT = (5.0, 20.0)
# Post and user ids: decimal strings of up to 19 digits (X's OpenAPI
# description, TweetId and UserId).
_ID = re.compile(r"[0-9]{1,19}")

# Rate limits. Every answer carries x-rate-limit-limit/-remaining/-reset
# (the endpoint's 15-minute window, Unix seconds); posting also has 24-hour
# caps per account and per app, told by x-user-limit-24hour-* and
# x-app-limit-24hour-*. POST /2/tweets allows 100 per 15 minutes per
# account and 10,000 per 24 hours per app (fewer on the Free tier).
# https://docs.x.com/x-api/fundamentals/rate-limits
# https://docs.x.com/x-api/posts/manage-tweets/introduction
_LIMIT_HEADERS = (
    ("window", "x-rate-limit"),
    ("user_24h", "x-user-limit-24hour"),
    ("app_24h", "x-app-limit-24hour"),
)
_WINDOW_SECONDS = 15 * 60
# What a call through tweepy can raise: its HTTP errors, requests' transport
# errors, and what tweepy raises on an answer it cannot read (its User and
# Tweet classes parse date-times strictly: ValueError for one without
# milliseconds; its HTTP errors expect a JSON object: AttributeError for a
# list).
_FAILURES = (
    tweepy.TweepyException,
    requests.RequestException,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
)


class _XAdapter(HTTPAdapter):
    """Every request gets our timeout (tweepy passes none), and goes to
    ``api_url`` instead of X when one is set. No retries (max_retries 0,
    requests' default): a retried POST could post twice."""

    def __init__(self, *, timeout: tuple[float, float], api_url: str) -> None:
        super().__init__()
        self.timeout = timeout
        self.api_url = api_url

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        if self.api_url and request.url:
            for host in X_HOSTS:
                if request.url.startswith(host + "/"):
                    request.url = self.api_url + request.url[len(host) :]
                    break
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class XBackend(SocialBackend):
    name = "x"
    display_name = "X"
    # 280 weighted characters (twitter-text v3: 2 outside the listed
    # ranges, URLs 23). https://docs.x.com/fundamentals/counting-characters
    max_text_length = MAX_WEIGHTED_LENGTH

    def __init__(
        self, options: Mapping[str, Any] | None = None, *, alias: str = ""
    ) -> None:
        super().__init__(options, alias=alias)
        options = dict(options or {})
        unknown = sorted(set(options) - KNOWN)
        if unknown:
            raise ImproperlyConfigured(
                f"{self.setting} has unknown keys {', '.join(unknown)}; the X "
                f"backend reads {', '.join(sorted(KNOWN))}."
            )
        missing = [key for key in REQUIRED if not options.get(key)]
        if missing:
            raise ImproperlyConfigured(
                f"{self.setting} lacks {', '.join(missing)}: the X backend needs "
                "the app's consumer key and secret and the account's access "
                "token and secret (X developer console, OAuth 1.0a, Read and "
                "write)."
            )
        # Kept out of repr() and of every message.
        self._credentials = tuple(str(options[key]) for key in REQUIRED)
        self.timeout = self._timeout(options.get("TIMEOUT_SECONDS", DEFAULT_TIMEOUT))
        self.api_url = str(options.get("API_URL") or "").rstrip("/")
        if self.api_url and not re.match(r"https?://", self.api_url):
            raise ImproperlyConfigured(f"{self.setting}['API_URL'] must be a URL.")
        self._user_id: str | None = None

    def __repr__(self) -> str:
        return f"<XBackend alias={self.alias!r}>"

    def _timeout(self, value: Any) -> tuple[float, float]:
        try:
            if isinstance(value, int | float | str):
                connect = read = float(value)
            else:
                connect, read = (float(part) for part in value)
        except (TypeError, ValueError):
            connect = read = 0.0
        if connect <= 0 or read <= 0:
            raise ImproperlyConfigured(
                f"{self.setting}['TIMEOUT_SECONDS'] must be a positive number of "
                "seconds or a (connect, read) pair."
            )
        return connect, read

    @cached_property
    def client(self) -> tweepy.Client:
        consumer_key, consumer_secret, token, token_secret = self._credentials
        client = tweepy.Client(
            consumer_key=consumer_key,
            consumer_secret=consumer_secret,
            access_token=token,
            access_token_secret=token_secret,
            # The outbox waits for the reset, not a worker thread asleep in
            # tweepy.
            wait_on_rate_limit=False,
        )
        adapter = _XAdapter(timeout=self.timeout, api_url=self.api_url)
        for host in X_HOSTS:
            client.session.mount(host, adapter)
        if self.api_url:
            # A local server: no proxy from the environment in between.
            client.session.trust_env = False
        return client

    def text_length(self, text: str) -> int:
        return weighted_length(text)

    # -- posts --------------------------------------------------------------

    def post_create(self, *, text: str, reply_to_id: str | None = None) -> RemotePost:
        if not text.strip():
            raise Rejected("A post needs some text.")
        length = weighted_length(text)
        if length > self.max_text_length:
            # X would refuse it too; checked here so no request is spent.
            raise Rejected(
                f"The post weighs {length} characters as X counts them; at most "
                f"{self.max_text_length} fit."
            )
        if reply_to_id is not None and not _ID.fullmatch(reply_to_id):
            raise Rejected(f"{reply_to_id!r} is not an X post id.")
        doing = "publish a post" if reply_to_id is None else "publish a reply"
        try:
            response = self.client.create_tweet(
                text=text, in_reply_to_tweet_id=reply_to_id
            )
        except _FAILURES as error:
            raise self._error(error, doing, may_exist=True) from error
        data = response.data if isinstance(response.data, dict) else {}
        post_id = str(data.get("id", ""))
        if not _ID.fullmatch(post_id):
            logger.warning("X %s: a post answered without its id: %r", self.alias, data)
            raise OutcomeUnknown(
                "X accepted the post but its answer had no post id: look at the "
                "account's recent posts before sending again."
            )
        logger.info(
            "X %s: published post %s (%d characters, reply to %s)",
            self.alias,
            post_id,
            length,
            reply_to_id,
        )
        return RemotePost(
            id=post_id,
            url=_post_url(post_id),
            text=html.unescape(str(data.get("text", text))),
            created_at=datetime.now(UTC),
            reply_to_id=reply_to_id,
        )

    def post_delete(self, *, post_id: str) -> None:
        if not _ID.fullmatch(post_id):
            raise Rejected(f"{post_id!r} is not an X post id.")
        try:
            response = self.client.delete_tweet(post_id)
        except tweepy.NotFound:
            logger.info("X %s: post %s was already gone", self.alias, post_id)
            return
        except _FAILURES as error:
            raise self._error(error, f"delete post {post_id}") from error
        data = response.data if isinstance(response.data, dict) else {}
        if data.get("deleted") is False:
            logger.info(
                "X %s: post %s was not deleted (already gone)", self.alias, post_id
            )
        else:
            logger.info("X %s: deleted post %s", self.alias, post_id)

    def posts_recent(self, *, since: datetime, limit: int = 100) -> list[RemotePost]:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        if limit < 1:
            return []
        user_id = self._account_id()
        posts: list[RemotePost] = []
        token: str | None = None
        while len(posts) < limit:
            try:
                response = self.client.get_users_tweets(
                    user_id,
                    user_auth=True,
                    start_time=since,
                    # X serves 5 to 100 a page.
                    max_results=min(100, max(5, limit - len(posts))),
                    tweet_fields=["created_at", "referenced_tweets"],
                    pagination_token=token,
                )
            except _FAILURES as error:
                raise self._error(error, "read the account's recent posts") from error
            if not response.data:
                break
            posts.extend(_remote_post(tweet) for tweet in response.data)
            token = (response.meta or {}).get("next_token")
            if not token:
                break
        return posts[:limit]

    def account_check(self) -> Account:
        try:
            response = self.client.get_me(user_auth=True)
        except _FAILURES as error:
            raise self._error(error, "read the account") from error
        user = response.data
        if user is None:
            raise TemporaryError("X answered without the account.")
        self._user_id = str(user.id)
        return Account(id=str(user.id), username=user.username, name=user.name)

    def _account_id(self) -> str:
        # An OAuth 1.0a access token starts with the account's user id and a
        # hyphen (tweepy relies on it too); else ask X once.
        if self._user_id is None:
            prefix = self._credentials[2].partition("-")[0]
            self._user_id = prefix if _ID.fullmatch(prefix) else None
        if self._user_id is None:
            self._user_id = self.account_check().id
        return self._user_id

    # -- errors -------------------------------------------------------------

    def _error(
        self, error: Exception, doing: str, *, may_exist: bool = False
    ) -> SocialError:
        """Our error for what tweepy or requests raised, in plain words. X's
        own messages carry no secret, and neither do ours."""
        if isinstance(error, tweepy.HTTPException):
            return self._http_error(error, doing, may_exist=may_exist)
        if isinstance(error, requests.RequestException) and not isinstance(
            error, requests.JSONDecodeError
        ):
            return self._transport_error(error, doing, may_exist=may_exist)
        logger.warning(
            "X %s: could not %s: unreadable answer: %s: %s",
            self.alias,
            doing,
            type(error).__name__,
            error,
        )
        if may_exist:
            return OutcomeUnknown(
                f"Could not {doing}: X's answer could not be read; the post may exist."
            )
        return TemporaryError(f"Could not {doing}: X's answer could not be read.")

    def _transport_error(
        self, error: requests.RequestException, doing: str, *, may_exist: bool
    ) -> SocialError:
        if _not_sent(error):
            logger.warning(
                "X %s: could not %s: not connected (%s)",
                self.alias,
                doing,
                type(error).__name__,
            )
            return TemporaryError(
                f"Could not {doing}: X could not be reached; nothing was sent."
            )
        if isinstance(error, requests.Timeout):
            logger.warning(
                "X %s: could not %s: no answer within %g s",
                self.alias,
                doing,
                self.timeout[1],
            )
            if may_exist:
                return OutcomeUnknown(
                    f"Could not {doing}: X did not answer within "
                    f"{self.timeout[1]:g} s after the request was sent; the post "
                    "may exist."
                )
            return TemporaryError(
                f"Could not {doing}: X did not answer within {self.timeout[1]:g} s."
            )
        logger.warning(
            "X %s: could not %s: %s: %s", self.alias, doing, type(error).__name__, error
        )
        if may_exist:
            return OutcomeUnknown(
                f"Could not {doing}: the connection to X failed after the request "
                "was sent; the post may exist."
            )
        return TemporaryError(f"Could not {doing}: the connection to X failed.")

    def _http_error(
        self, error: tweepy.HTTPException, doing: str, *, may_exist: bool
    ) -> SocialError:
        # X's statuses and problem bodies:
        # https://docs.x.com/x-api/fundamentals/response-codes-and-errors
        response = error.response
        status = response.status_code
        detail = _detail(error)
        logger.warning(
            "X %s: could not %s (status %s): %s", self.alias, doing, status, detail
        )
        if status == 429:
            return _rate_limited(response.headers, doing)
        if status == 401:
            return ConfigurationError(
                f"X refused the keys (401) trying to {doing}: check the consumer "
                "key and secret and the access token and secret."
            )
        if status == 403:
            if _is_duplicate(error):
                return DuplicateContent(
                    f"X refused to {doing}: the account already has a post with "
                    "this text (403, duplicate content)."
                )
            if re.search(r"repl(y|ied).*(deleted|not visible)", detail, re.I):
                return Rejected(f"X refused to {doing} (403): {detail}")
            return ConfigurationError(
                f"X refused to {doing} (403): {detail} Check that the app has "
                "'Read and write' permission and belongs to a project, then "
                "generate the access token again."
            )
        if status == 402:
            return ConfigurationError(
                f"X refused to {doing} (402, payment required): {detail}"
            )
        if status >= 500:
            if may_exist:
                # X has been seen to post and still answer 5xx: look first.
                return OutcomeUnknown(
                    f"X failed ({status}) trying to {doing}; the post may exist."
                )
            return TemporaryError(f"X failed ({status}) trying to {doing}.")
        return Rejected(f"X refused to {doing} ({status}): {detail}")


def _post_url(post_id: str) -> str:
    # Works without the account's username.
    return f"https://x.com/i/web/status/{post_id}"


def _remote_post(tweet: tweepy.Tweet) -> RemotePost:
    reply_to = next(
        (
            str(reference.id)
            for reference in tweet.referenced_tweets or []
            if reference.type == "replied_to"
        ),
        None,
    )
    created_at = tweet.created_at or datetime.now(UTC)
    return RemotePost(
        id=str(tweet.id),
        url=_post_url(str(tweet.id)),
        # X escapes &, < and > in post text.
        text=html.unescape(tweet.text),
        created_at=created_at.astimezone(UTC),
        reply_to_id=reply_to,
    )


def _detail(error: tweepy.HTTPException) -> str:
    text = " ".join(str(message) for message in error.api_messages).strip()
    if not text:
        text = f"{error.response.status_code} {error.response.reason}"
    if not text.endswith("."):
        text += "."
    return text[:300]


def _is_duplicate(error: tweepy.HTTPException) -> bool:
    # X API v2: 403 {"detail": "You are not allowed to create a Tweet with
    # duplicate content.", "type": "about:blank", ...}; v1.1 said code 187
    # "Status is a duplicate.". X's automation rules forbid duplicate posts:
    # https://help.x.com/en/rules-and-policies/x-automation
    return 187 in error.api_codes or any(
        "duplicate" in str(message).lower() for message in error.api_messages
    )


def _rate_limited(headers: Mapping[str, str], doing: str) -> RateLimited:
    """The latest reset among the limits X says are used up."""
    limits = []
    for scope, prefix in _LIMIT_HEADERS:
        reset = _header_int(headers, f"{prefix}-reset")
        if reset is not None:
            remaining = _header_int(headers, f"{prefix}-remaining")
            limits.append((reset, scope, remaining))
    exhausted = [limit for limit in limits if limit[2] == 0] or limits
    if exhausted:
        reset, scope, _ = max(exhausted)
    else:
        reset, scope = int(time.time()) + _WINDOW_SECONDS, "window"
    reset_at = datetime.fromtimestamp(reset, UTC)
    words = RateLimited._WORDS[scope]
    return RateLimited(
        f"Could not {doing}: X's rate limit {words} is used up until "
        f"{reset_at:%Y-%m-%d %H:%M:%S} UTC.",
        reset_at=reset_at,
        scope=scope,
    )


def _header_int(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None


def _not_sent(error: requests.RequestException) -> bool:
    """True when the request surely never reached X: the connection was not
    made (refused, DNS, TLS, connect timeout, proxy). Anything else after
    connecting may have delivered the request."""
    if isinstance(
        error,
        requests.ConnectTimeout
        | requests.exceptions.SSLError
        | requests.exceptions.ProxyError,
    ):
        return True
    reason = error.args[0] if error.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)
