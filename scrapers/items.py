"""Storing parsed entries as items: once per (source, guid), duplicates linked.

The work is split so the write transaction stays short: ``items_prepare``
does the CPU work and the duplicate look-ups (reads) before it, and
``items_save`` only writes. On SQLite a write transaction holds the one
write lock of the whole database, so everything else waits while it is open.
Two sources storing the same story in the same instant may both keep it; the
window is milliseconds and triage shows both.
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .conf import scraper_setting
from .dedupe import bands, distance, html_text, shingles, simhash, text_hash, url_hash
from .models import Item, Source
from .notes import from_parsed, note, notes_merge
from .parsing import ParsedEntry, detect_language
from .parsing.urls import strip_tracking


def guid_hash(guid: str) -> str:
    return hashlib.sha256(guid.encode()).hexdigest()


@dataclass
class Prepared:
    entry: ParsedEntry
    digest: str
    canonical: str
    body_hash: str
    fingerprint: int | None
    language: str
    detected_language: str = ""
    notes: list[dict[str, Any]] = field(default_factory=list)
    duplicate_of_id: int | None = None
    # Set when the item is stored under the id it had before tracking
    # parameters were stripped from ids (ParsedEntry.former_guid).
    former_digest: str = ""


def _candidates(field: str, values: set, source: Source) -> list[tuple]:
    """Rows of other sources, seen lately and not themselves duplicates, whose
    ``field`` is one of ``values``. Only the indexed column is in the query, so
    the planner cannot pick a worse index; the rest is filtered here."""
    if not values:
        return []
    since = timezone.now() - timedelta(days=scraper_setting("DUPLICATE_WINDOW_DAYS"))
    rows = Item.objects.filter(**{f"{field}__in": list(values)}).values_list(
        "id", field, "simhash", "source_id", "duplicate_of_id", "first_seen_at"
    )
    return sorted(
        row
        for row in rows
        if row[3] != source.pk and row[4] is None and row[5] >= since
    )


def _link_duplicates(source: Source, prepared: list[Prepared]) -> None:
    """Link each entry to the first item of another source with the same
    canonical URL, the same body text, or a SimHash within the limit."""
    by_url = {}
    for row in _candidates(
        "canonical_url_hash", {p.canonical for p in prepared if p.canonical}, source
    ):
        by_url.setdefault(row[1], row[0])
    by_text = {}
    for row in _candidates(
        "text_hash", {p.body_hash for p in prepared if p.body_hash}, source
    ):
        by_text.setdefault(row[1], row[0])
    fingerprints = [p for p in prepared if p.fingerprint is not None]
    near: dict[int, list[tuple[int, int]]] = {}
    for index in range(4):
        values = {bands(p.fingerprint)[index] for p in fingerprints}
        for row in _candidates(f"band{index}", values, source):
            near.setdefault(row[1] + (index << 16), []).append((row[0], row[2]))
    limit = scraper_setting("NEAR_DUPLICATE_BITS")
    for item in prepared:
        first = by_url.get(item.canonical) or by_text.get(item.body_hash)
        if first is None and item.fingerprint is not None:
            close = [
                candidate_id
                for index, band in enumerate(bands(item.fingerprint))
                for candidate_id, other in near.get(band + (index << 16), [])
                if other is not None and distance(other, item.fingerprint) <= limit
            ]
            first = min(close, default=None)
        item.duplicate_of_id = first


# Below this much text a detected language that differs from the declared
# one is more likely a poor guess than a wrong declaration: no note then.
MISMATCH_MIN_CHARACTERS = 200


def _primary(code: str) -> str:
    return code.split("-")[0].lower()


def language_mismatch(
    *, declared: str, detected: str, text: str
) -> dict[str, Any] | None:
    """A note when a text long enough to tell reads as another language
    than the one declared for it."""
    if (
        declared
        and detected
        and _primary(declared) != _primary(detected)
        and len(text) >= MISMATCH_MIN_CHARACTERS
    ):
        return note("language_mismatch", detected=detected, declared=declared)
    return None


def _language_notes(
    entry: ParsedEntry, *, source: Source, body: str
) -> tuple[str, list[dict[str, Any]]]:
    """The language the text reads as, and notes when it is unknown or
    differs from what the feed or the source declares."""
    text = f"{entry.title} {body}"
    detected = detect_language(text) or ""
    declared = entry.language or source.language
    if not declared and not detected:
        return "", [note("language_undetected")]
    mismatch = language_mismatch(declared=declared, detected=detected, text=text)
    return detected, [mismatch] if mismatch else []


def _stored(
    source: Source, by_digest: dict[str, ParsedEntry]
) -> tuple[set[str], dict[str, str]]:
    """Which of these entries the source has stored: the digests found, and
    for entries stored under their former id, digest -> former digest."""
    former = {
        guid_hash(entry.former_guid): digest
        for digest, entry in by_digest.items()
        if entry.former_guid
    }
    stored = set(
        Item.objects.filter(
            source=source, guid_hash__in=[*by_digest, *former]
        ).values_list("guid_hash", flat=True)
    )
    stored_under_former = {
        digest: former_digest
        for former_digest, digest in former.items()
        if former_digest in stored and digest not in stored
    }
    return stored, stored_under_former


def entries_within_cap(
    *, source: Source, entries: list[ParsedEntry]
) -> tuple[list[ParsedEntry], int]:
    """The entries to store now, and how many new ones wait for the next
    fetch: at most ``source.max_new_items`` new ones, oldest first (so a
    feed whose old entries drop off loses none; undated ones count as the
    newest, in the feed's order, newest first). Entries already stored are
    all kept: they may have changed."""
    by_digest = {guid_hash(entry.guid): entry for entry in entries}
    if len(by_digest) <= source.max_new_items:
        return entries, 0
    stored, stored_under_former = _stored(source, by_digest)
    known = stored | set(stored_under_former)
    new = [(i, e) for i, (d, e) in enumerate(by_digest.items()) if d not in known]
    if len(new) <= source.max_new_items:
        return entries, 0
    latest = datetime.max.replace(tzinfo=UTC)
    oldest_first = sorted(
        new, key=lambda pair: (pair[1].published_at or latest, -pair[0])
    )
    taken = {id(entry) for _index, entry in oldest_first[: source.max_new_items]}
    new_ids = {id(entry) for _index, entry in new}
    kept = [e for e in by_digest.values() if id(e) not in new_ids or id(e) in taken]
    return kept, len(new) - source.max_new_items


def items_prepare(*, source: Source, entries: list[ParsedEntry]) -> list[Prepared]:
    """Hashes, fingerprints, languages and duplicates, before any write.

    Entries already stored only need comparing (in items_save); the costly
    work is done for new ones. The same guid twice in one feed keeps the last.
    """
    by_digest = {guid_hash(entry.guid): entry for entry in entries}
    stored, stored_under_former = _stored(source, by_digest)
    known = (stored & set(by_digest)) | set(stored_under_former)
    prepared = []
    for digest, entry in by_digest.items():
        if digest in known:
            prepared.append(
                Prepared(
                    entry=entry,
                    digest=digest,
                    canonical="",
                    body_hash="",
                    fingerprint=None,
                    language="",
                    former_digest=stored_under_former.get(digest, ""),
                )
            )
            continue
        body = " ".join(
            part
            for part in (html_text(entry.summary_html), html_text(entry.content_html))
            if part
        )
        body_shingles = shingles(body)
        # The body says more than the title, which sources often rewrite.
        fingerprint = simhash(body_shingles) or simhash(
            shingles(entry.title) + body_shingles
        )
        detected, notes = _language_notes(entry, source=source, body=body)
        prepared.append(
            Prepared(
                entry=entry,
                digest=digest,
                canonical=url_hash(entry.link) if entry.link else "",
                body_hash=text_hash(body_shingles),
                fingerprint=fingerprint,
                language=entry.language or source.language or detected,
                detected_language=detected,
                notes=from_parsed(entry.notes) + notes,
            )
        )
    _link_duplicates(source, [p for p in prepared if p.digest not in known])
    return prepared


def _date_unreadable(entry: ParsedEntry) -> bool:
    return any(note.code == "date_unreadable" for note in entry.notes)


def _link(entry: ParsedEntry) -> str:
    """The entry's link without tracking: the draft links to the original
    as anyone would find it."""
    return strip_tracking(entry.link) if entry.link else ""


def items_save(*, source: Source, prepared: list[Prepared]) -> tuple[list[int], int]:
    """Create new items and update those seen before; returns (new ids,
    updated count). Call inside a transaction."""
    existing = {
        item.guid_hash: item
        for item in Item.objects.filter(
            source=source,
            guid_hash__in=[p.digest for p in prepared]
            + [p.former_digest for p in prepared if p.former_digest],
        )
    }
    updated = 0
    new_items = []
    fetched_at = timezone.now()
    for item_data in prepared:
        entry = item_data.entry
        item = existing.get(item_data.digest) or existing.get(
            item_data.former_digest or item_data.digest
        )
        if item is not None:
            changes = {
                # An item stored under its former id takes the new one.
                "guid": entry.guid,
                "guid_hash": item_data.digest,
                "title": entry.title,
                "summary_html": entry.summary_html,
                "content_html": entry.content_html,
                "published_at": entry.published_at or item.published_at,
                "link": _link(entry) or item.link,
            }
            if any(getattr(item, key) != value for key, value in changes.items()):
                for key, value in changes.items():
                    setattr(item, key, value)
                item.save(update_fields=[*changes, "last_seen_at"])
                updated += 1
            continue
        fingerprint = item_data.fingerprint
        duplicate = item_data.duplicate_of_id
        # Bands are how originals are found; a duplicate is never one, so it
        # gets none and the band indexes (and every look-up) stay the size
        # of the originals, however many copies come in.
        b = (
            bands(fingerprint)
            if fingerprint is not None and not duplicate
            else (None,) * 4
        )
        new_items.append(
            Item(
                source=source,
                guid=entry.guid,
                guid_hash=item_data.digest,
                link=_link(entry),
                canonical_url_hash=item_data.canonical,
                text_hash=item_data.body_hash,
                title=entry.title[:2000] or entry.link or entry.guid,
                summary_html=entry.summary_html,
                content_html=entry.content_html,
                # A date that could not be read: when it was fetched, with
                # a note saying so (the item is never dropped for it).
                published_at=entry.published_at
                or (fetched_at if _date_unreadable(entry) else None),
                language=item_data.language,
                detected_language=item_data.detected_language,
                notes=item_data.notes,
                simhash=fingerprint,
                band0=b[0],
                band1=b[1],
                band2=b[2],
                band3=b[3],
                state=Item.State.DUPLICATE if duplicate else Item.State.NEW,
                duplicate_of_id=duplicate,
            )
        )
    created = Item.objects.bulk_create(new_items)
    return [item.pk for item in created], updated


def item_notes_add(
    *,
    item_id: int,
    notes: Iterable[Mapping[str, Any]],
    resolved: Iterable[str] = (),
) -> None:
    """Add notes to an item, keeping those it has (scrapers.notes), except
    those of the ``resolved`` codes, which are no longer true."""
    notes, resolved = list(notes), set(resolved)
    if not notes and not resolved:
        return
    with transaction.atomic():
        item = Item.objects.select_for_update().only("notes").get(pk=item_id)
        kept = [n for n in item.notes or [] if n.get("code") not in resolved]
        merged = notes_merge(kept, notes)
        if merged != item.notes:
            Item.objects.filter(pk=item_id).update(notes=merged)
