"""Fetched bytes to clean, typed items: no network, no database.

The fetcher hands over the body, the response's Content-Type and its final
URL; everything here is a pure function of those (and the office's time
zone), returning frozen dataclasses:

- ``parse_feed(body, *, url, content_type, default_tz) -> ParsedFeed`` reads
  RSS 0.9x/2.0, RSS 1.0 (RDF), Atom (feedparser, fed only prepared bytes)
  and JSON Feed 1.0/1.1 (json). It raises ``FeedParseError`` (plain words)
  when nothing usable comes out, e.g. the address returned a web page; a
  partly broken feed gives what could be read, and ``ParsedFeed.warnings``
  says what was odd or skipped.
- ``parse_list_page(body, *, url, content_type, rule, default_tz)`` reads an
  HTML news list with a ``ListRule`` of CSS selectors; ``RuleError`` for an
  invalid selector or an item selector that finds nothing.
- ``extract_article(body, *, url, content_type, default_tz=None)`` gives an
  ``ExtractedArticle``: the page's main text (trafilatura) as plain text and
  sanitised HTML, with title, date and language.
- ``detect_kind(body, content_type)``: "rss", "atom", "rdf", "json" or
  "html", for sources set to "detect".
- ``decode(body, content_type) -> str``: the right characters (BOM > HTTP
  charset > XML declaration / meta > detection, WHATWG supersets, UTF-8 and
  double-encoding corrections; see ``encoding``).
- ``sanitise_html(html, *, base_url) -> str``: HTML reduced to the article
  rich text's features, links absolute and http/https/mailto only.
- ``detect_language(text) -> str | None``: our locale code (zh-hans/zh-hant
  for Chinese) or None when the text is short or the guess unsure.

Entries: ``guid`` is the entry's id, else its link, else a hash of title and
date (repeats within one document are dropped, first kept); ``link`` is
absolute http(s) or None; ``title`` is plain one-line text (tags stripped,
entities decoded, NFC, at most 1000 characters);
``summary_html`` and ``content_html`` are sanitised (a feed's plain-text
summary is escaped into paragraphs; when a feed gives only the full text,
the summary is its first paragraph, so summary-only sources never republish
the full text); dates are timezone-aware, a date without a zone read in
``default_tz`` (UTC if None), ``published_at`` falling back to the updated
date; ``language`` is what the feed or page declares (entry, then feed), not
a guess: callers fall back to the source's language, then detect_language.
Items without title, link and text are skipped, list-page items without an
http(s) link too; each skip, repeat, future date (more than a day ahead,
kept), double-encoding repair and XML error is one plain sentence in
``warnings``. Hostile XML (entity expansion, external entities) is defused
before feedparser sees it (``xmlguard``).
"""

from .article import extract_article
from .detect import detect_kind
from .encoding import decode, decode_document
from .feeds import parse_feed
from .language import detect_language, normalise_language
from .listpage import parse_list_page
from .results import (
    ExtractedArticle,
    FeedKind,
    FeedParseError,
    ListRule,
    Note,
    ParsedEntry,
    ParsedFeed,
    RuleError,
)
from .sanitise import sanitise_html

__all__ = [
    "ExtractedArticle",
    "FeedKind",
    "FeedParseError",
    "ListRule",
    "Note",
    "ParsedEntry",
    "ParsedFeed",
    "RuleError",
    "decode",
    "decode_document",
    "detect_kind",
    "detect_language",
    "extract_article",
    "normalise_language",
    "parse_feed",
    "parse_list_page",
    "sanitise_html",
]
