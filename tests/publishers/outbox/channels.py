"""A channel for the outbox's tests: its "remote side" is a list the tests
read, so every send can be counted; it fails when told to, and can take
effect and then report no answer (the unknown outcome)."""

from __future__ import annotations

from typing import ClassVar

from publishers.channels import Channel, ChannelError, OutcomeUnknown, Sent
from publishers.models import Delivery

REMOTE: list[dict] = []
FAILURES: list[tuple[str, ChannelError]] = []
LOOKS: list[int] = []


def reset() -> None:
    REMOTE.clear()
    FAILURES.clear()
    LOOKS.clear()


def fail_next(error: ChannelError, *, after_effect: bool = False) -> None:
    """The next send raises ``error``; with ``after_effect`` the post is
    made first (a timeout after the request arrived)."""
    FAILURES.append(("after" if after_effect else "before", error))


class RecordingChannel(Channel):
    label = "recording"
    purposes: ClassVar[frozenset[str]] = frozenset(
        {
            Delivery.Purpose.PUBLISH,
            Delivery.Purpose.CORRECTION,
            Delivery.Purpose.UNPUBLISH,
        }
    )

    def payload(self, *, change, target):
        return {"title": change.page.title}

    def deliver(self, *, delivery: Delivery) -> Sent:
        if FAILURES:
            when, error = FAILURES.pop(0)
            if when == "before":
                raise error
            self._post(delivery)
            raise error
        return Sent(remote_id=self._post(delivery))

    def _post(self, delivery: Delivery) -> str:
        remote_id = str(len(REMOTE) + 1)
        REMOTE.append({"id": remote_id, "delivery": delivery.pk, **delivery.payload})
        return remote_id

    def look(self, *, delivery: Delivery) -> Sent | None:
        LOOKS.append(delivery.pk)
        for post in REMOTE:
            if post["delivery"] == delivery.pk:
                return Sent(remote_id=post["id"], note="found on the remote side")
        return None


__all__ = ["OutcomeUnknown", "RecordingChannel", "fail_next", "reset"]
