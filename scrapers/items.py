"""Storing parsed entries as items: once per (source, guid), duplicates linked."""

import hashlib
from datetime import timedelta

from bs4 import BeautifulSoup
from django.db.models import Q
from django.utils import timezone

from .conf import scraper_setting
from .dedupe import bands, distance, simhash, text_hash, url_hash
from .models import Item, Source
from .parsing import ParsedEntry, detect_language


def guid_hash(guid: str) -> str:
    return hashlib.sha256(guid.encode()).hexdigest()


def plain_text(html: str) -> str:
    return BeautifulSoup(html, "lxml").get_text(" ", strip=True) if html else ""


def _body_text(entry: ParsedEntry) -> str:
    return " ".join(
        part
        for part in (plain_text(entry.summary_html), plain_text(entry.content_html))
        if part
    )


def _find_duplicate(
    *, source: Source, canonical: str, body_hash: str, fingerprint: int | None
) -> Item | None:
    """The first item of another source, seen in the last days, with the same
    canonical URL, the same body text, or a text within NEAR_DUPLICATE_BITS."""
    since = timezone.now() - timedelta(days=scraper_setting("DUPLICATE_WINDOW_DAYS"))
    others = Item.objects.exclude(source=source).filter(
        first_seen_at__gte=since, duplicate_of__isnull=True
    )
    if canonical:
        same_url = others.filter(canonical_url_hash=canonical).order_by("id").first()
        if same_url:
            return same_url
    if body_hash:
        same_text = others.filter(text_hash=body_hash).order_by("id").first()
        if same_text:
            return same_text
    if fingerprint is None:
        return None
    b = bands(fingerprint)
    candidates = others.filter(
        Q(band0=b[0]) | Q(band1=b[1]) | Q(band2=b[2]) | Q(band3=b[3])
    ).order_by("id")
    limit = scraper_setting("NEAR_DUPLICATE_BITS")
    for candidate in candidates.only("id", "simhash")[:200]:
        if (
            candidate.simhash is not None
            and distance(candidate.simhash, fingerprint) <= limit
        ):
            return candidate
    return None


def items_store(*, source: Source, entries: list[ParsedEntry]) -> tuple[list[int], int]:
    """Create new items and update those seen before; returns (new ids, updated).

    Call inside a transaction. The same guid twice in one feed keeps the last.
    """
    by_hash = {guid_hash(entry.guid): entry for entry in entries}
    existing = {
        item.guid_hash: item
        for item in Item.objects.filter(source=source, guid_hash__in=list(by_hash))
    }
    updated = 0
    new_items = []
    for digest, entry in by_hash.items():
        item = existing.get(digest)
        if item is not None:
            changes = {
                "title": entry.title,
                "summary_html": entry.summary_html,
                "content_html": entry.content_html,
                "published_at": entry.published_at or item.published_at,
                "link": entry.link or item.link,
            }
            if any(getattr(item, key) != value for key, value in changes.items()):
                for key, value in changes.items():
                    setattr(item, key, value)
                item.save(update_fields=[*changes, "last_seen_at"])
                updated += 1
            continue
        body = _body_text(entry)
        # The body says more than the title, which sources often rewrite.
        fingerprint = simhash(body) or simhash(f"{entry.title} {body}")
        body_hash = text_hash(body)
        canonical = url_hash(entry.link) if entry.link else ""
        language = (
            entry.language
            or source.language
            or detect_language(f"{entry.title} {body}")
            or ""
        )
        duplicate = _find_duplicate(
            source=source,
            canonical=canonical,
            body_hash=body_hash,
            fingerprint=fingerprint,
        )
        b = bands(fingerprint) if fingerprint is not None else (None,) * 4
        new_items.append(
            Item(
                source=source,
                guid=entry.guid,
                guid_hash=digest,
                link=entry.link or "",
                canonical_url_hash=canonical,
                text_hash=body_hash,
                title=entry.title[:2000] or entry.link or entry.guid,
                summary_html=entry.summary_html,
                content_html=entry.content_html,
                published_at=entry.published_at,
                language=language,
                simhash=fingerprint,
                band0=b[0],
                band1=b[1],
                band2=b[2],
                band3=b[3],
                state=Item.State.DUPLICATE if duplicate else Item.State.NEW,
                duplicate_of=duplicate,
            )
        )
    created = Item.objects.bulk_create(new_items)
    return [item.pk for item in created], updated
