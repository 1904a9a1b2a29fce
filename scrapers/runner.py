"""Fetching many sources at once, bounded, so a slow host holds up no other."""

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection

from cms.safehttp import SafeClient, SafeHTTPError

from .drafts import DraftError, item_make_draft
from .models import Item
from .parsing import extract_article
from .politeness import HostBusy, RobotsDisallowed
from .services import FetchOutcome, polite_get, source_fetch

logger = logging.getLogger(__name__)


def _in_thread(function: Callable, *args, **kwargs):
    """Run with this thread's own database connection, closed afterwards so a
    pool of threads leaves no connection (or SQLite file handle) behind."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        connection.close()


def sources_fetch_many(
    *,
    source_ids: list[int],
    threads: int,
    progress: Callable[[FetchOutcome], None] | None = None,
) -> list[FetchOutcome]:
    outcomes = []
    with (
        SafeClient() as client,
        ThreadPoolExecutor(max_workers=max(threads, 1)) as pool,
    ):
        futures = [
            pool.submit(_in_thread, source_fetch, source_id=source_id, client=client)
            for source_id in source_ids
        ]
        for future in futures:
            outcome = future.result()
            outcomes.append(outcome)
            if progress:
                progress(outcome)
    return outcomes


def item_fetch_article(*, item: Item, client: SafeClient) -> None:
    """Extract the main text of the item's page (for editors and translation)."""
    try:
        response = polite_get(client=client, url=item.link)
    except (SafeHTTPError, RobotsDisallowed, HostBusy) as exc:
        Item.objects.filter(pk=item.pk).update(note=f"Full text not fetched: {exc}")
        return
    if response.status_code != 200:
        Item.objects.filter(pk=item.pk).update(
            note=f"Full text not fetched: the page answered {response.status_code}."
        )
        return
    article = extract_article(
        response.content,
        url=response.url,
        content_type=response.headers.get("content-type"),
    )
    item.article_html = article.html
    Item.objects.filter(pk=item.pk).update(article_html=article.html)


def new_items_process(*, item_ids: list[int], client: SafeClient) -> int:
    drafts = 0
    items = Item.objects.filter(pk__in=item_ids, state=Item.State.NEW).select_related(
        "source"
    )
    for item in items:
        if item.source.fetch_full_article and item.link and not item.article_html:
            item_fetch_article(item=item, client=client)
        if item.source.auto_draft:
            try:
                if item_make_draft(item_id=item.pk):
                    drafts += 1
            except DraftError as exc:
                Item.objects.filter(pk=item.pk).update(note=str(exc))
    return drafts
