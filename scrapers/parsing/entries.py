"""What every parser does to its entries before handing them over."""

import dataclasses
import hashlib
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .results import ParsedEntry
from .urls import strip_tracking

logger = logging.getLogger(__name__)

FUTURE_TOLERANCE = timedelta(days=1)
# Not text: PostgreSQL refuses NUL, and none of them is part of an id.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# For the source's health: what an entry's notes (kept on its item) mean.
NOTE_SUMMARIES = {
    "markup_unclosed": (
        "markup that would have hidden part of the text was repaired (unclosed element)"
    ),
    "markup_text_lost": "broken markup hid part of the text",
    "date_unreadable": "the date could not be read, so the fetch time is used",
}


def make_guid(
    *,
    entry_id: str | None,
    link: str | None,
    title: str,
    date: datetime | None,
    text: str,
) -> str:
    """The entry's own id, else its link, else a hash that stays the same as
    long as the title and date do (the text stands in when both are empty)."""
    entry_id = _CONTROLS.sub("", entry_id or "").strip()
    if entry_id:
        return entry_id
    if link:
        return link
    basis = "\n".join([title, date.isoformat() if date else "", "" if title else text])
    return "sha256:" + hashlib.sha256(basis.encode()).hexdigest()


def without_tracking(entry: ParsedEntry) -> ParsedEntry:
    """The entry with no tracking parameters in its id when that is a URL
    (the link, when the entry has no id of its own): ``?utm_source=rss`` one
    day and ``?utm_source=mail`` the next are one item. The id as it was is
    kept in ``former_guid`` (items stored under it are the same items); the
    link stays as the feed wrote it (items store it without tracking)."""
    guid = strip_tracking(entry.guid)
    if guid == entry.guid:
        return entry
    return dataclasses.replace(entry, guid=guid, former_guid=entry.guid)


@dataclass
class EntryCollector:
    """Keeps the entries worth keeping and says, once, why others went."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    entries: list[ParsedEntry] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    repeated: int = 0
    future: list[ParsedEntry] = field(default_factory=list)
    noted: dict[str, int] = field(default_factory=dict)
    # Note codes the parser sums up in its own words.
    summarised: tuple[str, ...] = ()
    _seen: set[str] = field(default_factory=set)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def add(self, entry: ParsedEntry) -> None:
        entry = without_tracking(entry)
        if entry.guid in self._seen:
            self.repeated += 1
            return
        self._seen.add(entry.guid)
        if entry.published_at and entry.published_at > self.now + FUTURE_TOLERANCE:
            self.future.append(entry)
        for code in dict.fromkeys(note.code for note in entry.notes):
            self.noted[code] = self.noted.get(code, 0) + 1
        self.entries.append(entry)

    def warnings(self) -> list[str]:
        notes = []
        for reason, count in self.skipped.items():
            items = "item" if count == 1 else "items"
            notes.append(f"{count} {items} skipped: {reason}.")
        if self.repeated:
            notes.append(
                f"{self.repeated} item(s) repeated the id of an earlier one; "
                "the first was kept."
            )
        for code, count in self.noted.items():
            if code in self.summarised:
                continue
            summary = NOTE_SUMMARIES.get(code, code)
            notes.append(f"{count} item(s): {summary}; see the items' notes.")
        if self.future:
            first = self.future[0]
            when = first.published_at.isoformat() if first.published_at else ""
            notes.append(
                f"{len(self.future)} item(s) dated more than a day in the future "
                f"(first: “{first.title[:80]}”, {when}); the dates are kept."
            )
        return notes
