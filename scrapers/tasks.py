"""Thin tasks: load by id, call a service."""

import logging

from django.tasks import task

from cms.safehttp import SafeClient

from .conf import scraper_setting
from .runner import new_items_process, sources_fetch_many

logger = logging.getLogger(__name__)


@task()
def fetch_sources(source_ids: list[int]) -> dict[str, int]:
    outcomes = sources_fetch_many(
        source_ids=source_ids, threads=scraper_setting("THREADS")
    )
    summary: dict[str, int] = {}
    for outcome in outcomes:
        summary[outcome.result] = summary.get(outcome.result, 0) + 1
    # One line per round (the worker logs no line per task).
    logger.info(
        "Fetched %d sources: %s",
        len(outcomes),
        ", ".join(f"{n} {result}" for result, n in sorted(summary.items())) or "-",
    )
    return summary


@task()
def process_new_items(item_ids: list[int]) -> int:
    """Full text where the source asks for it, then drafts where it makes them."""
    with SafeClient() as client:
        drafts = new_items_process(item_ids=item_ids, client=client)
    logger.info("Processed %d new items: %d drafts made", len(item_ids), drafts)
    return drafts
