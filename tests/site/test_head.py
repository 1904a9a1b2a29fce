"""Links between the versions of a page, link previews and languages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from wagtail.models import Locale

from cms.models import HomePage, NewsIndexPage

from .conftest import demo_article

pytestmark = pytest.mark.django_db

LANGUAGES = ["ja", "en", "fr", "de", "es", "it", "ko", "zh-hans"]
BCP47 = {"zh-hans": "zh-Hans"}


def _alternates(soup) -> dict[str, str]:
    return {
        link["hreflang"]: link["href"]
        for link in soup.select('head link[rel="alternate"][hreflang]')
    }


def _meta(soup, key: str) -> str | None:
    node = soup.select_one(f'head meta[property="{key}"], head meta[name="{key}"]')
    return node["content"] if node else None


@pytest.mark.parametrize("model", [HomePage, NewsIndexPage])
def test_each_translation_is_canonical_and_links_all_the_others(html, model):
    versions = {
        page.locale.language_code: page.get_full_url()
        for page in model.objects.live().select_related("locale")
    }
    assert set(versions) == set(LANGUAGES)
    expected = {BCP47.get(code, code): url for code, url in versions.items()}
    expected["x-default"] = versions["ja"]
    for code, url in versions.items():
        soup = html(url.removeprefix("http://127.0.0.1:8000"))
        assert soup.select_one('head link[rel="canonical"]')["href"] == url
        assert _alternates(soup) == expected


def test_article_links_only_its_live_versions(html):
    ja = demo_article("manchester-flood-resilience", "ja")
    en = demo_article("manchester-flood-resilience", "en")
    for page in (ja, en):
        soup = html(page.url)
        assert soup.select_one('link[rel="canonical"]')["href"] == page.full_url
        assert _alternates(soup) == {
            "ja": ja.full_url,
            "en": en.full_url,
            "x-default": ja.full_url,
        }
    # Only the French version is live (its Japanese translation is a draft):
    # nothing to link to, and no language switcher.
    fr = demo_article("paris-accueil-nouveaux-arrivants", "fr")
    soup = html(fr.url)
    assert _alternates(soup) == {}
    assert soup.select_one(".languages") is None


def test_listing_versions_are_the_same_listing_in_each_language(html):
    soup = html("/fr/news/topic/jet/")
    canonical = soup.select_one('link[rel="canonical"]')["href"]
    assert canonical.endswith("/fr/news/topic/jet/")
    alternates = _alternates(soup)
    assert alternates["ja"].endswith("/news/topic/jet/")
    assert alternates["en"].endswith("/en/news/topic/jet/")
    assert alternates["zh-Hans"].endswith("/zh-hans/news/topic/jet/")
    switcher = {a["hreflang"]: a["href"] for a in soup.select(".languages a")}
    assert switcher["ja"] == "/news/topic/jet/"
    assert switcher["ko"] == "/ko/news/topic/jet/"


def test_open_graph_and_twitter_cards_for_an_article(html):
    page = demo_article("manchester-flood-resilience", "ja")
    soup = html(page.url)
    assert _meta(soup, "og:type") == "article"
    assert _meta(soup, "og:title") == page.title
    assert _meta(soup, "og:description") == page.summary
    assert _meta(soup, "og:url") == page.full_url
    assert _meta(soup, "og:locale") == "ja_JP"
    assert _meta(soup, "og:locale:alternate") == "en_US"
    assert _meta(soup, "og:site_name")
    image = _meta(soup, "og:image")
    assert image.startswith("http") and image.endswith(".png")
    assert _meta(soup, "twitter:card") == "summary_large_image"
    assert _meta(soup, "twitter:title") == page.title
    assert _meta(soup, "twitter:image") == image
    assert _meta(soup, "article:tag") == "防災・安全"
    assert _meta(soup, "description") == page.summary


def test_open_graph_for_home_and_listing(html):
    soup = html("/en/")
    assert _meta(soup, "og:type") == "website"
    assert _meta(soup, "og:locale") == "en_US"
    assert _meta(soup, "og:description")  # the site's line when nothing else
    soup = html("/en/news/region/oceania/")
    assert _meta(soup, "og:title") == "Australia, New Zealand and the Pacific"
    assert _meta(soup, "og:url").endswith("/en/news/region/oceania/")


def test_search_results_are_not_indexed(html):
    soup = html("/search/?q=洪水")
    assert _meta(soup, "robots") == "noindex"
    assert soup.select_one('link[rel="canonical"]') is None


@pytest.mark.parametrize("code", LANGUAGES)
def test_html_lang_is_the_pages_language(html, code):
    home = HomePage.objects.get(locale=Locale.objects.get(language_code=code))
    soup = html(home.url)
    assert soup.html["lang"] == BCP47.get(code, code)


def test_interface_words_say_their_language_where_it_differs(html):
    # Japanese pages: everything is Japanese, no lang attributes needed.
    soup = html("/")
    assert soup.select_one(".site-nav").get("lang") is None
    # A French page: the interface falls back to English and says so; the
    # office's and topics' names are English too.
    soup = html("/fr/par/paris-accueil-nouveaux-arrivants/")
    assert soup.html["lang"] == "fr"
    assert soup.select_one(".site-nav")["lang"] == "en"
    assert soup.select_one(".site-nav a").get_text() == "News"
    assert soup.select_one(".site-footer")["lang"] == "en"
    assert soup.select_one(".article .chips li")["lang"] == "en"
    source = soup.select_one('.provenance a[href="https://www.paris.fr/"]')
    assert source["lang"] == "fr"
    # Each language in the switcher is named in, and marked as, itself.
    soup = html("/ko/")
    names = {a["lang"]: a.get_text() for a in soup.select(".languages a")}
    assert names["ja"] == "日本語"
    assert names["zh-Hans"] == "简体中文"
    assert soup.select_one('.languages a[aria-current="page"]')["lang"] == "ko"


def test_pages_have_one_h1_and_a_main_landmark(html):
    for path in (
        "/",
        "/news/",
        "/news/topic/multicultural/",
        "/lon/",
        "/lon/manchester-flood-resilience/",
        "/search/?q=洪水",
    ):
        soup = html(path)
        assert len(soup.select("h1")) == 1, path
        assert soup.select_one("main#main") is not None
        assert soup.select_one('a.skip-link[href="#main"]') is not None


def test_pagination_links_keep_the_query(rf: RequestFactory):
    request = rf.get("/search/", {"q": "多文化", "page": "1"})
    rendered = Template("{% load site_tags %}{% query_with page=3 %}").render(
        Context({"request": request})
    )
    assert rendered == "?q=%E5%A4%9A%E6%96%87%E5%8C%96&amp;page=3"
