"""WebSub: tell the hub which feeds changed (https://www.w3.org/TR/websub/).

The recommendation leaves publishing to each hub; the common convention,
which hubs such as Google's and Superfeedr follow, is a form POST of
``hub.mode=publish`` and ``hub.url=<topic>``, answered with a 2xx. One
request per feed, so a hub that takes one URL at a time gets them all.
The publishers stage will make this a channel of its outbox; until then it
is this one function, run by a task after the publishing transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings

from cms.safehttp import SafeClient, SafeHTTPError

logger = logging.getLogger(__name__)


def websub_publish(
    *, feed_urls: Iterable[str], client: SafeClient | None = None
) -> int:
    """Ping ``settings.WEBSUB_HUB_URL`` once per feed URL; returns how many
    the hub accepted. Failures are logged and the rest still sent: a missed
    ping costs subscribers a delay until they poll, nothing more."""
    hub = settings.WEBSUB_HUB_URL
    urls = list(dict.fromkeys(feed_urls))
    if not hub or not urls:
        return 0
    own_client = client is None
    client = client or SafeClient()
    accepted = 0
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
                continue
            if 200 <= response.status_code < 300:
                accepted += 1
            else:
                logger.warning(
                    "WebSub hub %s answered %s for %s", hub, response.status_code, url
                )
    finally:
        if own_client:
            client.close()
    return accepted
