"""A page tree of the search tests' own, so that demo content never gets in the way.

Root > "search tests" home (ja) > one office section per locale > articles.
Pages are indexed by Wagtail's save signals (tasks run at once in tests).
"""

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Locale, Page

from cms.models import ArticlePage, HomePage, Office, OfficePage


@pytest.fixture
def locale(db) -> Callable[[str], Locale]:
    def get(code: str) -> Locale:
        return Locale.objects.get_or_create(language_code=code)[0]

    return get


@pytest.fixture
def office(db) -> Office:
    return Office.objects.create(
        code="zzsearch",
        name_ja="検索テスト支局",
        name_en="Search test office",
        city_ja="東京",
        city_en="Tokyo",
        time_zone="Asia/Tokyo",
        working_languages=["ja", "ko", "zh-hans", "fr"],
    )


@pytest.fixture
def test_home(db, locale) -> HomePage:
    root = Page.get_first_root_node()
    return root.add_child(
        instance=HomePage(
            title="Search tests", slug="search-tests-home", locale=locale("ja")
        )
    )


@pytest.fixture
def section(test_home, office, locale) -> Callable[[str], OfficePage]:
    sections: dict[str, OfficePage] = {}

    def get(code: str) -> OfficePage:
        if code not in sections:
            sections[code] = test_home.add_child(
                instance=OfficePage(
                    title=f"Section {code}",
                    slug=f"section-{code}",
                    office=office,
                    locale=locale(code),
                )
            )
        return sections[code]

    return get


@pytest.fixture
def article(section) -> Callable[..., ArticlePage]:
    """Make an article: ``article("title", "<p>body</p>", locale="ko", days_ago=3)``."""
    counter = itertools.count(1)

    def make(
        title: str,
        body: str = "",
        *,
        locale: str = "ja",
        live: bool = True,
        summary: str = "",
        days_ago: int = 0,
    ) -> ArticlePage:
        published = timezone.now() - timedelta(days=days_ago) if live else None
        return section(locale).add_child(
            instance=ArticlePage(
                title=title,
                slug=f"article-{next(counter)}",
                body=body,
                summary=summary,
                live=live,
                first_published_at=published,
            )
        )

    return make


@pytest.fixture
def pages(test_home) -> Callable[[], QuerySet]:
    """The pages of the test tree, ready for ``.search()``."""

    def queryset() -> QuerySet:
        return Page.objects.descendant_of(test_home)

    return queryset


@pytest.fixture
def articles(test_home) -> Callable[[], QuerySet]:
    def queryset() -> QuerySet:
        return ArticlePage.objects.descendant_of(test_home)

    return queryset
