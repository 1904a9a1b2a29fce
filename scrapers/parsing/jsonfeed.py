"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/).

feedparser does not read JSON Feed. 1.1 renamed ``author`` to ``authors`` and
added ``language``; both versions are read, whichever fields are present.
"""

import json
import logging
from datetime import tzinfo
from typing import Any

from .dates import parse_machine_date
from .entries import EntryCollector, make_guid
from .language import normalise_language
from .results import FeedParseError, Note, ParsedEntry, ParsedFeed
from .sanitise import (
    clean_text,
    clean_title,
    excerpt_html,
    sanitise_html,
    text_to_html,
)
from .urls import absolute_http_url

logger = logging.getLogger(__name__)


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _author(container: dict) -> str:
    authors = container.get("authors")
    if isinstance(authors, list):
        names = [_string(a.get("name")) for a in authors if isinstance(a, dict)]
        return clean_text(", ".join(name for name in names if name))
    author = container.get("author")
    return clean_text(_string(author.get("name"))) if isinstance(author, dict) else ""


def parse_json_feed(
    text: str, *, url: str, default_tz: tzinfo | None, warnings: list[str]
) -> ParsedFeed:
    warnings = list(warnings)
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"The JSON feed is not valid JSON ({exc}).") from exc
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise FeedParseError("This JSON is not a JSON Feed: it has no list of items.")
    version = _string(document.get("version"))
    if not version.startswith(
        ("https://jsonfeed.org/version/", "http://jsonfeed.org/")
    ):
        warnings.append(
            "The JSON feed does not say which JSON Feed version it follows."
        )
    language = normalise_language(_string(document.get("language")))
    feed_author = _author(document)
    collector = EntryCollector()
    for item in document["items"]:
        if not isinstance(item, dict):
            collector.skip("not a JSON object")
            continue
        entry = _entry(
            item, url=url, language=language, author=feed_author, default_tz=default_tz
        )
        if entry is None:
            collector.skip("no title, link or text")
        else:
            collector.add(entry)
    warnings += collector.warnings()
    if not collector.entries:
        warnings.append("The feed has no items.")
    return ParsedFeed(
        kind="json",
        title=clean_title(_string(document.get("title"))),
        link=absolute_http_url(_string(document.get("home_page_url")), base=url),
        language=language,
        entries=collector.entries,
        warnings=warnings,
    )


def _entry(
    item: dict,
    *,
    url: str,
    language: str | None,
    author: str,
    default_tz: tzinfo | None,
) -> ParsedEntry | None:
    link = absolute_http_url(_string(item.get("url")), base=url) or absolute_http_url(
        _string(item.get("external_url")), base=url
    )
    base = link or url
    notes: list[Note] = []
    content_html = sanitise_html(
        _string(item.get("content_html")), base_url=base, notes=notes
    )
    if not content_html:
        content_html = text_to_html(_string(item.get("content_text")))
    summary = _string(item.get("summary"))
    summary_html = text_to_html(summary) if summary else excerpt_html(content_html)
    title = clean_title(_string(item.get("title")))
    if not (title or link or content_html or summary_html):
        return None
    published_at = parse_machine_date(
        _string(item.get("date_published")), default_tz=default_tz
    )
    updated_at = parse_machine_date(
        _string(item.get("date_modified")), default_tz=default_tz
    )
    written = clean_text(
        _string(item.get("date_published")) or _string(item.get("date_modified"))
    )
    if written and not (published_at or updated_at):
        notes.append(Note.of("date_unreadable", text=written[:100]))
    raw_id = item.get("id")
    entry_id = str(raw_id) if isinstance(raw_id, (str, int)) else None
    return ParsedEntry(
        guid=make_guid(
            entry_id=entry_id,
            link=link,
            title=title,
            date=published_at or updated_at,
            text=summary_html or content_html,
        ),
        link=link,
        title=title,
        summary_html=summary_html,
        content_html=content_html,
        published_at=published_at or updated_at,
        updated_at=updated_at,
        author=_author(item) or author,
        language=normalise_language(_string(item.get("language"))) or language,
        image_url=absolute_http_url(_string(item.get("image")), base=base)
        or absolute_http_url(_string(item.get("banner_image")), base=base),
        notes=tuple(dict.fromkeys(notes)),
    )
