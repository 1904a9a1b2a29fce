"""What a social network backend offers the publishers' outbox.

One small class per network account, chosen in settings (``TSUNAGU_SOCIAL``,
named aliases like ``CACHES``), like Django's e-mail backends. The outbox
never talks HTTP: it hands a backend a text and gets back the remote post,
or one of the errors below, each saying in plain words what happened and
what the outbox may do next. Messages never carry a key or a token.

The one rule the errors serve: never post twice on a guess. A send whose
outcome is unknown (``OutcomeUnknown``) is followed by a look at the
account's recent posts (``posts_recent``) before anything is sent again.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


class SocialError(Exception):
    """A request to the network failed; the message says why, in plain words."""


class RateLimited(SocialError):
    """A rate limit is used up until ``reset_at`` (aware, UTC): wait, then
    send again. ``scope`` names the limit: "window" (the endpoint's 15-minute
    window), "user_24h" (the account's 24 hours) or "app_24h" (the app's 24
    hours, shared by every account of the app). Nothing was posted."""

    SCOPES = ("window", "user_24h", "app_24h")
    _WORDS = {
        "window": "per 15 minutes",
        "user_24h": "per 24 hours for the account",
        "app_24h": "per 24 hours for the app",
    }

    def __init__(self, message: str = "", *, reset_at: datetime, scope: str) -> None:
        if scope not in self.SCOPES:
            raise ValueError(f"Unknown rate limit scope {scope!r}")
        if reset_at.tzinfo is None:
            raise ValueError("reset_at must be an aware datetime")
        self.reset_at = reset_at.astimezone(UTC)
        self.scope = scope
        super().__init__(
            message
            or (
                f"The rate limit {self._WORDS[scope]} is used up until "
                f"{self.reset_at:%Y-%m-%d %H:%M:%S} UTC."
            )
        )


class DuplicateContent(SocialError):
    """The network refused the post because the account already has one with
    the same text. Nothing new was posted, but an earlier send may well have
    been: look at ``posts_recent`` for it before giving up."""


class ConfigurationError(SocialError):
    """The keys are wrong or lack rights (X: 401, 403 other than a duplicate,
    e.g. an app without write permission or not enrolled in a project):
    nothing works until an operator fixes the configuration."""


class TemporaryError(SocialError):
    """The network could not be reached or failed (5xx) before anything was
    posted: send again later."""


class OutcomeUnknown(SocialError):
    """The request left, then the answer was lost (a read timeout, a dropped
    connection, a 5xx to a post): the post may exist. Look at
    ``posts_recent`` before sending again."""


class Rejected(SocialError):
    """The network refused this request as it is (X: 400, other 4xx): sending
    it again unchanged will not help."""


@dataclass(frozen=True)
class RemotePost:
    #: The network's id (X: a decimal string of up to 19 digits).
    id: str
    url: str
    #: The text as the network shows it: X wraps links in t.co and may differ
    #: from what was sent (compare with ``social_text.post_matches``).
    text: str
    #: Aware, UTC. For a post just created, when its answer arrived (X does
    #: not say in its answer).
    created_at: datetime
    reply_to_id: str | None = None


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    name: str = ""


class SocialBackend(ABC):
    #: Short name, stored with deliveries.
    name = "base"
    #: Shown to editors ("Posted on ...").
    display_name = "Social network"
    #: The most a post may weigh, as ``text_length`` counts.
    max_text_length = 280
    supports_replies = True

    def __init__(
        self, options: Mapping[str, Any] | None = None, *, alias: str = ""
    ) -> None:
        """``options`` is the alias's OPTIONS; check them here, naming the
        setting in the error (``self.setting``), and build clients lazily."""
        self.alias = alias or self.name
        self.setting = f"TSUNAGU_SOCIAL[{self.alias!r}]['OPTIONS']"

    def text_length(self, text: str) -> int:
        """The length the network counts for ``text``."""
        return len(text)

    def text_fits(self, text: str) -> bool:
        return 0 < self.text_length(text) <= self.max_text_length

    @abstractmethod
    def post_create(self, *, text: str, reply_to_id: str | None = None) -> RemotePost:
        """Publish ``text`` (as a reply to ``reply_to_id`` if given). Raises
        a SocialError subclass; OutcomeUnknown means: look before retrying."""

    @abstractmethod
    def post_delete(self, *, post_id: str) -> None:
        """Delete a post; one already gone counts as deleted."""

    @abstractmethod
    def posts_recent(self, *, since: datetime, limit: int = 100) -> list[RemotePost]:
        """The account's own posts created at or after ``since`` (aware),
        newest first, at most ``limit``. What the outbox reads before it
        sends again after an unknown outcome."""

    @abstractmethod
    def account_check(self) -> Account:
        """The account the keys act for: proves the keys work (admin health)."""
