"""Fetching many sources at once, bounded, so a slow host holds up no other."""

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import close_old_connections, connection

from cms.safehttp import SafeClient, SafeHTTPError

from .drafts import DraftError, item_make_draft
from .items import item_notes_add, language_mismatch
from .models import Item, Source
from .notes import from_parsed, note
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
    """Extract the main text of the item's page (for editors and translation).

    A page that cannot be fetched or read, or that has no main text, leaves
    a note on the item: the draft then has only the feed's text, and says so.
    """
    try:
        response = polite_get(client=client, url=item.link)
    except (SafeHTTPError, RobotsDisallowed, HostBusy) as exc:
        item_notes_add(item_id=item.pk, notes=[note("fulltext_not_fetched", error=exc)])
        return
    if response.status_code != 200:
        item_notes_add(
            item_id=item.pk,
            notes=[note("fulltext_status", status=response.status_code)],
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
        item_notes_add(item_id=item.pk, notes=[note("fulltext_not_read", error=exc)])
        return
    found = from_parsed(article.notes)
    if not article.html:
        found.append(note("fulltext_empty"))
    changes = {"article_html": article.html}
    resolved = []
    if article.language:
        # The whole article says more about its language than a summary.
        changes["detected_language"] = article.language
        if not item.language:
            changes["language"] = article.language
            resolved.append("language_undetected")
        else:
            # The summary's guess gives way to the article's.
            resolved.append("language_mismatch")
            mismatch = language_mismatch(
                declared=item.language, detected=article.language, text=article.text
            )
            found += [mismatch] if mismatch else []
    Item.objects.filter(pk=item.pk).update(**changes)
    for name, value in changes.items():
        setattr(item, name, value)
    item_notes_add(item_id=item.pk, notes=found, resolved=resolved)


def _item_process(item: Item, *, client: SafeClient) -> bool:
    """Full text, then the draft; whether a draft was made."""
    if item.source.fetch_full_article and item.link and not item.article_html:
        try:
            item_fetch_article(item=item, client=client)
        except Exception as exc:
            logger.exception("Full text of item %s (%s) failed", item.pk, item.link)
            item_notes_add(
                item_id=item.pk,
                notes=[note("fulltext_failed", error=type(exc).__name__)],
            )
    if not item.source.auto_draft:
        return False
    try:
        return item_make_draft(item_id=item.pk) is not None
    except DraftError as exc:
        item_notes_add(item_id=item.pk, notes=[note("draft_failed", error=exc)])
    except Exception as exc:
        logger.exception("Draft of item %s failed", item.pk)
        item_notes_add(
            item_id=item.pk,
            notes=[
                note(
                    "draft_failed",
                    error=f"{type(exc).__name__}, details in the server's log",
                )
            ],
        )
    return False


def new_items_process(*, item_ids: list[int], client: SafeClient) -> int:
    """Each new item in turn; one that fails keeps a note and the rest go on."""
    drafts = 0
    items = Item.objects.filter(pk__in=item_ids, state=Item.State.NEW).select_related(
        "source"
    )
    for item in items:
        drafts += _item_process(item, client=client)
    return drafts
