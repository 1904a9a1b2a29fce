"""Which kind of document a body is: a feed flavour, or an HTML page."""

import logging
import re

from .encoding import decode
from .results import FeedKind
from .urls import absolute_http_url
from .xmlguard import doctype_span

logger = logging.getLogger(__name__)

_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_FEED_LINK = re.compile(
    r"<link\b[^>]*\btype\s*=\s*[\"']application/(?:rss|atom|feed)\+(?:xml|json)[\"'][^>]*>",
    re.I,
)
_HREF = re.compile(r"\bhref\s*=\s*[\"']([^\"']+)[\"']", re.I)
_JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/')


def _skip_prolog(text: str) -> str:
    """The text from the root element on: after declarations, comments, PIs."""
    span = doctype_span(text)
    if span:
        text = text[: span[0]] + text[span[1] :]
    index = 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if text.startswith("<!--", index):
            end = text.find("-->", index)
            index = len(text) if end < 0 else end + 3
        elif text.startswith(("<?", "<!"), index):
            end = text.find(">", index)
            index = len(text) if end < 0 else end + 1
        else:
            return text[index:]


def kind_of_text(text: str, content_type: str | None) -> FeedKind:
    head = text[:20000].lstrip("\ufeff \t\r\n")
    media_type = (content_type or "").split(";")[0].strip().lower()
    if head.startswith("{") or (
        media_type.endswith("json") and not head.startswith("<")
    ):
        return "json"
    # The whole text: a DOCTYPE's internal subset may be longer than any head.
    match = _ROOT.match(_skip_prolog(text.lstrip("\ufeff"))[:2000])
    root = match.group(2).lower() if match else ""
    if root == "rss":
        return "rss"
    if root == "feed":
        return "atom"
    if root == "rdf":
        return "rdf"
    if root in {"html", "head", "body"} or "<body" in head.lower():
        return "html"
    if media_type.endswith("atom+xml"):
        return "atom"
    if media_type.endswith("rdf+xml"):
        return "rdf"
    if media_type.endswith(("rss+xml", "/xml")):
        return "rss"
    if root == "channel":  # RSS 0.9x fragments seen without their <rss>
        return "rss"
    return "html"


def detect_kind(body: bytes, content_type: str | None = None) -> FeedKind:
    """The kind of document: rss, atom, rdf, json or html, from the body first
    (servers label feeds text/html and pages text/xml), then the Content-Type."""
    return kind_of_text(decode(body, content_type), content_type)


def is_json_feed(text: str) -> bool:
    return bool(_JSON_FEED_VERSION.search(text[:4096]))


def feed_links(text: str, *, base: str) -> list[str]:
    """The feeds an HTML page announces with <link rel="alternate" ...>."""
    links = []
    for tag in _FEED_LINK.findall(text[:200000]):
        href = _HREF.search(tag)
        url = absolute_http_url(href.group(1), base=base) if href else None
        if url and url not in links:
            links.append(url)
    return links
