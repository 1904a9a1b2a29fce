"""WebSub: tell the hub which feeds changed (https://www.w3.org/TR/websub/).

The recommendation leaves publishing to each hub; the common convention,
which hubs such as Google's and Superfeedr follow, is a form POST of
``hub.mode=publish`` and ``hub.url=<topic>``, answered with a 2xx. One
request per feed, so a hub that takes one URL at a time gets them all.
The website channel of the outbox (publishers/channels/website.py) calls it
after the CDN purge, and retries it when the hub did not take every ping.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings

from cms.safehttp import SafeClient, SafeHTTPError

logger = logging.getLogger(__name__)


class WebSubError(Exception):
    """The hub did not accept every ping (``strict``); the message says how
    many and the first reason."""


def websub_publish(
    *,
    feed_urls: Iterable[str],
    client: SafeClient | None = None,
    strict: bool = False,
) -> int:
    """Ping ``settings.WEBSUB_HUB_URL`` once per feed URL; returns how many
    the hub accepted. Failures are logged and the rest still sent; with
    ``strict`` they are then raised as one WebSubError (the website channel
    of the outbox retries the whole set: a repeated ping is harmless)."""
    hub = settings.WEBSUB_HUB_URL
    urls = list(dict.fromkeys(feed_urls))
    if not hub or not urls:
        return 0
    own_client = client is None
    client = client or SafeClient()
    accepted = 0
    failures: list[str] = []
    try:
        for url in urls:
            body = urlencode({"hub.mode": "publish", "hub.url": url}).encode()
            try:
                response = client.request(
                    "POST",
                    hub,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    content=body,
                )
            except SafeHTTPError as exc:
                logger.warning("WebSub ping to %s for %s failed: %s", hub, url, exc)
                failures.append(str(exc))
                continue
            if 200 <= response.status_code < 300:
                accepted += 1
            else:
                logger.warning(
                    "WebSub hub %s answered %s for %s", hub, response.status_code, url
                )
                failures.append(f"the hub answered {response.status_code}")
    finally:
        if own_client:
            client.close()
    if strict and failures:
        raise WebSubError(
            f"The WebSub hub took {accepted} of {len(urls)} pings; "
            f"first failure: {failures[0]}"
        )
    return accepted
