"""The in-memory twin of a social network account, for the outbox's tests.

It keeps posts in a list (``posts``, newest last), refuses a text the
account already has as X does (DuplicateContent), deletes, lists recent
posts, and can be told to fail: ``fail_next(error)`` raises the error from
the next call, and ``fail_next(OutcomeUnknown(...), after_create=True)``
creates the post first, as when X posts but the answer is lost. The real
client is tested against tests/fakes/x_server.py over HTTP; this twin keeps
the service's tests fast and free of sockets.

Options (all optional): USERNAME, USER_ID, MAX_TEXT_LENGTH.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from publishers.social_text import weighted_length

from .base import (
    Account,
    DuplicateContent,
    Rejected,
    RemotePost,
    SocialBackend,
    SocialError,
)


@dataclass
class _Failure:
    error: SocialError
    operation: str | None
    after_create: bool


@dataclass
class Call:
    operation: str
    kwargs: dict[str, Any] = field(default_factory=dict)


class InMemorySocialBackend(SocialBackend):
    name = "memory"
    display_name = "Memory (tests)"

    def __init__(
        self, options: Mapping[str, Any] | None = None, *, alias: str = ""
    ) -> None:
        super().__init__(options, alias=alias)
        options = options or {}
        self.username = str(options.get("USERNAME", "tsunagu_test"))
        self.user_id = str(options.get("USER_ID", "1000000001"))
        self.max_text_length = int(options.get("MAX_TEXT_LENGTH", 280))
        #: What "now" is for created_at; tests may replace it.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self._lock = threading.Lock()
        self.reset()

    # -- what the tests steer and read --------------------------------------

    def reset(self) -> None:
        with self._lock:
            #: Live posts, oldest first.
            self.posts: list[RemotePost] = []
            self.deleted: list[RemotePost] = []
            #: Every call, in order: what the outbox asked for.
            self.calls: list[Call] = []
            self._failures: list[_Failure] = []
            self._ids = itertools.count(1_900_000_000_000_000_001)

    def fail_next(
        self,
        error: SocialError,
        *,
        times: int = 1,
        operation: str | None = None,
        after_create: bool = False,
    ) -> None:
        """Raise ``error`` from the next ``times`` calls (of ``operation``,
        e.g. "post_create", if given). With ``after_create`` a post_create
        stores the post before raising: the post exists though the caller
        saw an error."""
        with self._lock:
            self._failures.extend(
                _Failure(error, operation, after_create) for _ in range(times)
            )

    def texts(self) -> list[str]:
        return [post.text for post in self.posts]

    # -- the backend ---------------------------------------------------------

    def text_length(self, text: str) -> int:
        return weighted_length(text)

    def _failure(self, operation: str) -> _Failure | None:
        for index, failure in enumerate(self._failures):
            if failure.operation in (None, operation):
                return self._failures.pop(index)
        return None

    def post_create(self, *, text: str, reply_to_id: str | None = None) -> RemotePost:
        with self._lock:
            self.calls.append(
                Call("post_create", {"text": text, "reply_to_id": reply_to_id})
            )
            failure = self._failure("post_create")
            if failure is not None and not failure.after_create:
                raise failure.error
            if not self.text_fits(text):
                raise Rejected(
                    f"The post weighs {self.text_length(text)}; at most "
                    f"{self.max_text_length} fit."
                )
            if any(post.text == text for post in self.posts):
                raise DuplicateContent("The account already has a post with this text.")
            if reply_to_id is not None and reply_to_id not in {
                p.id for p in self.posts
            }:
                raise Rejected("The post to reply to is deleted or not visible.")
            post_id = str(next(self._ids))
            post = RemotePost(
                id=post_id,
                url=f"https://x.com/{self.username}/status/{post_id}",
                text=text,
                created_at=self.clock(),
                reply_to_id=reply_to_id,
            )
            self.posts.append(post)
            if failure is not None:
                raise failure.error
            return post

    def post_delete(self, *, post_id: str) -> None:
        with self._lock:
            self.calls.append(Call("post_delete", {"post_id": post_id}))
            if (failure := self._failure("post_delete")) is not None:
                raise failure.error
            for post in list(self.posts):
                if post.id == post_id:
                    self.posts.remove(post)
                    self.deleted.append(post)

    def posts_recent(self, *, since: datetime, limit: int = 100) -> list[RemotePost]:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        with self._lock:
            self.calls.append(Call("posts_recent", {"since": since, "limit": limit}))
            if (failure := self._failure("posts_recent")) is not None:
                raise failure.error
            recent = [post for post in self.posts if post.created_at >= since]
        recent.sort(key=lambda post: (post.created_at, int(post.id)), reverse=True)
        return recent[: max(limit, 0)]

    def account_check(self) -> Account:
        with self._lock:
            self.calls.append(Call("account_check"))
            if (failure := self._failure("account_check")) is not None:
                raise failure.error
        return Account(id=self.user_id, username=self.username, name="Tsunagu (test)")
