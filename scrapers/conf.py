from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Seconds between two requests to one host, from any process.
    "HOST_DELAY_SECONDS": 1.0,
    # How many sources one task fetches, and how many at once within it.
    "BATCH_SIZE": 50,
    "THREADS": 16,
    # A fetch holds its source this long; a killed worker's source is due
    # again after it.
    "CLAIM_SECONDS": 180,
    # Back-off after errors: BASE * 2^(failures-1), with jitter, up to MAX.
    "BACKOFF_BASE_SECONDS": 300,
    "BACKOFF_MAX_SECONDS": 24 * 3600,
    # The longest a source may ask us to wait (Retry-After, max-age, ttl).
    "MAX_WAIT_SECONDS": 24 * 3600,
    # After this many failures in a row a source is flagged as failing.
    "FAILING_AFTER": 5,
    "ROBOTS_TTL_SECONDS": 24 * 3600,
    # Near-duplicates: SimHash distance at most this, within this many days.
    "NEAR_DUPLICATE_BITS": 3,
    "DUPLICATE_WINDOW_DAYS": 14,
    # Parsing runs in processes of its own (scrapers.parsepool): how many per
    # worker (0: in the fetching thread), and each one's time and memory.
    "PARSE_PROCESSES": 1,
    "PARSE_TIMEOUT_SECONDS": 60,
    "PARSE_MEMORY_MB": 1024,
}


def scraper_setting(name: str) -> Any:
    return getattr(settings, "TSUNAGU_SCRAPERS", {}).get(name, DEFAULTS[name])
