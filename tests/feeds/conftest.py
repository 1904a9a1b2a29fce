import hashlib
from collections.abc import Iterator

import feedparser
import pytest
from django.core.cache import cache
from wagtail.models import Page

from cms.models import ArticlePage, Country, OfficePage, Topic
from tests.feeds.hub import LocalHub

FEED_PATHS = {
    "rss": "/feeds/rss.xml",
    "atom": "/feeds/atom.xml",
    "json": "/feeds/feed.json",
}


@pytest.fixture(autouse=True)
def _empty_response_cache() -> Iterator[None]:
    # The generation row goes back with each test's rollback, and some tests
    # make live pages without publishing them (no signal).
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_article(db):
    """A published article: ``make_article("Title", office="par", locale="fr")``."""

    def make(
        title: str,
        *,
        office: str = "par",
        locale: str = "fr",
        summary: str = "A short summary.",
        body: str = "<p>The whole text.</p>",
        topics: tuple[str, ...] = (),
        countries: tuple[str, ...] = (),
        publish: bool = True,
        **fields,
    ) -> ArticlePage:
        section = OfficePage.objects.get(
            office__code=office, locale__language_code=locale
        )
        article = ArticlePage(
            title=title,
            slug=hashlib.sha1(title.encode()).hexdigest()[:12],
            summary=summary,
            body=body,
            office=section.office,
            live=publish,
            **fields,
        )
        article.topics = list(Topic.objects.filter(slug__in=topics))
        article.countries = list(Country.objects.filter(code__in=countries))
        section.add_child(instance=article)
        revision = article.save_revision()
        if publish:
            revision.publish()
            article.refresh_from_db()
        return article

    return make


def get_feed(client, fmt: str, **params):
    return client.get(FEED_PATHS[fmt], params)


def parsed(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.content
    result = feedparser.parse(response.content)
    assert not result.bozo, result.bozo_exception
    return result


def entry_titles(client, fmt: str, **params) -> list[str]:
    response = get_feed(client, fmt, **params)
    if fmt == "json":
        assert response.status_code == 200, response.content
        return [item["title"] for item in response.json()["items"]]
    return [entry.title for entry in parsed(response).entries]


@pytest.fixture
def hub(settings) -> Iterator[LocalHub]:
    """A running local WebSub hub, configured and allowed through SafeClient."""
    local = LocalHub().start()
    settings.WEBSUB_HUB_URL = local.url
    settings.TSUNAGU_SAFEHTTP = {
        **settings.TSUNAGU_SAFEHTTP,
        "ALLOW": [*settings.TSUNAGU_SAFEHTTP["ALLOW"], local.address],
    }
    yield local
    local.stop()


def live_page(page: Page) -> Page:
    return Page.objects.get(pk=page.pk)
