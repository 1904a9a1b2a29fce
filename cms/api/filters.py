"""The endpoints' filters, search and ordering (and their parameters).

Wagtail's own v2 filters match a field's exact value; partners need codes
across relations (region through countries), date ranges and lists, so these
read the parameters that ``params`` declared and parsed. Codes, not ids:
office and region codes (lon, europe), ISO 3166-1 country codes (FR), topic
slugs. Several values of one filter mean any of them; different filters must
all hold.
"""

from django.conf import settings
from django.db.models import F, QuerySet
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.utils import BadRequestError
from wagtail.search.backends import get_search_backend

from ..models import (
    ArticlePage,
    Country,
    HomePage,
    NewsIndexPage,
    Office,
    OfficePage,
    Region,
    Topic,
)
from . import params as p

DEFAULT_LIMIT = 20
MAX_OFFSET = 1_000_000
SEARCH_MAX_LENGTH = 200

# Newest first unless asked; the id breaks ties, so pages never overlap.
ARTICLE_ORDERS = [
    "-first_published_at",
    "first_published_at",
    "-original_published_at",
    "original_published_at",
    "title",
    "-title",
]
DEFAULT_ORDER = "-first_published_at"


def _limit_max() -> int:
    return settings.WAGTAILAPI_LIMIT_MAX


def pagination_params() -> list[p.Param]:
    return [
        p.integer(
            "limit",
            "How many items to return.",
            minimum=0,
            maximum=_limit_max(),
            default=min(DEFAULT_LIMIT, _limit_max()),
        ),
        p.integer(
            "offset",
            "How many items to skip (for the next page: offset + limit). "
            "Past a million, narrow the listing with filters instead.",
            minimum=0,
            maximum=MAX_OFFSET,
            default=0,
        ),
    ]


SEARCH_OPERATOR = p.choice(
    "search_operator",
    "With `search`: whether every word must match (and, the default) or any (or).",
    ["and", "or"],
)

FIELDS = p.text(
    "fields",
    "Wagtail's field selection: a comma-separated list of fields to add "
    "(fields=body), remove (fields=-summary), all of them (fields=*) or only "
    "these (fields=_,title,summary).",
    max_length=500,
)


def _locales() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


def article_params() -> list[p.Param]:
    dates = []
    for name, field, what in (
        ("published", "first_published_at", "first published on Tsunagu"),
        (
            "original_published",
            "original_published_at",
            "first published by their source",
        ),
    ):
        dates += [
            p.moment(
                f"{name}_from",
                f"Articles {what} on or after this date or time ({field}). "
                "A date is a whole day; dates and times without an offset are "
                f"in {settings.TIME_ZONE}.",
                end_of_range=False,
            ),
            p.moment(
                f"{name}_to",
                f"Articles {what} on or before this date (the whole day) or "
                f"time ({field}).",
                end_of_range=True,
            ),
        ]
    return [
        p.codes(
            "office",
            "Office codes, comma-separated (office=lon,par).",
            lambda: list(Office.objects.values_list("code", flat=True)),
        ),
        p.codes(
            "region",
            "Region codes: articles about a country in one of these regions.",
            lambda: list(Region.objects.values_list("code", flat=True)),
        ),
        p.codes(
            "country",
            "ISO 3166-1 alpha-2 country codes (FR,DE); small letters are accepted too.",
            lambda: list(Country.objects.values_list("code", flat=True)),
            normalise=str.upper,
        ),
        p.codes(
            "topic",
            "Topic slugs, comma-separated.",
            lambda: list(Topic.objects.values_list("slug", flat=True)),
        ),
        p.codes("locale", "Language trees (ja, en, fr, ...).", _locales),
        *dates,
        p.text(
            "search",
            "Words to find in the title, summary, body, source and "
            "jurisdiction; every word must match (see search_operator). "
            "Japanese, Chinese and Korean need no spaces (多文化 finds "
            "多文化共生). Results come in order of relevance unless `order` "
            "is given.",
            max_length=SEARCH_MAX_LENGTH,
        ),
        SEARCH_OPERATOR,
        p.choice(
            "order",
            f"Sort order (default {DEFAULT_ORDER}, or relevance with search).",
            ARTICLE_ORDERS,
        ),
        FIELDS,
        *pagination_params(),
    ]


def _m2m_filter(queryset: QuerySet, lookup: str, values: list[str]) -> QuerySet:
    # A subquery, not a join: an article in two matching countries stays one.
    return queryset.filter(
        pk__in=ArticlePage.objects.filter(**{f"{lookup}__in": values}).values("pk")
    )


class ArticleFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        values = view.params
        p.date_range_check(values, "published_from", "published_to")
        p.date_range_check(values, "original_published_from", "original_published_to")
        if "office" in values:
            queryset = queryset.filter(office__code__in=values["office"])
        if "locale" in values:
            queryset = queryset.filter(locale__language_code__in=values["locale"])
        if "region" in values:
            queryset = _m2m_filter(
                queryset, "countries__region__code", values["region"]
            )
        if "country" in values:
            queryset = _m2m_filter(queryset, "countries__code", values["country"])
        if "topic" in values:
            queryset = _m2m_filter(queryset, "topics__slug", values["topic"])
        for name, field in (
            ("published", "first_published_at"),
            ("original_published", "original_published_at"),
        ):
            for bound in ("from", "to"):
                if f"{name}_{bound}" in values:
                    lookup, when = values[f"{name}_{bound}"]
                    queryset = queryset.filter(**{f"{field}__{lookup}": when})
        return queryset


class ArticleSearchAndOrder(BaseFilterBackend):
    """Ordering, and search with the project's backend (cms.search, which
    splits Japanese). Search gets the filtered articles as ``pk IN (…)``: the
    backend accepts filters only on its index's filter fields, and keeps the
    queryset's select_related, prefetches and annotations."""

    def filter_queryset(self, request, queryset: QuerySet, view):
        values = view.params
        order = values.get("order")
        if "search" not in values:
            return queryset.order_by(*_ordering(order or DEFAULT_ORDER))
        searchable = view.pages_prepare(
            ArticlePage.objects.filter(pk__in=queryset.values("pk"))
        )
        return _search(values, searchable)


def _ordering(order: str) -> list:
    field = order.lstrip("-")
    if order.startswith("-"):
        return [F(field).desc(nulls_last=True), F("pk").desc()]
    return [F(field).asc(nulls_last=True), F("pk").asc()]


def _search(values: dict, searchable: QuerySet):
    """The project's search backend over ``searchable``; ordered by relevance
    (title hits, then newest) unless an order was asked for."""
    order = values.get("order")
    if order:
        searchable = searchable.order_by(*_ordering(order))
    return get_search_backend().search(
        values["search"],
        searchable,
        operator=values.get("search_operator"),
        order_by_relevance=not order,
    )


# The pages endpoint: Wagtail's page tree, with a declared subset of its
# parameters.
PAGE_MODELS = {
    model._meta.label: model
    for model in (HomePage, OfficePage, NewsIndexPage, ArticlePage)
}
PAGE_ORDERS = ["id", "-id", "title", "-title", "first_published_at"]
PAGE_ORDERS.append("-first_published_at")


def _page_id(name: str, description: str) -> p.Param:
    return p.integer(name, description, minimum=1, maximum=p.MAX_ID)


def page_params() -> list[p.Param]:
    return [
        p.codes(
            "type",
            "Page types, comma-separated; with one type, its own fields can be "
            "asked for (type=cms.ArticlePage&fields=*).",
            lambda: list(PAGE_MODELS),
        ),
        _page_id("child_of", "Children of this page."),
        _page_id("descendant_of", "Pages below this page."),
        _page_id("translation_of", "The other language versions of this page."),
        p.codes("locale", "Language trees (ja, en, fr, ...).", _locales),
        p.text("slug", "Pages with exactly this slug.", max_length=255),
        p.text(
            "search",
            "Words to find; every word must match (as on the articles endpoint).",
            max_length=SEARCH_MAX_LENGTH,
        ),
        SEARCH_OPERATOR,
        p.choice(
            "order", "Sort order (default id; relevance with search).", PAGE_ORDERS
        ),
        FIELDS,
        *pagination_params(),
    ]


class PageFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset: QuerySet, view):
        values = view.params
        base = view.get_base_queryset()
        for name in ("child_of", "descendant_of", "translation_of"):
            if name in values:
                page = base.filter(pk=values[name]).first()
                if page is None:
                    raise BadRequestError(f"{name}: no public page {values[name]}")
                queryset = getattr(queryset, name)(page)
        if "locale" in values:
            queryset = queryset.filter(locale__language_code__in=values["locale"])
        if "slug" in values:
            queryset = queryset.filter(slug=values["slug"])
        order = values.get("order")
        if "search" not in values:
            return queryset.order_by(*_ordering(order or "id"))
        searchable = view.pages_prepare(
            queryset.model.objects.filter(pk__in=queryset.values("pk"))
        )
        return _search(values, searchable)


# Images and documents.
MEDIA_ORDERS = ["id", "-id", "title", "-title"]


def media_params() -> list[p.Param]:
    return [
        p.text("search", "Words to find in the title.", max_length=SEARCH_MAX_LENGTH),
        SEARCH_OPERATOR,
        p.choice(
            "order", "Sort order (default id; relevance with search).", MEDIA_ORDERS
        ),
        FIELDS,
        *pagination_params(),
    ]


class MediaFilter(BaseFilterBackend):
    def filter_queryset(self, request, queryset: QuerySet, view):
        values = view.params
        order = values.get("order")
        if "search" not in values:
            return queryset.order_by(*_ordering(order or "id"))
        searchable = queryset.model.objects.filter(pk__in=queryset.values("pk"))
        return _search(values, searchable)
