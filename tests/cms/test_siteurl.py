"""Every absolute URL follows TSUNAGU_BASE_URL, not the Site record written at
the first set-up (which says 127.0.0.1:8000 here and cannot say https on a
port other than 443)."""

import json
import re
from collections.abc import Iterator

import pytest
from wagtail.models import Page, Site

from cms.models import ArticlePage
from cms.siteurl import addr_split, addr_url, page_full_url, url_hostport
from publishers.channels.webhooks import article_summary
from publishers.newsletter.mail import site_url

BASE = "https://news.example.org:8443"
URL = re.compile(r"https?://[^\s\"'<>]+")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base_url(settings) -> Iterator[None]:
    settings.TSUNAGU_BASE_URL = BASE + "/"  # a trailing slash is forgiven
    # Derived from the same variable when the settings load (Wagtail's API
    # reads its own name).
    settings.WAGTAILAPI_BASE_URL = settings.WAGTAILADMIN_BASE_URL = BASE
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "news.example.org"]
    yield


def _urls(text: str) -> set[str]:
    """The absolute URLs of our own site in a text (not schemas, not sources)."""
    return {
        url
        for url in URL.findall(text)
        if re.match(r"https?://(127\.0\.0\.1|localhost|testserver|news\.)", url)
    }


def _article() -> ArticlePage:
    return ArticlePage.objects.live().filter(locale__language_code="en").first()


def test_answers_cached_under_another_base_url_are_not_served(client, settings):
    settings.TSUNAGU_BASE_URL = "http://127.0.0.1:8000"
    client.get("/feeds/rss.xml")  # cached with the old address
    settings.TSUNAGU_BASE_URL = BASE
    assert f"<link>{BASE}/" in client.get("/feeds/rss.xml").content.decode()


def test_the_site_record_does_not_say_the_setting():
    # The point of these tests: the record is stale, the setting wins.
    assert Site.objects.get(is_default_site=True).root_url != BASE


def test_page_urls_follow_the_setting_for_specific_and_plain_pages():
    article = _article()
    assert article.full_url.startswith(BASE + "/en/")
    plain = Page.objects.get(pk=article.pk)
    assert type(plain) is Page
    assert page_full_url(plain) == article.full_url


def test_feeds_sitemap_and_robots_use_the_setting(client):
    for path in ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/feed.json"):
        body = client.get(path).content.decode()
        found = _urls(body)
        assert found, path
        assert all(url.startswith(BASE + "/") for url in found), (path, found)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert _urls(sitemap) and all(u.startswith(BASE + "/") for u in _urls(sitemap))
    robots = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {BASE}/sitemap.xml" in robots


def test_api_html_url_uses_the_setting(client):
    for path in ("/api/v2/articles/", "/api/v2/pages/"):
        items = client.get(path).json()["items"]
        urls = [item["meta"]["html_url"] for item in items]
        assert urls and all(url.startswith(BASE + "/") for url in urls), path
        detail = items[0]["meta"]["detail_url"]
        assert detail.startswith(BASE + "/api/v2/"), detail


def test_canonical_hreflang_and_open_graph_use_the_setting(client):
    html = client.get("/en/").content.decode()  # live in every language
    head = html[: html.index("</head>")]
    assert f'rel="canonical" href="{BASE}/en/"' in head
    assert f'hreflang="x-default" href="{BASE}/"' in head
    found = _urls(head)
    assert found and all(url.startswith(BASE + "/") for url in found), found
    assert f'content="{BASE}/static/' in head  # og:image


def test_webhooks_and_e_mails_use_the_setting():
    assert article_summary(_article())["url"].startswith(BASE + "/en/")
    assert site_url() == BASE


def test_addresses_of_run_all_become_urls_and_allow_list_entries():
    assert addr_url("127.0.0.1:9123") == "http://127.0.0.1:9123"
    assert addr_url("0.0.0.0:9000") == "http://127.0.0.1:9000"
    assert addr_url("[::]:9000") == "http://[::1]:9000"
    assert addr_url("9000") == "http://127.0.0.1:9000"
    assert url_hostport("http://127.0.0.1:9124") == "127.0.0.1:9124"
    assert url_hostport("https://news.example.org") == "news.example.org:443"
    for bad in ("localhost", "127.0.0.1:", "127.0.0.1:99999", "a:b"):
        with pytest.raises(ValueError):
            addr_split(bad)


def test_a_json_feed_item_url_is_the_page_url(client):
    feed = json.loads(client.get("/feeds/feed.json").content)
    assert feed["home_page_url"].startswith(BASE)
    assert all(item["url"].startswith(BASE + "/") for item in feed["items"])
