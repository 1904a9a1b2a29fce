"""The feed views: /feeds/rss.xml, /feeds/atom.xml, /feeds/feed.json.

Filters are query parameters (``selectors.FILTER_PARAMS``): office (code),
region (code), country (ISO 3166-1), topic (slug) and locale (language code),
in any combination; without them, every language. Unknown values answer 404,
a repeated filter 400, in plain text. Answers go through ``cms.caching``:
cached per generation, with ETag, Last-Modified, Cache-Control and 304s.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cms.caching import MAX_AGE, cached_response, generation_get
from cms.models import HomePage, OfficePage
from cms.siteurl import page_full_url

from .entries import FeedEntry, feed_entries
from .formats import (
    ATOM_CONTENT_TYPE,
    JSON_CONTENT_TYPE,
    RSS_CONTENT_TYPE,
    FeedMeta,
    atom_render,
    json_feed_render,
    rss_render,
)
from .selectors import (
    FILTER_PARAMS,
    FilterError,
    ResolvedFilters,
    content_languages,
    feed_articles,
    feed_filters_parse,
    feed_url,
    site_root_url,
)

Renderer = Callable[[FeedMeta, list[FeedEntry]], bytes]
RENDERERS: dict[str, tuple[Renderer, str]] = {
    "rss": (rss_render, RSS_CONTENT_TYPE),
    "atom": (atom_render, ATOM_CONTENT_TYPE),
    "json": (json_feed_render, JSON_CONTENT_TYPE),
}


@require_safe
def feed(request: HttpRequest, fmt: str) -> HttpResponse:
    return cached_response(
        request,
        lambda: _feed_build(request, fmt),
        params=FILTER_PARAMS,
        max_age=MAX_AGE,
    )


def _feed_build(request: HttpRequest, fmt: str) -> HttpResponse:
    language = (request.GET.get("locale") or "").strip().lower()
    if language not in content_languages():
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            resolved = feed_filters_parse(request.GET)
        except FilterError as exc:
            return HttpResponse(
                str(exc), status=exc.status, content_type="text/plain; charset=utf-8"
            )
        generation = generation_get()
        entries = feed_entries(
            feed_articles(resolved), fallback_time=generation.changed_at
        )
        root = site_root_url()
        self_url = feed_url(fmt, resolved.filters, root=root)
        hub_url = settings.WEBSUB_HUB_URL or None
        meta = FeedMeta(
            id=self_url,
            title=_feed_title(resolved),
            description=_(
                "Tsunagu: news from local governments abroad, "
                "for Japan's local governments."
            ),
            home_url=_home_url(resolved, root),
            self_url=self_url,
            language=resolved.filters.locale,
            author=settings.WAGTAIL_SITE_NAME,
            updated=max((e.updated for e in entries), default=generation.changed_at),
            hub_url=hub_url,
        )
    render, content_type = RENDERERS[fmt]
    response = HttpResponse(render(meta, entries), content_type=content_type)
    # WebSub discovery through headers as well as in the document.
    links = [f'<{self_url}>; rel="self"']
    if hub_url:
        links.insert(0, f'<{hub_url}>; rel="hub"')
    response["Link"] = ", ".join(links)
    if resolved.filters.locale:
        response["Content-Language"] = resolved.filters.locale
    return response


def _feed_title(resolved: ResolvedFilters) -> str:
    parts = [
        str(item)
        for item in (resolved.office, resolved.region, resolved.country, resolved.topic)
        if item is not None
    ]
    if resolved.filters.locale:
        parts.append(content_languages()[resolved.filters.locale])
    site = settings.WAGTAIL_SITE_NAME
    return f"{site}: {' · '.join(parts)}" if parts else site


def _home_url(resolved: ResolvedFilters, root: str) -> str:
    """The HTML page the feed stands for: the office's section or the home
    page in the feed's language, else the site."""
    locale = resolved.filters.locale
    if locale:
        pages = (
            OfficePage.objects.filter(office=resolved.office)
            if resolved.office
            else HomePage.objects.all()
        )
        page = pages.live().filter(locale__language_code=locale).first()
        if page is not None and (url := page_full_url(page)):
            return url
    return f"{root}/"
