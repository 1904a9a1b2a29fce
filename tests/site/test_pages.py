"""The public pages: what each shows, and what it never shows."""

import pytest
from django.core.cache import cache
from django.test import Client
from wagtail.models import Locale, PageViewRestriction

from cms.models import ArticlePage, HomePage, NewsIndexPage, OfficePage
from cms.models.pages import URGENT_DAYS
from translation.models import TranslationState
from translation.services import translation_state_set

from .conftest import demo_article

pytestmark = pytest.mark.django_db


def _titles(soup, selector: str = ".article-card__title") -> list[str]:
    return [node.get_text(strip=True) for node in soup.select(selector)]


def test_home_lists_the_live_japanese_articles_newest_first(html):
    soup = html("/")
    latest = _titles(soup.select_one(".home-latest"))
    assert latest == [
        demo_article("manchester-flood-resilience", "ja").title,
        demo_article("korea-tabunka-kyosei-report", "ja").title,
    ]


def test_drafts_are_never_shown_nor_served(html, client: Client, publish_article):
    draft = publish_article(title="下書きの記事", live=False)
    # The demo's Japanese drafts await translation; they have the source's title.
    waiting = demo_article("paris-accueil-nouveaux-arrivants", "ja")
    assert not waiting.live
    for path in ("/", "/lon/", "/news/", "/news/topic/multicultural/"):
        text = html(path).get_text()
        assert "下書きの記事" not in text
        assert waiting.title not in text
    assert client.get(draft.url).status_code == 404
    assert client.get(waiting.url).status_code == 404
    assert "下書きの記事" not in html("/search/?q=下書き").get_text()


def test_urgent_notices_are_recent_disaster_and_safety_articles(html, publish_article):
    fresh = publish_article(title="洪水警報のお知らせ", topics=("disaster-safety",))
    old = publish_article(
        title="古い防災のお知らせ",
        topics=("disaster-safety",),
        days_ago=URGENT_DAYS + 1,
    )
    other = publish_article(title="観光の新しいお知らせ", topics=("economy-tourism",))
    soup = html("/")
    urgent = soup.select_one(".urgent")
    assert urgent is not None
    # Above everything else in the main column.
    assert soup.select_one("main .urgent") is soup.select("main section")[0]
    titles = _titles(urgent)
    assert fresh.title in titles
    assert old.title not in titles
    assert other.title not in titles


def test_home_groups_the_latest_by_region_and_topic(html):
    soup = html("/")
    groups = {
        node.get_text(strip=True): node.find("a")["href"]
        for node in soup.select(".article-group h3")
    }
    assert groups["韓国"] == "/news/region/korea/"
    assert groups["英国・アイルランド"] == "/news/region/uk-ireland/"
    assert groups["多文化共生"] == "/news/topic/multicultural/"
    assert groups["防災・安全"] == "/news/topic/disaster-safety/"


def test_home_links_every_office_and_the_newsletter_section(html):
    soup = html("/")
    office_links = [a["href"] for a in soup.select(".office-list a")]
    assert len(office_links) == 7
    assert "/lon/" in office_links
    assert soup.select_one("#newsletter h2") is not None
    assert soup.select_one('.site-nav a[href="/#newsletter"]') is not None


def test_office_page_lists_only_its_own_articles(html):
    soup = html("/en/lon/")
    assert _titles(soup) == [demo_article("manchester-flood-resilience", "en").title]
    # The regions the office watches lead to their listings.
    regions = [a["href"] for a in soup.select(".chips a")]
    assert "/en/news/region/uk-ireland/" in regions


def test_topic_listing_shows_only_that_topic(html):
    soup = html("/en/news/topic/multicultural/")
    assert soup.h1.get_text(strip=True) == "Multicultural coexistence"
    assert _titles(soup) == [demo_article("nyc-digital-services", "en").title]
    current = soup.select_one('#topics a[aria-current="page"]')
    assert current["href"] == "/en/news/topic/multicultural/"


def test_region_listing_shows_only_that_regions_countries(html):
    assert _titles(html("/news/region/korea/")) == [
        demo_article("korea-tabunka-kyosei-report", "ja").title
    ]
    assert _titles(html("/en/news/region/oceania/")) == [
        demo_article("nsw-jet-alumni", "en").title
    ]
    assert _titles(html("/en/news/region/korea/")) == []


def test_unknown_topic_or_region_is_404(client: Client):
    assert client.get("/news/topic/no-such-topic/").status_code == 404
    assert client.get("/en/news/region/atlantis/").status_code == 404


def test_old_filter_parameters_redirect_to_the_listings(client: Client):
    response = client.get("/en/news/?topic=jet")
    assert response.status_code == 301
    assert response["Location"] == "/en/news/topic/jet/"
    response = client.get("/news/?region=korea")
    assert response["Location"] == "/news/region/korea/"
    assert client.get("/news/?topic=nonsense").status_code == 200


def test_news_index_lists_every_topic_and_region(html):
    soup = html("/news/")
    assert len(soup.select("#topics a")) == 8
    assert len(soup.select("#regions a")) == 10


def test_article_credits_its_source_and_links_the_original_version(html):
    soup = html("/lon/manchester-flood-resilience/")
    provenance = soup.select_one(".provenance")
    source = provenance.select_one('a[href="https://www.manchester.gov.uk/"]')
    assert source.get_text(strip=True) == "Manchester City Council"
    assert source["lang"] == "en"
    original = provenance.select_one(".provenance__original a")
    assert original["href"] == "/en/lon/manchester-flood-resilience/"
    assert original["hreflang"] == "en"
    # The original itself has no "original version" of its own.
    assert (
        html("/en/lon/manchester-flood-resilience/").select_one(".provenance__original")
        is None
    )


def test_article_says_plainly_when_its_translation_is_unreviewed(html):
    page = demo_article("manchester-flood-resilience", "ja")
    translation_state_set(page=page, state=TranslationState.State.MACHINE_TRANSLATED)
    notice = html(page.url).select_one(".notice--machine")
    assert notice is not None
    assert "機械翻訳" in notice.get_text()
    translation_state_set(page=page, state=TranslationState.State.REVIEWED)
    assert html(page.url).select_one(".notice") is None


def test_article_pages_are_cached_until_their_translation_state_changes(client):
    page = demo_article("manchester-flood-resilience", "ja")
    translation_state_set(page=page, state=TranslationState.State.MACHINE_TRANSLATED)
    first = client.get(page.url)
    assert first["X-Tsunagu-Cache"] == "miss"
    again = client.get(page.url)
    assert again["X-Tsunagu-Cache"] == "hit"
    assert again.content == first.content
    assert client.get(page.url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A reviewer's decision changes no revision, but the page must say so.
    translation_state_set(page=page, state=TranslationState.State.REVIEWED)
    after = client.get(page.url)
    assert after["X-Tsunagu-Cache"] == "miss"
    assert b"notice--machine" in first.content
    assert b"notice--machine" not in after.content


def test_article_topics_link_to_their_listings(html):
    soup = html("/en/nyc/nyc-digital-services/")
    hrefs = {a["href"] for a in soup.select(".article .chips a")}
    assert hrefs == {
        "/en/news/topic/policy-digital/",
        "/en/news/topic/multicultural/",
    }


def test_private_pages_stay_out_of_lists(html, publish_article):
    article = publish_article(title="会員限定の記事")
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.LOGIN
    )
    for path in ("/", "/lon/", "/news/"):
        assert "会員限定の記事" not in html(path).get_text()


def test_every_page_type_renders_in_every_language(html):
    for locale in Locale.objects.all():
        for model in (HomePage, NewsIndexPage, OfficePage):
            page = model.objects.live().filter(locale=locale).first()
            html(page.url)
    for article in ArticlePage.objects.live():
        html(article.url)


def test_public_pages_carry_no_inline_script_or_style(client: Client):
    for path in ("/", "/news/", "/lon/manchester-flood-resilience/", "/search/?q=a"):
        response = client.get(path)
        body = response.content.decode()
        assert "<script" not in body
        assert "<style" not in body
        assert " style=" not in body
        assert "Content-Security-Policy" in response.headers


def test_listings_link_their_own_feeds(html, client: Client):
    soup = html("/en/news/topic/jet/")
    feeds = [a["href"] for a in soup.select("main .feeds a")]
    assert "/feeds/rss.xml?topic=jet&locale=en" in feeds
    for href in feeds:
        assert client.get(href).status_code == 200
    office = [a["href"] for a in html("/lon/").select("main .feeds a")]
    assert "/feeds/atom.xml?office=lon&locale=ja" in office
    footer = [a["href"] for a in html("/ko/").select(".site-footer .feeds a")]
    assert "/feeds/feed.json?locale=ko" in footer


def test_list_pages_come_from_the_cache_until_something_is_published(
    client: Client, publish_article
):
    first = client.get("/")
    again = client.get("/")
    assert again["X-Tsunagu-Cache"] == "hit"
    assert again.content == first.content
    publish_article(title="公開されたばかりの記事")
    fresh = client.get("/")
    assert fresh["X-Tsunagu-Cache"] == "miss"
    assert "公開されたばかりの記事" in fresh.content.decode()


def test_an_unknown_address_gets_the_sites_own_404(client: Client):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert 'href="/en/news/"' in body
    assert 'name="robots" content="noindex"' in body


def test_a_draft_from_the_local_deepl_stand_in_says_it_is_not_a_translation(
    html, settings
):
    """The stand-in (tests.fakes.deepl_server, README) only marks the
    original text; its drafts say so, and how to plug in a real key."""
    from translation.backends import backend_get

    page = demo_article("manchester-flood-resilience", "ja")
    translation_state_set(page=page, state=TranslationState.State.MACHINE_TRANSLATED)
    settings.TSUNAGU_TRANSLATION = {
        **settings.TSUNAGU_TRANSLATION,
        "BACKEND": "deepl",
        "DEEPL_AUTH_KEY": "dev-key",
        "DEEPL_SERVER_URL": "http://127.0.0.1:8002",
    }
    backend_get.cache_clear()
    try:
        notice = html(page.url).select_one(".notice--stand-in")
        assert notice is not None
        assert "翻訳ではありません" in notice.get_text()
        assert "DEEPL_AUTH_KEY" in notice.get_text()
        settings.TSUNAGU_TRANSLATION = {
            **settings.TSUNAGU_TRANSLATION,
            "DEEPL_SERVER_URL": "",
        }
        backend_get.cache_clear()
        cache.clear()
        assert html(page.url).select_one(".notice--stand-in") is None
    finally:
        backend_get.cache_clear()
