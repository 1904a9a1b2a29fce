"""The three formats: RSS 2.0, Atom 1.0 (RFC 4287) and JSON Feed 1.1.

RSS and Atom are Django's own generators (``django.utils.feedgenerator``:
SAX-escaped, attribute order fixed) with our elements added through their
hooks: Atom ids, entry updated dates, per-entry ``xml:lang``, categories
with labels, ``content``/``content:encoded``, WebSub ``hub`` and ``self``
links, and the provenance in a namespace of ours (``PROVENANCE_NS``).
JSON Feed is written here: a dict, ``json.dumps``.

Provenance, the same in every format (RSS and Atom: ``tsunagu:*`` elements
in each item; JSON Feed: the ``_tsunagu`` extension object of each item):
``sourceName``, ``sourceUrl``, ``originalLanguage``, ``originalPublished``
(RFC 3339), ``jurisdiction``, ``translation`` (original, awaiting,
machine_translated, reviewed), ``republish`` (full or summary: whether the
entry carries the text or only its summary and a link), ``notice`` (the
unreviewed-translation notice, also at the top of the content), ``office``
(code), ``country`` (ISO 3166-1 codes) and ``topic`` (slugs), one element
each (``countries`` and ``topics`` lists in JSON).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from datetime import datetime

from django.utils.feedgenerator import (
    Atom1Feed,
    Rss201rev2Feed,
    rfc2822_date,
    rfc3339_date,
)

from .entries import FeedEntry

# A name of ours for our elements: a URI we control, never fetched.
PROVENANCE_NS = "https://github.com/tsunagu/tsunagu/ns/provenance/1.0"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/feed+json; charset=utf-8"


@dataclass(frozen=True)
class FeedMeta:
    id: str  # Atom's feed id: the feed's canonical URL
    title: str
    description: str
    home_url: str
    self_url: str
    language: str | None  # None when the feed mixes languages
    author: str
    updated: datetime  # the latest entry's update, or the generation's time
    hub_url: str | None


def _provenance_elements(handler, entry: FeedEntry) -> None:
    p = entry.provenance

    def add(name: str, value: str | None) -> None:
        if value:
            handler.addQuickElement(f"tsunagu:{name}", value)

    add("sourceName", p.source_name)
    add("sourceUrl", p.source_url)
    add("originalLanguage", p.original_language)
    add(
        "originalPublished",
        rfc3339_date(p.original_published) if p.original_published else None,
    )
    add("jurisdiction", p.jurisdiction)
    add("translation", p.translation)
    add("republish", p.republish)
    add("notice", p.notice)
    add("office", p.office)
    for code in p.countries:
        add("country", code)
    for slug in p.topics:
        add("topic", slug)


class _EntriesMixin:
    """Keeps our entries beside Django's item dicts and fixes the dates."""

    meta: FeedMeta

    def latest_post_date(self) -> datetime:
        # Django's falls back to "now" for an empty feed, which would change
        # the body (and its ETag) on every build.
        return self.meta.updated


class RssFeed(_EntriesMixin, Rss201rev2Feed):
    content_type = RSS_CONTENT_TYPE

    def rss_attributes(self) -> dict[str, str]:
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:dc": "http://purl.org/dc/elements/1.1/",
            "xmlns:tsunagu": PROVENANCE_NS,
        }

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        if self.meta.hub_url:
            handler.addQuickElement(
                "atom:link", None, {"rel": "hub", "href": self.meta.hub_url}
            )

    def add_item_elements(self, handler, item: dict) -> None:
        entry: FeedEntry = item["entry"]
        handler.addQuickElement("title", entry.title)
        handler.addQuickElement("link", entry.url)
        if entry.summary:
            # RSS readers take a description for HTML: the plain-text summary
            # is escaped once for HTML here, once for XML by the writer.
            handler.addQuickElement(
                "description", html.escape(entry.summary, quote=False)
            )
        handler.addQuickElement("content:encoded", entry.content_html)
        if entry.author:
            handler.addQuickElement("dc:creator", entry.author)
        handler.addQuickElement("pubDate", rfc2822_date(entry.published))
        handler.addQuickElement("guid", entry.id, {"isPermaLink": "false"})
        for category in entry.categories:
            handler.addQuickElement("category", category.label)
        handler.addQuickElement("dc:language", entry.language)
        _provenance_elements(handler, entry)


class AtomFeed(_EntriesMixin, Atom1Feed):
    content_type = ATOM_CONTENT_TYPE

    def root_attributes(self) -> dict[str, str]:
        return {**super().root_attributes(), "xmlns:tsunagu": PROVENANCE_NS}

    def add_root_elements(self, handler) -> None:
        super().add_root_elements(handler)
        if self.meta.hub_url:
            handler.addQuickElement(
                "link", "", {"rel": "hub", "href": self.meta.hub_url}
            )

    def item_attributes(self, item: dict) -> dict[str, str]:
        return {"xml:lang": item["entry"].language}

    def add_item_elements(self, handler, item: dict) -> None:
        entry: FeedEntry = item["entry"]
        handler.addQuickElement("title", entry.title, {"type": "text"})
        handler.addQuickElement("link", "", {"rel": "alternate", "href": entry.url})
        if entry.provenance.source_url:
            handler.addQuickElement(
                "link", "", {"rel": "via", "href": entry.provenance.source_url}
            )
        handler.addQuickElement("id", entry.id)
        handler.addQuickElement("published", rfc3339_date(entry.published))
        handler.addQuickElement("updated", rfc3339_date(entry.updated))
        if entry.author:
            handler.startElement("author", {})
            handler.addQuickElement("name", entry.author)
            handler.endElement("author")
        for category in entry.categories:
            handler.addQuickElement(
                "category", "", {"term": category.term, "label": category.label}
            )
        if entry.summary:
            handler.addQuickElement("summary", entry.summary, {"type": "text"})
        handler.addQuickElement("content", entry.content_html, {"type": "html"})
        _provenance_elements(handler, entry)


def _xml(feed_class: type, meta: FeedMeta, entries: list[FeedEntry]) -> bytes:
    feed = feed_class(
        title=meta.title,
        link=meta.home_url,
        description=meta.description,
        language=meta.language,
        author_name=meta.author,
        feed_url=meta.self_url,
        feed_guid=meta.id,
    )
    feed.meta = meta
    for entry in entries:
        feed.add_item(
            title=entry.title, link=entry.url, description=entry.summary, entry=entry
        )
    return feed.writeString("utf-8").encode("utf-8")


def rss_render(meta: FeedMeta, entries: list[FeedEntry]) -> bytes:
    return _xml(RssFeed, meta, entries)


def atom_render(meta: FeedMeta, entries: list[FeedEntry]) -> bytes:
    return _xml(AtomFeed, meta, entries)


def _json_date(moment: datetime) -> str:
    return rfc3339_date(moment)


def json_feed_render(meta: FeedMeta, entries: list[FeedEntry]) -> bytes:
    feed: dict = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.self_url,
        "description": meta.description,
        "authors": [{"name": meta.author, "url": meta.home_url}],
    }
    if meta.language:
        feed["language"] = meta.language
    if meta.hub_url:
        feed["hubs"] = [{"type": "WebSub", "url": meta.hub_url}]
    feed["items"] = [_json_item(entry) for entry in entries]
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8")


def _json_item(entry: FeedEntry) -> dict:
    p = entry.provenance
    item: dict = {
        "id": entry.id,
        "url": entry.url,
        "title": entry.title,
        "content_html": entry.content_html,
        "date_published": _json_date(entry.published),
        "date_modified": _json_date(entry.updated),
        "language": entry.language,
    }
    if p.source_url:
        item["external_url"] = p.source_url
    if entry.summary:
        item["summary"] = entry.summary
    if entry.author:
        item["authors"] = [{"name": entry.author}]
    if entry.categories:
        item["tags"] = [category.label for category in entry.categories]
    provenance = {
        "sourceName": p.source_name,
        "sourceUrl": p.source_url,
        "originalLanguage": p.original_language,
        "originalPublished": _json_date(p.original_published)
        if p.original_published
        else None,
        "jurisdiction": p.jurisdiction,
        "translation": p.translation,
        "republish": p.republish,
        "notice": p.notice,
        "office": p.office,
        "countries": list(p.countries),
        "topics": list(p.topics),
    }
    item["_tsunagu"] = {
        key: value for key, value in provenance.items() if value not in (None, "", [])
    }
    return item
