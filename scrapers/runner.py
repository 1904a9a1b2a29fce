"""Fetching many sources at once, bounded, so a slow host holds up no other."""

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection

from cms.safehttp import SafeClient, SafeHTTPError

from .drafts import DraftError, item_make_draft
from .models import Item, Source
from .parsepool import parse
from .parsing import FeedParseError
from .politeness import HostBusy, RobotsDisallowed
from .services import FetchOutcome, polite_get, source_fetch_claimed, sources_claim

logger = logging.getLogger(__name__)


def sources_fetch_many(
    *,
    source_ids: list[int],
    threads: int,
    progress: Callable[[FetchOutcome], None] | None = None,
) -> list[FetchOutcome]:
    """Fetch the sources with up to ``threads`` at once, sharing one client.

    Each thread takes the next source from a queue until none is left, keeping
    its own database connection for the whole batch (a connection per source
    costs a new SQLite handle, or a new PostgreSQL backend) and closing it at
    the end so the pool leaves nothing open.
    """
    todo: queue.SimpleQueue[Source] = queue.SimpleQueue()
    for source in sources_claim(source_ids=source_ids):
        todo.put(source)
    outcomes: list[FetchOutcome] = []
    lock = threading.Lock()

    def work(client: SafeClient) -> None:
        close_old_connections()
        try:
            while True:
                try:
                    source = todo.get_nowait()
                except queue.Empty:
                    return
                outcome = source_fetch_claimed(source=source, client=client)
                with lock:
                    outcomes.append(outcome)
                    if progress:
                        progress(outcome)
        finally:
            connection.close()

    count = max(min(threads, todo.qsize()), 1)
    with SafeClient() as client, ThreadPoolExecutor(max_workers=count) as pool:
        for future in [pool.submit(work, client) for _ in range(count)]:
            future.result()
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
    try:
        article = parse(
            "extract_article",
            body=response.content,
            url=response.url,
            content_type=response.headers.get("content-type"),
        )
    except FeedParseError as exc:  # the parse process stopped or overran
        Item.objects.filter(pk=item.pk).update(note=f"Full text not read: {exc}")
        return
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
