"""Fetching one source: claim it, fetch politely, parse, store, record health.

No network call happens inside a database transaction: the fetch comes first,
the writes after. A source is claimed with a conditional UPDATE and only gets a
new next_fetch_at once its items are stored, so a worker killed mid-fetch
leaves it due again when the claim runs out.
"""

import logging
import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from email.utils import parsedate_to_datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import get_random_string

from cms.safehttp import Response, SafeClient, SafeHTTPError

from .conf import scraper_setting
from .items import entries_within_cap, items_prepare, items_save
from .models import Source
from .parsepool import parse
from .parsing import (
    FeedParseError,
    ListRule,
    ParsedFeed,
    RuleError,
)
from .politeness import (
    HostBusy,
    RobotsDisallowed,
    client_turn,
    robots_check,
    robots_for,
)

logger = logging.getLogger(__name__)

# How long a fetch may wait in-process for its host's turn before the source
# is simply put back until then.
MAX_HOST_WAIT_SECONDS = 30.0


@dataclass
class FetchOutcome:
    source_id: int
    name: str = ""
    result: str = "skipped"  # new, unchanged, failed, deferred, skipped
    http_status: int | None = None
    new_item_ids: list[int] = field(default_factory=list)
    updated: int = 0
    # New items left for the next fetch by the source's cap.
    waiting: int = 0
    error: str = ""
    seconds: float = 0.0


def sources_claim(*, source_ids: list[int]) -> list[Source]:
    """Take the free ones of these sources for one fetch each, in one UPDATE;
    sources another process holds are left out. The claim lasts CLAIM_SECONDS
    for every round of the batch (a thread fetches its share in turn)."""
    if not source_ids:
        return []
    token = get_random_string(16)
    now = timezone.now()
    rounds = max(len(source_ids) // max(scraper_setting("THREADS"), 1), 1)
    until = now + timedelta(seconds=scraper_setting("CLAIM_SECONDS") * rounds)
    Source.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk__in=source_ids
    ).update(claimed_until=until, claim_token=token, enqueued_at=None)
    claimed = {
        source.pk: source
        for source in Source.objects.select_related("office", "country").filter(
            pk__in=source_ids, claim_token=token
        )
    }
    return [claimed[pk] for pk in source_ids if pk in claimed]


def _seconds_from_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max((when - timezone.now()).total_seconds(), 0.0)


_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.I)


def _max_age(cache_control: str | None) -> float | None:
    match = _MAX_AGE.search(cache_control or "")
    return float(match.group(1)) if match else None


def _clamp_wait(seconds: float) -> float:
    return min(max(seconds, 0.0), float(scraper_setting("MAX_WAIT_SECONDS")))


def next_fetch_after_success(
    source: Source, *, response: Response | None, ttl_minutes: int | None
) -> datetime:
    """The source's interval, or longer when the server (max-age) or the feed
    (RSS ttl) asks for it."""
    wait = source.fetch_interval_minutes * 60.0
    if response is not None and (
        age := _max_age(response.headers.get("cache-control"))
    ):
        wait = max(wait, age)
    if ttl_minutes:
        wait = max(wait, ttl_minutes * 60.0)
    return timezone.now() + timedelta(seconds=_clamp_wait(wait))


def backoff_seconds(failures: int) -> float:
    """Exponential back-off with jitter, up to the ceiling."""
    base = float(scraper_setting("BACKOFF_BASE_SECONDS"))
    ceiling = float(scraper_setting("BACKOFF_MAX_SECONDS"))
    wait = min(base * 2 ** max(failures - 1, 0), ceiling)
    return wait * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


def _finish(source: Source, **fields: object) -> None:
    Source.objects.filter(pk=source.pk).update(
        claimed_until=None, last_fetch_at=timezone.now(), **fields
    )


def source_record_failure(
    source: Source, *, error: str, status: int | None = None
) -> None:
    failures = source.consecutive_failures + 1
    _finish(
        source,
        last_status=status,
        last_error=error[:2000],
        consecutive_failures=failures,
        next_fetch_at=timezone.now() + timedelta(seconds=backoff_seconds(failures)),
    )
    logger.warning(
        "Source %s (%s) failed %d time(s): %s", source.pk, source.url, failures, error
    )


def source_defer(
    source: Source, *, until: datetime, note: str, status: int | None = None
) -> None:
    """Asked to wait (Retry-After, politeness): not an error of the source."""
    Source.objects.filter(pk=source.pk).update(
        claimed_until=None,
        next_fetch_at=until,
        last_status=status,
        last_error=note if status else source.last_error,
    )


def response_parse(
    *, response: Response, kind: str, rule: ListRule | None, default_tz: tzinfo | None
) -> ParsedFeed:
    """The entries of a fetched feed, or of a list page read with ``rule``."""
    document = {
        "body": response.content,
        "url": response.url,
        "content_type": response.headers.get("content-type"),
        "default_tz": default_tz,
    }
    if kind == Source.Kind.HTML:
        return parse("parse_list_page", rule=rule, **document)
    return parse("parse_feed", **document)


def _parse(source: Source, response: Response) -> ParsedFeed:
    return response_parse(
        response=response,
        kind=source.kind,
        rule=source.list_rule,
        default_tz=source.office.tz,
    )


def polite_get(
    *, client: SafeClient, url: str, headers: dict[str, str] | None = None
) -> Response:
    """GET once the host's robots.txt allows it and its turn has come."""
    rules = robots_for(client=client, url=url, max_wait_seconds=MAX_HOST_WAIT_SECONDS)
    robots_check(rules=rules, url=url)
    with client_turn(
        client=client, url=url, rules=rules, max_wait_seconds=MAX_HOST_WAIT_SECONDS
    ) as turn:
        response = client.get(url, headers=headers)
        if response.status_code in (429, 503):
            wait = _seconds_from_retry_after(response.headers.get("retry-after"))
            if wait is not None:
                turn.delay = max(turn.delay, _clamp_wait(wait))
    return response


def source_fetch(*, source_id: int, client: SafeClient) -> FetchOutcome:
    """Fetch one source now, if no other process holds it."""
    claimed = sources_claim(source_ids=[source_id])
    if not claimed:
        return FetchOutcome(source_id=source_id)
    return source_fetch_claimed(source=claimed[0], client=client)


def source_fetch_claimed(*, source: Source, client: SafeClient) -> FetchOutcome:
    """Fetch a source this process has claimed; never raises."""
    started = time.monotonic()
    outcome = FetchOutcome(source_id=source.pk)
    outcome.name = source.name
    try:
        _fetch_claimed(source, client=client, outcome=outcome)
    except HostBusy as busy:
        outcome.result = "deferred"
        source_defer(source, until=busy.until, note="")
    except (SafeHTTPError, RobotsDisallowed, FeedParseError, RuleError) as exc:
        outcome.result, outcome.error = "failed", str(exc)
        source_record_failure(source, error=str(exc), status=outcome.http_status)
    except Exception as exc:
        logger.exception(
            "Unexpected error fetching source %s (%s)", source.pk, source.url
        )
        outcome.result = "failed"
        outcome.error = (
            f"Unexpected error ({type(exc).__name__}); the details are in the "
            "server's log."
        )
        source_record_failure(source, error=outcome.error, status=outcome.http_status)
    outcome.seconds = time.monotonic() - started
    return outcome


def _fetch_claimed(
    source: Source, *, client: SafeClient, outcome: FetchOutcome
) -> None:
    headers = {}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    response = polite_get(client=client, url=source.url, headers=headers)
    outcome.http_status = status = response.status_code

    if status == 304:
        outcome.result = "unchanged"
        _finish(
            source,
            last_status=status,
            last_error="",
            consecutive_failures=0,
            last_success_at=timezone.now(),
            next_fetch_at=next_fetch_after_success(
                source, response=response, ttl_minutes=None
            ),
        )
        return
    if status in (429, 503):
        wait = _seconds_from_retry_after(response.headers.get("retry-after"))
        if wait is not None:
            outcome.result = "deferred"
            source_defer(
                source,
                until=timezone.now() + timedelta(seconds=_clamp_wait(wait)),
                note=(
                    f"The site asked Tsunagu to wait ({status}, Retry-After "
                    f"{response.headers.get('retry-after')})."
                ),
                status=status,
            )
            return
    if status != 200:
        raise SafeHTTPError(_status_in_words(status))

    parsed = _parse(source, response)
    entries, waiting = entries_within_cap(source=source, entries=parsed.entries)
    prepared = items_prepare(source=source, entries=entries)
    notes = list(parsed.warnings)
    if waiting:
        notes.append(
            f"{waiting} new item(s) wait for the next fetch: at most "
            f"{source.max_new_items} are taken from one fetch."
        )
    with transaction.atomic():
        new_ids, updated = items_save(source=source, prepared=prepared)
        _finish(
            source,
            # When the cap left items for next time, the next request must
            # not be answered 304: the document has not changed, but what
            # was taken from it has not caught up.
            etag="" if waiting else response.headers.get("etag", "")[:500],
            last_modified=""
            if waiting
            else response.headers.get("last-modified", "")[:100],
            last_status=status,
            last_error="",
            last_notes="\n".join(notes)[:4000],
            consecutive_failures=0,
            last_success_at=timezone.now(),
            items_found=len(parsed.entries),
            items_waiting=waiting,
            next_fetch_at=next_fetch_after_success(
                source, response=response, ttl_minutes=parsed.ttl_minutes
            ),
        )
        if new_ids:
            from .tasks import process_new_items

            transaction.on_commit(lambda: process_new_items.enqueue(new_ids))
    outcome.result = "new" if new_ids else "unchanged"
    outcome.new_item_ids, outcome.updated = new_ids, updated
    outcome.waiting = waiting


def _status_in_words(status: int) -> str:
    if status == 404:
        return "The page is gone (404 Not Found): check the source's URL."
    if status == 410:
        return "The page was removed for good (410 Gone): remove or replace the source."
    if status in (401, 403):
        return (
            f"The site refuses access ({status}): it may block robots or need a login."
        )
    if 500 <= status < 600:
        return f"The site has a server error ({status}); Tsunagu tries again later."
    return f"The site answered {status} instead of the feed or page."
