"""Search: the Japanese-capable index, one language at a time."""

import pytest

from .conftest import demo_article

pytestmark = pytest.mark.django_db


def _result_titles(html, path: str) -> list[str]:
    return [
        node.get_text(strip=True) for node in html(path).select(".article-card__title")
    ]


def test_search_finds_japanese_words_inside_japanese_text(html):
    assert _result_titles(html, "/search/?q=洪水") == [
        demo_article("manchester-flood-resilience", "ja").title
    ]
    assert _result_titles(html, "/search/?q=多文化") == [
        demo_article("korea-tabunka-kyosei-report", "ja").title
    ]


def test_search_stays_in_the_pages_language(html):
    assert _result_titles(html, "/en/search/?q=flood") == [
        demo_article("manchester-flood-resilience", "en").title
    ]
    # The French article is not in the Japanese site (its translation is a draft).
    assert _result_titles(html, "/search/?q=Paris") == []
    assert _result_titles(html, "/fr/search/?q=Paris") == [
        demo_article("paris-accueil-nouveaux-arrivants", "fr").title
    ]


def test_search_says_when_nothing_is_found(html):
    soup = html("/search/?q=存在しない言葉")
    assert "見つかりませんでした" in soup.select_one('[role="status"]').get_text()
    assert soup.select_one("#site-search-q")["value"] == "存在しない言葉"


def test_a_latin_query_on_the_japanese_site_offers_the_english_search(html):
    offer = html("/search/?q=Paris flood").select_one(".search-offer a")
    assert offer is not None
    assert offer["href"] == "/en/search/?q=Paris+flood"
    assert offer["hreflang"] == "en"
    assert "英語" in offer.get_text()


def test_no_offer_for_japanese_queries_nor_on_the_english_site(html):
    assert html("/search/?q=洪水").select_one(".search-offer") is None
    assert html("/search/?q=JETプログラム").select_one(".search-offer") is None
    assert html("/en/search/?q=flood").select_one(".search-offer") is None
