"""What every channel is: the outbox (publishers.services) asks a channel
which deliveries a change needs, what to remember of it, and to deliver.

A channel never touches the Delivery row's state: it returns ``Sent`` or
raises one of the errors below, and the outbox records the outcome.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wagtail.models import Page

    from ..models import Delivery


@dataclass(frozen=True)
class Sent:
    """A delivery done: what the remote side calls it, where it is."""

    remote_id: str = ""
    remote_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class Change:
    """One change of a page that channels may have to tell: ``page`` as it is
    now (for an unpublish: as it was last live), the revision, the purpose."""

    page: Page
    purpose: str
    revision_id: int | None
    # cms.caching.affected_urls' answer, worked out once at the change.
    urls: dict[str, list[str]]


class ChannelError(Exception):
    """The delivery did not happen; try again later.

    ``retry_at``: when to try again (a rate limit's reset, a cap's next
    day); without it the outbox backs off. ``counts``: whether this attempt
    counts towards the limit after which an operator decides (a rate limit
    or a cap does not: nothing is wrong). ``permanent``: trying again cannot
    help (a configuration error, content the service refuses); the row waits
    for an operator at once.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_at: datetime | None = None,
        counts: bool = True,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.retry_at = retry_at
        self.counts = counts
        self.permanent = permanent


class OutcomeUnknown(ChannelError):
    """The request left but no answer came back: it may have taken effect.
    The outbox looks (``Channel.look``) before it sends again."""


class Channel(ABC):
    """One way out. Subclasses set ``purposes`` and implement ``deliver``;
    a channel whose sends are not idempotent implements ``look``."""

    # The purposes this channel acts on; others make no delivery.
    purposes: ClassVar[frozenset[str]] = frozenset()
    # Whether sending twice does no harm (a purge, a ping, a signed webhook
    # event with an id the partner de-duplicates): then an unknown outcome
    # is simply sent again.
    idempotent: ClassVar[bool] = False
    # Shown in the admin (translated); the alias is the setting's key.
    label: ClassVar[str] = ""
    # Whether what it sends tells others about the page (a partner, a social
    # network, subscribers): a page that a view restriction hides is then
    # never sent, checked when the delivery is made and again at the send.
    # A channel that only refreshes what the public sees (a CDN purge) is
    # needed all the more when a restriction is added.
    public_only: ClassVar[bool] = True

    def __init__(self, alias: str, options: dict[str, Any] | None = None) -> None:
        self.alias = alias
        self.options = dict(options or {})

    def targets(self, *, change: Change) -> list[str]:
        """Within this channel, whom ``change`` goes to (one delivery each);
        ``[""]`` for a channel with one destination, ``[]`` for none."""
        return [""]

    def payload(self, *, change: Change, target: str) -> dict[str, Any]:
        """What to remember when the delivery is made, so that a retry sends
        the same thing whatever happened to the page since."""
        return {}

    @abstractmethod
    def deliver(self, *, delivery: Delivery) -> Sent:
        """Send it now. Raise ChannelError (or OutcomeUnknown) if not done."""

    def look(self, *, delivery: Delivery) -> Sent | None:
        """For a delivery whose last send has no known outcome: find it on
        the remote side (``Sent``) or say it is not there (``None``: safe to
        send). Raise ChannelError when the remote side cannot tell now."""
        if self.idempotent:
            return None
        raise ChannelError(
            f"{self.alias} cannot check what happened to an unanswered send",
            permanent=True,
        )

    def check(self) -> str:
        """A line for the admin's health panel: "" when all is well."""
        return ""
