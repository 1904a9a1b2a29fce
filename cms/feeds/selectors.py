"""Reads for the feeds: which articles, under which filters, at which URLs,
and what each may show."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F, QuerySet
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _

from cms.models import ArticlePage, Country, Office, Region, Topic
from cms.siteurl import site_base_url

# The latest entries a feed shows; older ones are on the site and in the API.
FEED_LIMIT = 50
FORMATS = ("rss", "atom", "json")
# The query parameters a feed reads, in the order its canonical URL lists them.
FILTER_PARAMS = ("office", "region", "country", "topic", "locale")


class FilterError(Exception):
    """A filter the feed cannot apply; ``status`` is the HTTP answer."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FeedFilters:
    """The canonical values of a feed's filters (None: not filtered)."""

    office: str | None = None
    region: str | None = None
    country: str | None = None
    topic: str | None = None
    locale: str | None = None

    def query(self) -> str:
        return urlencode(
            [(f.name, value) for f in fields(self) if (value := getattr(self, f.name))]
        )


@dataclass(frozen=True)
class ResolvedFilters:
    filters: FeedFilters
    office: Office | None
    region: Region | None
    country: Country | None
    topic: Topic | None


def content_languages() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def feed_filters_parse(query: QueryDict) -> ResolvedFilters:
    """The filters of a request's query string, checked against the database.

    An empty value is no filter; a value given twice is 400; a value that
    names nothing (an office code, region code, ISO country code, topic slug
    or locale we do not have) is 404, so a typo never looks like a quiet
    feed. Other parameters are ignored.
    """
    values: dict[str, str] = {}
    for name in FILTER_PARAMS:
        given = [value.strip() for value in query.getlist(name) if value.strip()]
        if len(given) > 1:
            raise FilterError(
                _("Give one value for %(name)s.") % {"name": name}, status=400
            )
        if given:
            values[name] = given[0]
    filters = FeedFilters(
        office=values.get("office", "").lower() or None,
        region=values.get("region", "").lower() or None,
        country=values.get("country", "").upper() or None,
        topic=values.get("topic", "").lower() or None,
        locale=values.get("locale", "").lower() or None,
    )
    office = region = country = topic = None
    if filters.office and not (
        office := Office.objects.filter(code=filters.office).first()
    ):
        raise _unknown("office", filters.office)
    if filters.region and not (
        region := Region.objects.filter(code=filters.region).first()
    ):
        raise _unknown("region", filters.region)
    if filters.country and not (
        country := Country.objects.filter(code=filters.country).first()
    ):
        raise _unknown("country", filters.country)
    if filters.topic and not (
        topic := Topic.objects.filter(slug=filters.topic).first()
    ):
        raise _unknown("topic", filters.topic)
    if filters.locale and filters.locale not in content_languages():
        raise _unknown("locale", filters.locale)
    return ResolvedFilters(
        filters=filters, office=office, region=region, country=country, topic=topic
    )


def _unknown(name: str, value: str) -> FilterError:
    return FilterError(
        _("No %(name)s is called %(value)s.") % {"name": name, "value": value},
        status=404,
    )


def feed_articles(
    resolved: ResolvedFilters, *, limit: int | None = None
) -> list[ArticlePage]:
    """The latest live, public articles under the filters, newest first.

    A region is the region of an article's countries (as on the news index).
    """
    articles: QuerySet[ArticlePage] = ArticlePage.objects.live().public()
    if resolved.office:
        articles = articles.filter(office=resolved.office)
    if resolved.filters.locale:
        articles = articles.filter(locale__language_code=resolved.filters.locale)
    if resolved.country:
        articles = articles.filter(countries=resolved.country)
    if resolved.region:
        articles = articles.filter(countries__region=resolved.region)
    if resolved.topic:
        articles = articles.filter(topics=resolved.topic)
    ids = list(
        articles.order_by(F("first_published_at").desc(nulls_last=True), "-pk")
        .values_list("pk", flat=True)
        .distinct()[: limit or FEED_LIMIT]
    )
    pages = (
        ArticlePage.objects.filter(pk__in=ids)
        .select_related("office", "locale")
        .prefetch_related("topics", "countries")
    )
    by_id = {page.pk: page for page in pages}
    return [by_id[pk] for pk in ids if pk in by_id]


def site_root_url() -> str:
    """The public site's base URL (TSUNAGU_BASE_URL), without a trailing
    slash: feeds are outside the page tree, and their URLs must be the same
    whichever host a request came through (WebSub topics)."""
    return site_base_url()


def feed_path(fmt: str, filters: FeedFilters) -> str:
    path = reverse(f"feeds:{fmt}")
    query = filters.query()
    return f"{path}?{query}" if query else path


def feed_url(fmt: str, filters: FeedFilters, *, root: str | None = None) -> str:
    """The canonical absolute URL of a feed: its ``rel="self"`` and WebSub topic."""
    return (root if root is not None else site_root_url()) + feed_path(fmt, filters)


# The most filter sets a publish purges from the CDN (times the three formats);
# an article with many countries and topics has more combinations, and the
# rest refresh when MAX_AGE runs out.
PURGE_FILTER_SETS_MAX = 400


def feed_filters_for_article(
    page: ArticlePage,
    *,
    previous: ArticlePage | None = None,
    moved_from: object | None = None,
) -> list[FeedFilters]:
    """Every filter set whose feed lists ``page`` or listed it before this
    change (``previous``: its last live version; ``moved_from``: the office
    section it left), the fewest filters first.

    A feed takes one value per filter, so these are finite: for each of
    office, region, country and topic, none or one of the article's values,
    with or without its locale. At most ``PURGE_FILTER_SETS_MAX``.
    """
    values: dict[str, set[str]] = {
        "office": set(),
        "region": set(),
        "country": set(),
        "topic": set(),
    }
    former = getattr(getattr(moved_from, "specific", None), "office", None)
    if isinstance(former, Office):
        values["office"].add(former.code)
    locales: set[str] = set()
    for version in (page, previous) if previous is not None else (page,):
        locales.add(version.locale.language_code)
        office = getattr(version, "office", None)
        if isinstance(office, Office):
            values["office"].add(office.code)
        for country in version.countries.all().select_related("region"):
            values["country"].add(country.code)
            values["region"].add(country.region.code)
        values["topic"].update(topic.slug for topic in version.topics.all())
    choices = {name: [None, *sorted(codes)] for name, codes in values.items()} | {
        "locale": [None, *sorted(locales)]
    }
    found = [
        FeedFilters(**dict(zip(choices, combination, strict=True)))
        for combination in itertools.product(*choices.values())
    ]
    found.sort(
        key=lambda filters: sum(1 for f in fields(filters) if getattr(filters, f.name))
    )
    return found[:PURGE_FILTER_SETS_MAX]


def feed_filters_pinged(found: Iterable[FeedFilters]) -> list[FeedFilters]:
    """The filter sets the WebSub hub is told about: all articles, and one of
    office, region, country or topic, each with or without the locale. Hubs
    take one feed a request, so the combinations are left to expire."""
    return [
        filters
        for filters in found
        if sum(
            1
            for name in ("office", "region", "country", "topic")
            if getattr(filters, name)
        )
        <= 1
    ]


def feed_urls(found: Iterable[FeedFilters]) -> list[str]:
    root = site_root_url()
    return [feed_url(fmt, filters, root=root) for filters in found for fmt in FORMATS]


def summary_only_keys(translation_keys: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The translation keys of articles that may show only a summary and link.

    The rule: an article made from a scraped item whose source does not allow
    full republishing shows its summary and a link in feeds, whatever its
    body holds (an editor may have pasted the full text). Its translations
    share its translation key, so a Japanese version follows its source
    page. Articles no item made (editors' own reports) show in full.
    """
    from scrapers.models import Item, Source

    keys = set(translation_keys)
    if not keys:
        return set()
    return set(
        Item.objects.filter(page__translation_key__in=keys)
        .exclude(source__republish=Source.Republish.FULL)
        .values_list("page__translation_key", flat=True)
    )


def translation_states(pages: Iterable[ArticlePage]) -> dict[int, str]:
    """Each page's translation state, in two queries for any number of pages;
    the same rule as ``translation.selectors.translation_state_get``."""
    from wagtail_localize.models import Translation

    from translation.models import TranslationState

    pages = list(pages)
    states = dict(
        TranslationState.objects.filter(page_id__in=[p.pk for p in pages]).values_list(
            "page_id", "state"
        )
    )
    missing = [page for page in pages if page.pk not in states]
    if missing:
        targets = set(
            Translation.objects.filter(
                source__object_id__in={page.translation_key for page in missing}
            ).values_list("source__object_id", "target_locale_id")
        )
        for page in missing:
            states[page.pk] = (
                TranslationState.State.AWAITING
                if (page.translation_key, page.locale_id) in targets
                else TranslationState.State.ORIGINAL
            )
    return states
