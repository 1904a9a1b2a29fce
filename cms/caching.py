"""Caching and purging of the public lists and feeds: the one place.

Three parts, used together:

1. **The content generation** (``generation_get``, ``content_changed``): one
   database row (``cms.feeds.models.ContentGeneration``) whose random token
   every cached response's key includes. ``content_changed`` replaces the
   token; Wagtail's signals call it on page publish, unpublish (deleting a
   live page unpublishes it first), delete and move, and edits of offices,
   regions, countries, topics and sources call it too
   (``cms/feeds/signal_handlers.py``). Written in the same transaction as the
   change, so a reader sees the new token exactly when it can see the new
   content; kept in the database because the web process, the worker and the
   scheduler (scheduled publishing) share no local-memory cache.

2. **The response cache** (``cached_response``, ``cache_public_response``):
   the whole response of an anonymous GET, per host, path, the query
   parameters the caller names (sorted; others ignored) and generation, in
   Django's default cache. Every answer gets ``ETag`` (a hash of the body),
   ``Last-Modified`` (when the generation last changed) and
   ``Cache-Control: public, max-age=...``, and conditional requests
   (If-None-Match, If-Modified-Since) are answered 304. Previews, logged-in
   users (whose pages show the Wagtail user bar) and other methods get a
   freshly built, uncached response marked private.

3. **What lives outside the process** (``affected_urls``): the changed page,
   its section, its locale's home and news index, the topic and region
   listings and every feed (each filter combination) that lists it now or
   listed its previous live version, to purge from Wagtail's front-end cache
   (``WAGTAILFRONTENDCACHE``, when configured), and the feeds with at most
   one filter besides the locale, to tell the WebSub hub
   (``WEBSUB_HUB_URL``) about. The outbox's website channel
   (publishers/channels/website.py) purges, *then* pings, after the commit
   and with retries. (Wagtail's ``wagtail.contrib.frontend_cache`` app is not
   installed: its own handlers would purge only the page itself.)

Using it from a view::

    from cms.caching import cache_public_response

    @cache_public_response(params=("office", "locale"), max_age=300)
    def my_list(request): ...

or, when the parameters are known only inside, ``cached_response(request,
build, params=...)`` where ``build`` is a function of no arguments returning
the response. From a Wagtail page (the list pages: home, office sections,
news index)::

    from cms.caching import cached_response

    class NewsIndexPage(Page):
        def serve(self, request, *args, **kwargs):
            return cached_response(
                request,
                lambda: super(NewsIndexPage, self).serve(request, *args, **kwargs),
                params=("page", "topic", "region"),
            )

Rules for what may be cached this way: the response must be the same for
every anonymous visitor of that URL (no messages, no CSRF token in the page,
no per-request CSP nonce in the markup); only 200 answers without cookies are
stored; name every query parameter the page reads in ``params`` (a parameter
left out is ignored for the key, so its variants share one entry). Entries
live ``STORE_SECONDS`` at most; a new generation makes them unreachable
sooner. Tests that create live pages without publishing them (no signal)
should clear the cache between tests.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
)
from django.utils.http import http_date

from .siteurl import page_full_url, site_base_url

if TYPE_CHECKING:
    from wagtail.models import Page

logger = logging.getLogger(__name__)

# How long browsers, feed readers and a CDN may reuse an answer without asking.
MAX_AGE = 300
# How long the response cache keeps an entry; a new generation makes every
# entry unreachable long before that.
STORE_SECONDS = 24 * 60 * 60
KEY_PREFIX = "tsunagu:response:v1"
# Response headers the cache sets itself; the view's own ones are stored.
_OWN_HEADERS = frozenset({"etag", "last-modified", "cache-control", "expires"})


@dataclass(frozen=True)
class Generation:
    value: int
    token: str
    changed_at: datetime


def generation_get() -> Generation:
    from cms.feeds.models import GENERATION_ROW, ContentGeneration

    row = ContentGeneration.objects.filter(pk=GENERATION_ROW).first()
    if row is None:
        row, _created = ContentGeneration.objects.get_or_create(pk=GENERATION_ROW)
    return Generation(value=row.value, token=row.token, changed_at=row.changed_at)


def request_generation(request: HttpRequest) -> Generation:
    """The generation for the whole of ``request``: read once, so the cache
    key and whatever the view caches under the same token agree."""
    generation = getattr(request, "_tsunagu_generation", None)
    if generation is None:
        generation = generation_get()
        request._tsunagu_generation = generation
    return generation


def generation_cached(
    request: HttpRequest, name: str, compute: Callable[[], Any]
) -> Any:
    """``compute()``, kept in the cache under ``name`` until the generation
    changes: for what is derived from content alone (which pages are public,
    for instance), so a cold answer need not work it out again."""
    token = request_generation(request).token
    key = f"{KEY_PREFIX}:derived:{token}:{name}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, STORE_SECONDS)
    return value


def generation_bump() -> None:
    """A new generation: every cached list and feed response is stale."""
    from cms.feeds.models import GENERATION_ROW, ContentGeneration, generation_token

    changes = {"token": generation_token(), "changed_at": timezone.now()}
    updated = ContentGeneration.objects.filter(pk=GENERATION_ROW).update(
        value=F("value") + 1, **changes
    )
    if not updated:
        ContentGeneration.objects.update_or_create(
            pk=GENERATION_ROW, defaults={**changes, "value": 1}
        )


def content_changed() -> None:
    """Public content changed: a new generation now, in the caller's
    transaction, so every cached list, feed, page and API answer is stale
    exactly when the change becomes visible. What lives outside the process
    (a CDN, a WebSub hub) is told by the outbox's website channel
    (publishers/channels/website.py), from ``affected_urls``."""
    generation_bump()


def affected_urls(
    *, page: Page, moved_from: Page | None = None, published: bool = False
) -> dict[str, list[str]]:
    """What a change of ``page`` makes stale outside the process:
    ``{"purge": [...], "ping": [...]}`` — the URLs to purge from a CDN (the
    page and everything that lists it now or listed it before) and the feeds
    to tell a WebSub hub about.

    ``moved_from`` is a moved page's former parent, whose lists changed too.
    ``published``: ``page`` is being published, so the lists its previous
    live version was on changed as well (a topic taken off).
    """
    purge, feeds = _affected_urls(page=page, moved_from=moved_from, published=published)
    return {
        "purge": sorted(set(purge) | set(feeds["purge"])),
        "ping": feeds["ping"],
    }


def previous_live_version(page: Page) -> Page | None:
    """The version of ``page`` that was live before the publish in progress."""
    from .selectors import publish_log_latest

    entry = publish_log_latest(
        page_id=page.pk, other_than_revision=page.live_revision_id
    )
    return entry.revision.as_object() if entry is not None else None


def _affected_urls(
    *, page: Page, moved_from: Page | None, published: bool
) -> tuple[list[str], dict[str, list[str]]]:
    """The pages to purge, and the feeds that list ``page`` (or listed it):
    ``{"purge": [...], "ping": [...]}``."""
    from cms.feeds.selectors import (
        feed_filters_for_article,
        feed_filters_pinged,
        feed_urls,
    )
    from cms.models import ArticlePage, HomePage, NewsIndexPage

    page = page.specific
    purge: list[str] = []
    if url := page_full_url(page):
        purge.append(url)
    if moved_from is not None and (former := page_full_url(moved_from)):
        purge.append(f"{former}{page.slug}/")
    if not isinstance(page, ArticlePage):
        return purge, {"purge": [], "ping": []}
    previous = previous_live_version(page) if published else None
    parents = [page.get_parent()]
    if moved_from is not None:
        parents.append(moved_from)
    news = NewsIndexPage.objects.filter(locale_id=page.locale_id).first()
    lists = [
        *parents,
        HomePage.objects.filter(locale_id=page.locale_id).first(),
        news,
    ]
    purge += [url for p in lists if p is not None and (url := page_full_url(p))]
    if news is not None and (news_url := page_full_url(news)):
        purge += _listing_urls(news, news_url, page, previous)
    found = feed_filters_for_article(page, previous=previous, moved_from=moved_from)
    return purge, {
        "purge": feed_urls(found),
        "ping": feed_urls(feed_filters_pinged(found)),
    }


def _listing_urls(
    news: Page, news_url: str, page: Page, previous: Page | None
) -> list[str]:
    """The news index's topic and region listings that show ``page`` or
    showed its previous version (their first page; later pages expire)."""
    urls = []
    for version in (page, previous) if previous is not None else (page,):
        urls += [
            news_url + news.reverse_subpage("topic", args=[topic.slug])
            for topic in version.topics.all()
        ]
        urls += [
            news_url + news.reverse_subpage("region", args=[country.region.code])
            for country in version.countries.all().select_related("region")
        ]
    return list(dict.fromkeys(urls))


def urls_purge(*, urls: Iterable[str]) -> None:
    """Purge ``urls`` from Wagtail's front-end cache now (the backends in
    ``WAGTAILFRONTENDCACHE``; nothing when none is configured). Called by the
    outbox's website channel, before the WebSub ping."""
    from wagtail.contrib.frontend_cache.tasks import purge_urls_from_cache_task

    urls = list(urls)
    if urls and getattr(settings, "WAGTAILFRONTENDCACHE", None):
        # .call, not Wagtail's own enqueue: the purge must be done before the
        # hub is told to fetch.
        purge_urls_from_cache_task.call(urls)


def _is_private(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return True
    if getattr(request, "is_preview", False):
        return True
    # Without a session cookie the visitor is anonymous; asking the session
    # would add "Vary: Cookie" to every answer.
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
    return False


def cache_key(request: HttpRequest, *, params: Iterable[str], token: str) -> str:
    """The key of ``request``'s answer: the site's base URL (answers carry
    absolute links made from it), host, path, the named parameters."""
    query = urlencode(
        sorted(
            (name, value) for name in set(params) for value in request.GET.getlist(name)
        )
    )
    raw = f"{site_base_url()}|{request.get_host()}|{request.path}|{query}"
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return f"{KEY_PREFIX}:{token}:{digest}"


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def cached_response(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    *,
    params: Iterable[str] = (),
    max_age: int = MAX_AGE,
) -> HttpResponse:
    """``build()``'s response, from the cache when this generation has it,
    with ETag, Last-Modified and Cache-Control; 304 when the client's copy is
    current. See the module's docstring for what may be cached."""
    if _is_private(request):
        response = build()
        patch_cache_control(response, private=True, no_cache=True)
        return response
    generation = request_generation(request)
    key = cache_key(request, params=params, token=generation.token)
    entry: dict[str, Any] | None = cache.get(key)
    state = "hit"
    if entry is None:
        state = "miss"
        response = build()
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        if not _storable(response):
            return response
        content = response.content
        entry = {
            "content": content,
            "headers": [
                (name, value)
                for name, value in response.items()
                if name.lower() not in _OWN_HEADERS
            ],
            "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
            "last_modified": int(generation.changed_at.timestamp()),
        }
        cache.set(key, entry, STORE_SECONDS)
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    response["X-Tsunagu-Cache"] = state
    patch_cache_control(response, public=True, max_age=max_age)
    return get_conditional_response(
        request,
        etag=entry["etag"],
        last_modified=entry["last_modified"],
        response=response,
    )


def cache_public_response(
    *, params: Iterable[str] = (), max_age: int = MAX_AGE
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorator form of ``cached_response`` for a function view."""
    params = tuple(params)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return cached_response(
                request,
                lambda: view(request, *args, **kwargs),
                params=params,
                max_age=max_age,
            )

        return wrapped

    return decorator
