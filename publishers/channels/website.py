"""The website channel: after a change, purge the page and everything that
lists it from the CDN (Wagtail's front-end cache, ``WAGTAILFRONTENDCACHE``),
then tell the WebSub hub (``WEBSUB_HUB_URL``) which feeds changed.

The response cache of the site itself needs no delivery: its content
generation changes in the publishing transaction (cms.caching). This channel
is for what lives outside the process, retried like the others. Purges and
pings are idempotent, so an unknown outcome is simply sent again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_lazy

from cms.caching import urls_purge
from cms.feeds.websub import WebSubError, websub_publish

from ..models import Delivery
from .base import Change, Channel, ChannelError, Sent


class WebsiteChannel(Channel):
    label = gettext_lazy("website")
    purposes: ClassVar[frozenset[str]] = frozenset(
        {
            Delivery.Purpose.PUBLISH,
            Delivery.Purpose.UPDATE,
            Delivery.Purpose.CORRECTION,
            Delivery.Purpose.UNPUBLISH,
            Delivery.Purpose.REFRESH,
        }
    )
    idempotent = True
    public_only = False

    @staticmethod
    def _purge_on() -> bool:
        return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))

    @staticmethod
    def _hub_on() -> bool:
        return bool(getattr(settings, "WEBSUB_HUB_URL", ""))

    def targets(self, *, change: Change) -> list[str]:
        # Nothing outside the process to tell: no row.
        if not (self._purge_on() or self._hub_on()):
            return []
        if not (change.urls.get("purge") or change.urls.get("ping")):
            return []
        return [""]

    def payload(self, *, change: Change, target: str) -> dict[str, Any]:
        return {
            "purge": sorted(set(change.urls.get("purge", []))),
            "ping": list(dict.fromkeys(change.urls.get("ping", []))),
        }

    def deliver(self, *, delivery: Delivery) -> Sent:
        purge = delivery.payload.get("purge", [])
        ping = delivery.payload.get("ping", [])
        if purge and self._purge_on():
            try:
                urls_purge(urls=purge)
            except Exception as exc:  # the CDN's own client, any error
                raise ChannelError(f"The CDN purge failed: {exc}") from exc
        pinged = 0
        if ping and self._hub_on():
            try:
                pinged = websub_publish(feed_urls=ping, strict=True)
            except WebSubError as exc:
                raise ChannelError(str(exc)) from exc
        return Sent(note=f"purged {len(purge)} URLs, hub told of {pinged} feeds")
