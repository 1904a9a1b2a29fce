"""Who is calling, how often they may, and how much partners use their keys.

Rate limits are fixed one-minute windows counted in Django's cache (an atomic
``incr`` on Redis and in local memory): anonymous callers per address (IPv6
per /64, which one host usually holds whole), partners per key at the key's
own rate. Over the limit the answer is 429 with Retry-After (the seconds left
in the window); every answer carries RateLimit-Limit, RateLimit-Remaining,
RateLimit-Reset and RateLimit-Policy. With the default local-memory cache each
process counts for itself; several web processes need a shared cache
(CACHE_URL) for one limit between them.

A key's use is counted in the cache too and written to its row (one UPDATE
with F() and one per-day row) at most once a minute per key: a request must
not wait for SQLite's write lock. The scheduler's job writes what is left
(with a shared cache), so the admin's figures lag by about a minute.
"""

import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from ..models import PartnerKey, PartnerKeyDailyUse
from ..models.partners import partner_key_hash

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
USE_FLUSH_SECONDS = 60


def api_setting(name: str):
    return settings.TSUNAGU_API[name]


@dataclass(frozen=True)
class Caller:
    bucket: str  # the rate-limit counter's name
    limit: int  # requests per window
    key_id: int | None = None


class KeyRefused(Exception):
    pass


def client_address(request: HttpRequest) -> str:
    """The caller's address: the connecting one, or, behind TRUSTED_PROXY_COUNT
    proxies that each append to X-Forwarded-For, the one the outermost trusted
    proxy saw. A header that cannot be right falls back to the connection."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = api_setting("TRUSTED_PROXY_COUNT")
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def caller_identify(request: HttpRequest) -> Caller:
    """A partner by its key (Authorization: Bearer …), else the address. A key
    that is unknown or revoked is refused, not taken for anonymous: the
    partner should learn at once that their key no longer works."""
    token = bearer_token(request)
    if token is None:
        return Caller(
            bucket=f"addr:{client_address(request)}",
            limit=api_setting("ANON_RATE_PER_MINUTE"),
        )
    row = (
        PartnerKey.objects.filter(key_hash=partner_key_hash(token), active=True)
        .values("pk", "rate_limit_per_minute")
        .first()
        if token
        else None
    )
    if row is None:
        raise KeyRefused
    return Caller(
        bucket=f"key:{row['pk']}",
        limit=row["rate_limit_per_minute"],
        key_id=row["pk"],
    )


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset: int  # seconds until the window ends

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset),
            "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}",
        }


def rate_limit_hit(caller: Caller, *, now: float | None = None) -> Decision:
    """Count one request in the caller's current window."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    counter = f"api-rate:{caller.bucket}:{window}"
    cache.add(counter, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    reset = max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))
    return Decision(
        allowed=count <= caller.limit,
        limit=caller.limit,
        remaining=max(0, caller.limit - count),
        reset=reset,
    )


def _use_counter(key_id: int) -> str:
    return f"api-use:{key_id}"


def partner_use_count(*, key_id: int) -> None:
    """Count one answered request; write the counts out once a minute."""
    counter = _use_counter(key_id)
    cache.add(counter, 0, timeout=None)
    try:
        cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, timeout=None)
    # add() succeeds for one request per key and minute: that one writes.
    if cache.add(f"api-use-written:{key_id}", 1, timeout=USE_FLUSH_SECONDS):
        partner_use_write(key_id=key_id)


def partner_use_write(*, key_id: int) -> int:
    """Move the key's counted requests from the cache to its row and today's
    row; returns how many. Counts made meanwhile stay for the next write."""
    counter = _use_counter(key_id)
    pending = cache.get(counter) or 0
    if pending <= 0:
        return 0
    try:
        cache.decr(counter, pending)
    except ValueError:
        return 0
    now = timezone.now()
    with transaction.atomic():
        PartnerKey.objects.filter(pk=key_id).update(
            use_count=F("use_count") + pending, last_used_at=now
        )
        day = timezone.localdate(now)
        rows = PartnerKeyDailyUse.objects.filter(key_id=key_id, day=day)
        if not rows.update(count=F("count") + pending):
            try:
                with transaction.atomic():
                    PartnerKeyDailyUse.objects.create(
                        key_id=key_id, day=day, count=pending
                    )
            except IntegrityError:  # another process made today's row
                rows.update(count=F("count") + pending)
    return pending


def partner_use_write_all() -> str:
    """The scheduler's job: write every key's counts still in the cache."""
    written = sum(
        partner_use_write(key_id=key_id)
        for key_id in PartnerKey.objects.values_list("pk", flat=True)
    )
    return f"{written} partner requests written"


def _error(status: int, message: str, headers: dict[str, str]) -> HttpResponse:
    response = JsonResponse({"message": message}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def rate_limited(
    view: Callable[..., HttpResponse], *, scope: str = ""
) -> Callable[..., HttpResponse]:
    """Wrap a public view (the API, the feeds, site search): identify the
    caller, count, refuse with 429 over the limit, add the RateLimit headers,
    count a partner's use. ``scope`` gives a surface counters of its own
    (the same rates), so that reading feeds does not use up the API's."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            caller = caller_identify(request)
            if scope:
                caller = replace(caller, bucket=f"{scope}:{caller.bucket}")
        except KeyRefused:
            return _error(
                401,
                "Unknown or revoked API key. Ask Tsunagu for a new one, or call "
                "without an Authorization header (at the anonymous rate).",
                {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
            )
        decision = rate_limit_hit(caller)
        if not decision.allowed:
            logger.info("Rate limit reached: %s", caller.bucket)
            return _error(
                429,
                f"Too many requests: {decision.limit} a minute are allowed. "
                f"Try again in {decision.reset} seconds.",
                {**decision.headers(), "Retry-After": str(decision.reset)},
            )
        response = view(request, *args, **kwargs)
        for name, value in decision.headers().items():
            response[name] = value
        if caller.key_id is not None:
            partner_use_count(key_id=caller.key_id)
        return response

    return wrapped
