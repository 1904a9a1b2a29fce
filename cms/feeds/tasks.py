"""Thin tasks: after a publish, the front-end cache and the WebSub hub."""

import logging

from django.tasks import task

from cms.caching import urls_purge

from .websub import websub_publish

logger = logging.getLogger(__name__)


@task()
def feeds_after_change(*, purge_urls: list[str], feed_urls: list[str]) -> int:
    """Purge first, so a hub fetching at once reads fresh feeds; ping even
    when the purge failed (the hub then reads what the CDN serves)."""
    try:
        urls_purge(urls=purge_urls)
    except Exception:
        logger.exception("Front-end cache purge failed for %d URLs", len(purge_urls))
    return websub_publish(feed_urls=feed_urls)
