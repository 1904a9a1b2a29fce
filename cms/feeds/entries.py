"""What one article says in a feed, the same in every format.

The rule on text: an article whose source allows full republishing (and an
editor's own report) shows its body; one from a summary-only source shows
its summary and a link to the original, never its body (see
``selectors.summary_only_keys``). Every piece of HTML goes through the
scrapers' sanitiser last (the allow-list of the article rich text, links
absolute and http/https/mailto only), so nothing an editor or a source
slipped into a body (a script, an event handler) reaches a feed reader.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.rich_text import expand_db_html

from cms.models import ArticlePage
from cms.siteurl import page_full_url
from scrapers.parsing.sanitise import sanitise_html
from translation.models import TranslationState

from .selectors import summary_only_keys, translation_states

# Characters XML 1.0 cannot carry (and the non-characters U+FFFE/U+FFFF).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "").strip()


def http_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) URL, else None."""
    value = clean_text(value)
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Category:
    term: str  # the topic's slug: stable, what ?topic= takes
    label: str  # its name in the entry's language


@dataclass(frozen=True)
class Provenance:
    source_name: str
    source_url: str | None
    original_language: str
    original_published: datetime | None
    jurisdiction: str
    translation: str  # original, awaiting, machine_translated, reviewed
    republish: str  # full or summary: what this feed shows
    notice: str  # the unreviewed-translation notice, or ""
    office: str  # office code
    countries: tuple[str, ...]  # ISO 3166-1 codes
    topics: tuple[str, ...]  # topic slugs (what ?topic= takes)


@dataclass(frozen=True)
class FeedEntry:
    id: str
    url: str
    title: str
    summary: str
    content_html: str
    published: datetime
    updated: datetime
    language: str
    author: str
    categories: tuple[Category, ...]
    provenance: Provenance


def entry_id(page: ArticlePage) -> str:
    """Permanent and unique: the same whatever the page's slug, section or
    host becomes (its translation key and language, never its URL)."""
    return f"urn:uuid:{uuid.uuid5(page.translation_key, page.locale.language_code)}"


def feed_entries(
    pages: list[ArticlePage], *, fallback_time: datetime
) -> list[FeedEntry]:
    summary_only = summary_only_keys(page.translation_key for page in pages)
    states = translation_states(pages)
    return [
        _entry(
            page,
            summary_only=page.translation_key in summary_only,
            state=states[page.pk],
            fallback_time=fallback_time,
        )
        for page in pages
    ]


def _notice(state: str) -> str:
    if state == TranslationState.State.MACHINE_TRANSLATED:
        return _(
            "Machine translation, not yet reviewed by our editors. "
            "The original is linked below."
        )
    if state == TranslationState.State.AWAITING:
        return _(
            "Awaiting translation: this page still shows the text in its "
            "original language."
        )
    return ""


def _entry(
    page: ArticlePage, *, summary_only: bool, state: str, fallback_time: datetime
) -> FeedEntry:
    language = page.locale.language_code
    url = page_full_url(page) or ""
    with translation.override(language):
        notice = _notice(state)
        source_name = clean_text(page.source_name)
        source_url = http_url(page.source_url)
        summary = clean_text(page.summary)
        parts = [format_html("<p><b>{}</b></p>", notice)] if notice else []
        if summary_only:
            if summary:
                parts.append(format_html("<p>{}</p>", summary))
            if source_url:
                label = _("Read the original at %(source)s") % {
                    "source": source_name or urlsplit(source_url).netloc
                }
                parts.append(
                    format_html('<p><a href="{}">{}</a></p>', source_url, label)
                )
        else:
            parts.append(expand_db_html(page.body) or format_html("<p>{}</p>", summary))
            if source_name or source_url:
                name = source_name or source_url
                source = (
                    format_html('<a href="{}">{}</a>', source_url, name)
                    if source_url
                    else name
                )
                if page.jurisdiction:
                    source = format_html(
                        "{} · {}", source, clean_text(page.jurisdiction)
                    )
                parts.append(format_html("<p>{}: {}</p>", _("Source"), source))
        content = clean_text(sanitise_html("".join(parts), base_url=url))
        categories = tuple(
            Category(term=topic.slug, label=clean_text(str(topic)))
            for topic in page.topics.all()
        )
        author = clean_text(str(page.office)) if page.office_id else ""
    published = page.first_published_at or page.last_published_at or fallback_time
    updated = page.last_published_at or published
    return FeedEntry(
        id=entry_id(page),
        url=url,
        title=clean_text(page.title),
        summary=summary,
        content_html=content,
        published=utc(published),
        updated=utc(max(updated, published)),
        language=language,
        author=author,
        categories=categories,
        provenance=Provenance(
            source_name=source_name,
            source_url=source_url,
            original_language=clean_text(page.original_language),
            original_published=utc(page.original_published_at)
            if page.original_published_at
            else None,
            jurisdiction=clean_text(page.jurisdiction),
            translation=state,
            republish="summary" if summary_only else "full",
            notice=notice,
            office=page.office.code if page.office_id else "",
            countries=tuple(country.code for country in page.countries.all()),
            topics=tuple(category.term for category in categories),
        ),
    )
