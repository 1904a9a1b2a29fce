"""What the parsers return: plain, frozen dataclasses and two domain errors."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

FeedKind = Literal["rss", "atom", "rdf", "json", "html"]


class FeedParseError(Exception):
    """Nothing usable came out of a feed; the message is for an editor's eyes."""


class RuleError(Exception):
    """A list page's rule cannot work (a bad selector, or it finds nothing)."""


@dataclass(frozen=True)
class Note:
    """Something odd about one entry or page, for its item: a code and plain
    parameters (the admin words them in the reader's language)."""

    code: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: str, **params: object) -> "Note":
        return cls(code, tuple((key, str(value)) for key, value in params.items()))


@dataclass(frozen=True, kw_only=True)
class ParsedEntry:
    # Stable per source: the entry's id, else its link, else a hash of
    # title and date (see entries.make_guid).
    guid: str
    link: str | None
    title: str
    summary_html: str = ""
    content_html: str = ""
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str = ""
    # Declared by the feed or page (entry, then feed), never guessed here:
    # callers fall back to the source's language, then to detect_language().
    language: str | None = None
    image_url: str | None = None
    # What was odd about this entry (an unreadable date, markup that hid
    # text): kept on its item.
    notes: tuple[Note, ...] = ()
    # The id before tracking parameters were stripped from it, when that
    # changed it: items stored under it are still the same items.
    former_guid: str | None = None


@dataclass(frozen=True, kw_only=True)
class ParsedFeed:
    kind: FeedKind
    title: str = ""
    link: str | None = None
    language: str | None = None
    ttl_minutes: int | None = None
    entries: list[ParsedEntry] = field(default_factory=list)
    # Plain sentences for the source's health: what was odd, what was skipped.
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ListRule:
    """CSS selectors for an HTML list page; link, title, date and summary are
    looked up inside each item. An empty link selector means the item's first
    ``a[href]``; an empty title selector means that link's text."""

    item: str
    title: str = ""
    link: str = ""
    date: str = ""
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class ExtractedArticle:
    title: str
    text: str
    html: str
    published_at: datetime | None
    language: str | None
    warnings: list[str] = field(default_factory=list)
    notes: tuple[Note, ...] = ()
