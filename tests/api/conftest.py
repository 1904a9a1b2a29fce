"""Fixtures for the partner API: published articles in a topic of their own,
so that the demo's articles never get in the way of a count."""

from collections.abc import Callable
from datetime import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.models import ArticlePage, Country, OfficePage, Topic


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the (local-memory) cache: start each test
    with none, so tests do not spend each other's minute."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_topic(db) -> Topic:
    return Topic.objects.create(
        slug="api-test", name_ja="APIテスト", name_en="API test"
    )


def section(office: str, locale: str) -> OfficePage:
    return OfficePage.objects.get(office__code=office, locale__language_code=locale)


@pytest.fixture
def other_topic(db) -> Topic:
    return Topic.objects.create(slug="api-test-2", name_ja="第二", name_en="Second")


@pytest.fixture
def publish(api_topic, other_topic) -> Callable[..., ArticlePage]:
    """Publish an article in the API test topic:
    ``publish("lon", "en", title=..., countries=["GB"], published=datetime)``."""

    def make(
        office: str = "lon",
        locale: str = "en",
        *,
        countries: tuple[str, ...] = (),
        topics: tuple[str, ...] = (),
        published: datetime | None = None,
        live: bool = True,
        **fields,
    ) -> ArticlePage:
        fields.setdefault("title", "An article")
        article = ArticlePage(live=live, **fields)
        section(office, locale).add_child(instance=article)
        article.topics = [api_topic, *Topic.objects.filter(slug__in=topics)]
        article.countries = list(Country.objects.filter(code__in=countries))
        revision = article.save_revision()
        if live:
            revision.publish()
            article.refresh_from_db()
            if published:
                ArticlePage.objects.filter(pk=article.pk).update(
                    first_published_at=published
                )
                article.refresh_from_db()
        return article

    return make


def when(text: str) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(text))


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]
