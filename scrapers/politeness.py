"""Politeness per host, shared by every process through the Host table.

One request at a time per host with a minimum delay: a fetch first pushes the
host's next_request_at forward with a conditional UPDATE (so only one process
wins), and sets it to "now + delay" when done. A process killed mid-request
leaves the host blocked only until the hold runs out. robots.txt is fetched
once a day per host and read with protego.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from protego import Protego

from cms.safehttp import SafeClient, SafeHTTPError

from .conf import scraper_setting
from .models import Host

logger = logging.getLogger(__name__)

ROBOTS_AGENT = "TsunaguBot"
# A crawl-delay above this is treated as this: a source that wants one
# request a day is better marked as failing than silently starved.
MAX_CRAWL_DELAY_SECONDS = 60.0


class HostBusy(Exception):
    """The host is asked to wait (politeness or Retry-After) until ``until``."""

    def __init__(self, host: str, until: timezone.datetime) -> None:
        super().__init__(f"{host} is busy until {until.isoformat()}")
        self.host = host
        self.until = until


class RobotsDisallowed(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(
            f"The site's robots.txt does not allow Tsunagu to fetch {url}; "
            "ask the site or remove the source."
        )


def host_key(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


def _local_lock(host: str) -> threading.Lock:
    with _local_locks_guard:
        return _local_locks.setdefault(host, threading.Lock())


@dataclass
class Turn:
    """A request's turn at a host; set ``delay`` before the turn ends to ask
    for a longer pause (Retry-After)."""

    host: str
    delay: float


@contextmanager
def host_turn(
    *, host: str, hold_seconds: float, delay_seconds: float, max_wait_seconds: float
) -> Iterator[Turn]:
    """Wait for the host's turn, make one request, then leave the delay.

    Threads of one process queue on a lock of their own; processes on the
    Host row: taking a turn is a conditional UPDATE (free and not too early),
    so only one wins. A wait past ``max_wait_seconds`` raises HostBusy: the
    caller puts the source back until then instead of holding a thread.
    """
    deadline = time.monotonic() + max_wait_seconds
    lock = _local_lock(host)
    if not lock.acquire(timeout=max_wait_seconds):
        raise HostBusy(host, timezone.now() + timedelta(seconds=max_wait_seconds))
    try:
        _host_take(host=host, hold_seconds=hold_seconds, deadline=deadline)
        turn = Turn(host=host, delay=delay_seconds)
        try:
            yield turn
        finally:
            Host.objects.filter(name=host).update(
                busy_until=None,
                next_request_at=Now() + timedelta(seconds=turn.delay),
            )
    finally:
        lock.release()


def client_turn(
    *, client: SafeClient, url: str, rules: Protego | None, max_wait_seconds: float
) -> AbstractContextManager[Turn]:
    """The turn of ``url``'s host for one request of ``client``: held at most
    as long as the client may take, then the host's delay (robots' crawl-delay
    included)."""
    host = host_key(url)
    return host_turn(
        host=host,
        hold_seconds=client.limits.total_timeout + 5,
        delay_seconds=host_delay(host, rules),
        max_wait_seconds=max_wait_seconds,
    )


def _host_take(*, host: str, hold_seconds: float, deadline: float) -> None:
    free = Q(busy_until__isnull=True) | Q(busy_until__lt=Now())
    while True:
        taken = Host.objects.filter(free, name=host, next_request_at__lte=Now()).update(
            busy_until=Now() + timedelta(seconds=hold_seconds)
        )
        if taken:
            return
        row = (
            Host.objects.filter(name=host)
            .values("next_request_at", "busy_until")
            .first()
        )
        if row is None:  # a host never seen before: make its row, then take it
            Host.objects.get_or_create(name=host)
            continue
        now = timezone.now()
        busy = row["busy_until"] is not None and row["busy_until"] >= now
        ready_at = max(row["next_request_at"], now)
        if not busy and time.monotonic() + (ready_at - now).total_seconds() > deadline:
            # A long pause asked for (Retry-After, crawl-delay): come back then.
            raise HostBusy(host, ready_at)
        if time.monotonic() >= deadline:
            # Another process is still requesting: try again soon.
            raise HostBusy(host, now + timedelta(seconds=5))
        time.sleep(min(max((ready_at - now).total_seconds(), 0.02), 0.5))


def host_delay(host: str, robots: Protego | None) -> float:
    delay = float(scraper_setting("HOST_DELAY_SECONDS"))
    if robots is not None:
        crawl_delay = robots.crawl_delay(ROBOTS_AGENT)
        if crawl_delay:
            delay = max(delay, min(float(crawl_delay), MAX_CRAWL_DELAY_SECONDS))
    return delay


# Parsed rules per host: (when robots.txt was fetched, when this process
# last checked the Host row, the rules). Within RECHECK a process trusts its
# copy without asking the database; robots.txt changes far more slowly.
_parsed_robots: dict[str, tuple[object, float, Protego | None]] = {}
ROBOTS_RECHECK_SECONDS = 300.0


def robots_for(
    *, client: SafeClient, url: str, max_wait_seconds: float
) -> Protego | None:
    """The host's robots.txt rules (None: everything allowed), from the Host row
    when fresh, else fetched politely. A robots.txt that cannot be read because
    of a server error counts as "try later" (raised), as the Robots Exclusion
    Protocol (RFC 9309) asks; a 4xx means no rules."""
    host = host_key(url)
    cached = _parsed_robots.get(host)
    if cached is not None and time.monotonic() - cached[1] < ROBOTS_RECHECK_SECONDS:
        return cached[2]
    row = Host.objects.filter(name=host).values("robots_fetched_at").first()
    fetched_at = row["robots_fetched_at"] if row else None
    ttl = timedelta(seconds=scraper_setting("ROBOTS_TTL_SECONDS"))
    if fetched_at is not None and fetched_at >= timezone.now() - ttl:
        if cached is not None and cached[0] == fetched_at:
            _parsed_robots[host] = (fetched_at, time.monotonic(), cached[2])
            return cached[2]
        text = Host.objects.values_list("robots_txt", flat=True).get(name=host)
    else:
        if row is None:
            Host.objects.get_or_create(name=host)
        text = _robots_fetch(client=client, url=url, max_wait_seconds=max_wait_seconds)
        fetched_at = timezone.now()
        Host.objects.filter(name=host).update(
            robots_txt=text, robots_fetched_at=fetched_at
        )
    rules = Protego.parse(text) if text.strip() else None
    _parsed_robots[host] = (fetched_at, time.monotonic(), rules)
    return rules


def _robots_fetch(*, client: SafeClient, url: str, max_wait_seconds: float) -> str:
    host = host_key(url)
    parts = urlsplit(url)
    with client_turn(
        client=client, url=url, rules=None, max_wait_seconds=max_wait_seconds
    ):
        response = client.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
    status = response.status_code
    Host.objects.filter(name=host).update(robots_status=status)
    if status >= 500:
        raise SafeHTTPError(
            f"The site's robots.txt answered {status}; Tsunagu waits until it can "
            "read it."
        )
    return response.content.decode("utf-8", errors="replace") if status == 200 else ""


def robots_check(*, rules: Protego | None, url: str) -> None:
    if rules is not None and not rules.can_fetch(url, ROBOTS_AGENT):
        raise RobotsDisallowed(url)
