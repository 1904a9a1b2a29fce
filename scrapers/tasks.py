"""Thin tasks: load by id, call a service."""

from django.tasks import task

from cms.safehttp import SafeClient

from .conf import scraper_setting
from .runner import new_items_process, sources_fetch_many


@task()
def fetch_sources(source_ids: list[int]) -> dict[str, int]:
    outcomes = sources_fetch_many(
        source_ids=source_ids, threads=scraper_setting("THREADS")
    )
    summary: dict[str, int] = {}
    for outcome in outcomes:
        summary[outcome.result] = summary.get(outcome.result, 0) + 1
    return summary


@task()
def process_new_items(item_ids: list[int]) -> int:
    """Full text where the source asks for it, then drafts where it makes them."""
    with SafeClient() as client:
        return new_items_process(item_ids=item_ids, client=client)
