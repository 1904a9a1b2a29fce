"""The public site over Django's test client, on the demo newsroom."""

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from wagtail.models import Locale

from cms.models import ArticlePage, OfficePage, Topic


@pytest.fixture(autouse=True)
def _empty_cache():
    # List pages may be cached between requests; each test starts cold.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def html(db, client: Client) -> Callable[..., BeautifulSoup]:
    """GET a path, expect 200, return the parsed page."""

    def get(path: str) -> BeautifulSoup:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return BeautifulSoup(response.content, "lxml")

    return get


@pytest.fixture
def publish_article(db) -> Callable[..., ArticlePage]:
    """Publish an article in an office's section of a locale's tree."""

    def make(
        *,
        title: str,
        office: str = "lon",
        locale: str = "ja",
        topics: tuple[str, ...] = (),
        days_ago: float = 0,
        live: bool = True,
        **fields: object,
    ) -> ArticlePage:
        section = OfficePage.objects.get(
            office__code=office, locale=Locale.objects.get(language_code=locale)
        )
        article = ArticlePage(
            title=title,
            slug=f"site-test-{uuid.uuid4().hex[:10]}",
            office=section.office,
            live=live,
            **fields,
        )
        article.topics = list(Topic.objects.filter(slug__in=topics))
        section.add_child(instance=article)
        revision = article.save_revision()
        if live:
            revision.publish()
            published = timezone.now() - timedelta(days=days_ago)
            ArticlePage.objects.filter(pk=article.pk).update(
                first_published_at=published
            )
            article.refresh_from_db()
        return article

    return make


def demo_article(slug: str, locale: str) -> ArticlePage:
    return ArticlePage.objects.get(slug=slug, locale__language_code=locale)
