"""RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom with feedparser; JSON Feed beside it.

feedparser only ever sees bytes we prepared: the document decoded by
``encoding.decode_document``, stripped of its DOCTYPE (``xmlguard``),
re-encoded as UTF-8 with a matching XML declaration and HTTP header, wrapped
in BytesIO (given raw bytes, feedparser tries them as a file name first). Its
own sanitiser and relative-URI rewriting are off: we sanitise once, to our
allow-list, and they were most of its CPU time.
"""

import io
import logging
import re
import xml.sax
from datetime import UTC, datetime, tzinfo
from typing import Any

import feedparser

from .dates import parse_date, storable
from .detect import feed_links, kind_of_text
from .encoding import decode_document
from .entries import EntryCollector, make_guid
from .jsonfeed import parse_json_feed
from .language import normalise_language
from .results import FeedKind, FeedParseError, Note, ParsedEntry, ParsedFeed
from .sanitise import (
    clean_text,
    clean_title,
    excerpt_html,
    sanitise_html,
    text_to_html,
)
from .urls import absolute_http_url
from .xmlguard import HostileXMLError, defuse

logger = logging.getLogger(__name__)

_XML_DECLARATION_ENCODING = re.compile(
    r"^(\s*<\?xml[^>]*?\bencoding\s*=\s*)([\"'])[^\"']*\2", re.I
)
# Not allowed in XML 1.0; one stray byte sends expat's strict reading away.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BINARY_NOISE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_TAG_LIKE = re.compile(r"</?[A-Za-z][^>]*>")
_HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}


def parse_feed(
    body: bytes, *, url: str, content_type: str | None, default_tz: tzinfo | None
) -> ParsedFeed:
    """The entries of an RSS, RDF, Atom or JSON feed.

    Raises FeedParseError when nothing usable comes out; a partly broken feed
    gives what could be read, with warnings saying what went wrong.
    """
    if not body or not body.strip():
        raise FeedParseError("The address returned an empty document, not a feed.")
    decoded = decode_document(body, content_type)
    kind = kind_of_text(decoded.text, content_type)
    if kind == "json":
        return parse_json_feed(
            decoded.text, url=url, default_tz=default_tz, warnings=decoded.warnings
        )
    if kind == "html" and _looks_binary(decoded.text):
        raise FeedParseError(
            "The address returned neither a feed nor a web page (no XML or JSON in "
            "it); it may be a file, or compressed data."
        )
    if kind == "html":
        links = feed_links(decoded.text, base=url)
        hint = (
            f" The page names a feed at {links[0]}: use that address." if links else ""
        )
        raise FeedParseError(
            "The address returned a web page (HTML), not a feed." + hint
        )
    return _parse_xml_feed(
        decoded.text,
        kind=kind,
        url=url,
        default_tz=default_tz,
        warnings=list(decoded.warnings),
    )


def _looks_binary(text: str) -> bool:
    sample = text[:2048]
    noise = len(_BINARY_NOISE.findall(sample))
    return "<" not in sample or noise * 10 > len(sample)


def _feedparser_input(text: str) -> tuple[bytes, list[str]]:
    text = _XML_INVALID.sub("", text)
    try:
        text, warnings = defuse(text)
    except HostileXMLError as exc:
        raise FeedParseError(str(exc)) from exc
    text = _XML_DECLARATION_ENCODING.sub(r"\1\2utf-8\2", text, count=1)
    return text.encode("utf-8"), warnings


def _explain(exc: BaseException | None) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return (
            f"The feed is not well-formed XML (line {exc.getLineNumber()}, column "
            f"{exc.getColumnNumber()}: {exc.getMessage()}); it was read leniently, "
            "so some items or fields may be missing."
        )
    name = type(exc).__name__ if exc else "unknown problem"
    return f"The feed has errors ({name}: {exc}); it was read leniently."


def _kind(version: str, sniffed: FeedKind) -> FeedKind:
    if version.startswith("atom"):
        return "atom"
    if version in {"rss090", "rss10"}:
        return "rdf"
    if version.startswith("rss"):
        return "rss"
    return sniffed


def _parse_xml_feed(
    text: str,
    *,
    kind: FeedKind,
    url: str,
    default_tz: tzinfo | None,
    warnings: list[str],
) -> ParsedFeed:
    data, guard_warnings = _feedparser_input(text)
    warnings += guard_warnings
    raw = feedparser.parse(
        io.BytesIO(data),
        # No content-location: feedparser would resolve ids (RSS guids are
        # URIs to it) against it, and "k-1" must stay "k-1". Links are
        # resolved here instead.
        response_headers={"content-type": "application/xml; charset=utf-8"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    feed = raw.get("feed", {})
    version = raw.get("version") or ""
    if raw.get("bozo"):
        warnings.append(_explain(raw.get("bozo_exception")))
    title = _text(feed, "title")
    if not raw.entries and not title:
        if raw.get("bozo"):
            raise FeedParseError("The feed could not be read. " + warnings[-1])
        if not version:
            raise FeedParseError(
                "This is not a feed: no RSS, RDF or Atom element in it."
            )
    language = normalise_language(feed.get("language"))
    collector = EntryCollector()
    for raw_entry in raw.entries:
        entry = _entry(
            raw_entry,
            url=url,
            language=language,
            default_tz=default_tz,
            collector=collector,
        )
        if entry is not None:
            collector.add(entry)
    warnings += collector.warnings()
    if not collector.entries:
        warnings.append("The feed has no items.")
    return ParsedFeed(
        kind=_kind(version, kind),
        title=title,
        link=absolute_http_url(feed.get("link"), base=url),
        language=language,
        ttl_minutes=_ttl(feed.get("ttl")),
        entries=collector.entries,
        warnings=warnings,
    )


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if minutes > 0 else None


def _is_html(detail: Any) -> bool:
    return bool(detail) and (detail.get("type") or "").lower() in _HTML_TYPES


def _text(container: Any, key: str) -> str:
    """Titles are plain text, but feeds put markup in them whatever their
    declared type says; anything that looks like a tag goes."""
    value = container.get(key) or ""
    is_html = _is_html(container.get(f"{key}_detail")) or bool(_TAG_LIKE.search(value))
    return clean_title(value, is_html=is_html)


def _as_html(detail: Any, *, base: str, notes: list[Note]) -> str:
    value = detail.get("value") or ""
    if _is_html(detail):
        return sanitise_html(value, base_url=detail.get("base") or base, notes=notes)
    return text_to_html(value)


def _date(entry: Any, key: str, *, default_tz: tzinfo | None) -> datetime | None:
    # dict.get: FeedParserDict answers "updated" with "published" when absent.
    value = parse_date(dict.get(entry, key) or "", default_tz=default_tz)
    parsed = dict.get(entry, f"{key}_parsed")
    if value is None and parsed:
        # feedparser knows more date formats; it reads a missing zone as UTC.
        # It also turns "0000-00-00" into year -1.
        try:
            value = storable(datetime(*parsed[:6], tzinfo=UTC))
        except (TypeError, ValueError, OverflowError):
            value = None
    return value


def _date_notes(entry: Any, found: datetime | None) -> list[Note]:
    """A note when the entry has a date but none of it could be read."""
    if found is not None:
        return []
    for key in ("published", "updated", "created"):
        text = clean_text(dict.get(entry, key) or "")
        if text:
            return [Note.of("date_unreadable", text=text[:100])]
    return []


def _image(entry: Any, *, base: str) -> str | None:
    candidates = [
        media.get("url")
        for media in entry.get("media_content", [])
        if (
            media.get("medium") == "image"
            or (media.get("type") or "").startswith("image/")
        )
    ]
    candidates += [thumb.get("url") for thumb in entry.get("media_thumbnail", [])]
    candidates += [
        link.get("href")
        for link in entry.get("links", [])
        if link.get("rel") == "enclosure"
        and (link.get("type") or "").startswith("image/")
    ]
    candidates.append((entry.get("image") or {}).get("href"))
    for candidate in candidates:
        url = absolute_http_url(candidate, base=base)
        if url:
            return url
    return None


def _entry(
    raw: Any,
    *,
    url: str,
    language: str | None,
    default_tz: tzinfo | None,
    collector: EntryCollector,
) -> ParsedEntry | None:
    link = absolute_http_url(raw.get("link"), base=url)
    if link is None:
        for candidate in raw.get("links", []):
            if candidate.get("rel", "alternate") == "alternate":
                link = absolute_http_url(candidate.get("href"), base=url)
                if link:
                    break
    base = link or url
    notes: list[Note] = []
    contents = [
        (_as_html(detail, base=base, notes=notes), detail.get("value") or "")
        for detail in raw.get("content", [])
    ]
    content_html, content_raw = max(
        contents, key=lambda pair: len(pair[0]), default=("", "")
    )
    summary_detail = raw.get("summary_detail")
    summary_raw = raw.get("summary") or ""
    if content_html and (summary_detail is None or summary_raw == content_raw):
        # feedparser copies the full text into summary when a feed has none;
        # a summary-only source must not republish it.
        summary_html = excerpt_html(content_html)
    elif summary_detail is not None:
        summary_html = _as_html(summary_detail, base=base, notes=notes)
    else:
        summary_html = text_to_html(clean_text(summary_raw, is_html=True))
    title = _text(raw, "title")
    if not (title or link or summary_html or content_html):
        collector.skip("no title, link or text")
        return None
    published_at = _date(raw, "published", default_tz=default_tz)
    updated_at = _date(raw, "updated", default_tz=default_tz)
    created_at = _date(raw, "created", default_tz=default_tz)
    notes += _date_notes(raw, published_at or updated_at or created_at)
    entry_language = None
    for detail_key in ("title_detail", "summary_detail"):
        detail = raw.get(detail_key) or {}
        entry_language = normalise_language(detail.get("language"))
        if entry_language:
            break
    author_detail = raw.get("author_detail") or {}
    return ParsedEntry(
        guid=make_guid(
            entry_id=raw.get("id"),
            link=link,
            title=title,
            date=published_at or updated_at,
            text=summary_html or content_html,
        ),
        link=link,
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        # A feed that says only when an entry changed says that much of when
        # it appeared.
        published_at=published_at or updated_at or created_at,
        updated_at=updated_at,
        author=clean_text(author_detail.get("name") or raw.get("author")),
        language=entry_language or language,
        image_url=_image(raw, base=base),
        notes=tuple(dict.fromkeys(notes)),
    )
