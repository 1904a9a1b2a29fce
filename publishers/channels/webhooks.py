"""Partner webhooks: a signed JSON POST to each registered partner when an
article is published, updated, corrected or unpublished.

Each partner is a target of its own (one Delivery each), so one partner's
outage delays no other. Requests go through cms.safehttp (the scrapers'
address checks: no private, loopback or link-local address, whatever the
URL or its DNS says; no redirects followed for a POST).

What a partner receives::

    POST <their URL>
    Content-Type: application/json
    Tsunagu-Event: article.published
    Tsunagu-Delivery: dlv_123          (the same on every retry: de-duplicate)
    Tsunagu-Signature: t=1764115200,v1=<hex HMAC-SHA256>

    {"id": "dlv_123", "event": "article.published", "occurred_at": "...",
     "article": {...}}

The signature is HMAC-SHA256, keyed with the partner's secret, of
``"<t>.<body bytes>"``; ``t`` is the Unix time of this attempt, so a partner
can refuse old replays (we suggest five minutes). The body is the same on
every attempt; only ``t`` and the signature change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext_lazy

from cms.safehttp import (
    BlockedAddress,
    FetchTimeout,
    InvalidURL,
    Limits,
    SafeClient,
    SafeHTTPError,
)
from cms.siteurl import page_full_url

from ..models import Delivery, PartnerWebhook
from .base import Change, Channel, ChannelError, Sent

EVENTS = {
    Delivery.Purpose.PUBLISH: "article.published",
    Delivery.Purpose.UPDATE: "article.updated",
    Delivery.Purpose.CORRECTION: "article.corrected",
    Delivery.Purpose.UNPUBLISH: "article.unpublished",
}
SIGNATURE_HEADER = "Tsunagu-Signature"


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_valid(
    *,
    secret: str,
    header: str,
    body: bytes,
    now: int | None = None,
    tolerance: int = 300,
) -> bool:
    """How a partner checks a request (documented for partners; the tests
    use it): the HMAC matches and ``t`` is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    now = int(time.time()) if now is None else now
    return hmac.compare_digest(expected, header) and abs(now - timestamp) <= tolerance


def article_summary(page: Any) -> dict[str, Any]:
    """What partners get of an article: enough to show it and to find it in
    the API (``api_url``)."""
    from cms.feeds.selectors import translation_states

    state = translation_states([page]).get(page.pk, "")
    return {
        "id": page.pk,
        "title": page.title,
        "url": page_full_url(page) or "",
        "api_url": f"/api/v2/articles/{page.pk}/",
        "locale": page.locale.language_code,
        "summary": getattr(page, "summary", ""),
        "office": page.office.code if getattr(page, "office_id", None) else None,
        "topics": [topic.slug for topic in page.topics.all()],
        "countries": [country.code for country in page.countries.all()],
        "source_name": getattr(page, "source_name", ""),
        "source_url": getattr(page, "source_url", ""),
        "original_language": getattr(page, "original_language", ""),
        "translation_state": state,
        "correction": getattr(page, "correction", ""),
        "first_published_at": _iso(page.first_published_at),
        "last_published_at": _iso(page.last_published_at),
    }


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


class WebhookChannel(Channel):
    label = gettext_lazy("partner webhooks")
    purposes: ClassVar[frozenset[str]] = frozenset(EVENTS)
    # Partners de-duplicate by the delivery id: sending again is safe.
    idempotent = True

    def targets(self, *, change: Change) -> list[str]:
        language = change.page.locale.language_code
        return [
            str(hook.pk)
            for hook in PartnerWebhook.objects.filter(active=True)
            if hook.takes_locale(language)
        ]

    def payload(self, *, change: Change, target: str) -> dict[str, Any]:
        return {
            "event": EVENTS[change.purpose],
            "occurred_at": timezone.now().astimezone(UTC).isoformat(),
            "article": article_summary(change.page),
        }

    def deliver(self, *, delivery: Delivery) -> Sent:
        hook = PartnerWebhook.objects.filter(pk=int(delivery.target or 0)).first()
        if hook is None or not hook.active:
            raise ChannelError(
                "The partner's webhook was removed or switched off", permanent=True
            )
        event_id = f"dlv_{delivery.pk}"
        body = json.dumps(
            {"id": event_id, **delivery.payload},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Tsunagu-Event": delivery.payload.get("event", ""),
            "Tsunagu-Delivery": event_id,
            SIGNATURE_HEADER: signature(
                secret=hook.secret, timestamp=int(time.time()), body=body
            ),
        }
        limits = Limits(
            max_bytes=64 * 1024,
            max_redirects=0,
            connect_timeout=min(5.0, hook.timeout_seconds),
            read_timeout=float(hook.timeout_seconds),
            total_timeout=float(hook.timeout_seconds) + 5,
        )
        try:
            with SafeClient(limits=limits) as client:
                response = client.request(
                    "POST", hook.url, headers=headers, content=body
                )
        except (BlockedAddress, InvalidURL) as exc:
            raise ChannelError(str(exc), permanent=True) from exc
        except FetchTimeout as exc:
            raise ChannelError(f"{hook.url} did not answer in time: {exc}") from exc
        except SafeHTTPError as exc:
            raise ChannelError(str(exc)) from exc
        status = response.status_code
        if 200 <= status < 300:
            return Sent(remote_id=event_id, note=f"{hook.url} answered {status}")
        if status == 410:
            raise ChannelError(
                f"{hook.url} answered 410 Gone: the partner no longer wants these",
                permanent=True,
            )
        retry_at = None
        if status in (429, 503):
            retry_at = _retry_after(response.headers.get("Retry-After", ""))
        raise ChannelError(
            f"{hook.url} answered {status}", retry_at=retry_at, counts=status != 429
        )


def _retry_after(value: str) -> datetime | None:
    value = value.strip()
    if value.isdigit():
        return timezone.now() + timezone.timedelta(seconds=min(int(value), 86400))
    if parsed := parse_http_date_safe(value):
        return datetime.fromtimestamp(parsed, tz=UTC)
    return None
