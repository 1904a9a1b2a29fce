"""sitemap.xml and robots.txt."""

from xml.etree import ElementTree

import pytest
from django.test import Client
from wagtail.models import Page, PageViewRestriction

from .conftest import demo_article

pytestmark = pytest.mark.django_db

NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


def _sitemap(client: Client) -> dict[str, dict[str, str]]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {
        url.find("s:loc", NS).text: {
            link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)
        }
        for url in root.findall("s:url", NS)
    }


def test_sitemap_lists_every_live_public_page_of_every_language(client: Client):
    urls = _sitemap(client)
    live = {
        page.get_full_url() for page in Page.objects.filter(depth__gt=1).live().public()
    }
    assert set(urls) == live
    assert len({url.split("/")[3] for url in urls}) >= 8  # a prefix per language


def test_sitemap_leaves_out_drafts_and_private_pages(client: Client, publish_article):
    draft = publish_article(title="下書き", live=False)
    private = publish_article(title="限定")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.LOGIN
    )
    urls = _sitemap(client)
    assert draft.get_full_url() not in urls
    assert private.get_full_url() not in urls
    waiting = demo_article("paris-accueil-nouveaux-arrivants", "ja")
    assert waiting.get_full_url() not in urls


def test_sitemap_gives_each_url_its_versions(client: Client):
    urls = _sitemap(client)
    ja = demo_article("manchester-flood-resilience", "ja").get_full_url()
    en = demo_article("manchester-flood-resilience", "en").get_full_url()
    expected = {"ja": ja, "en": en, "x-default": ja}
    assert urls[ja] == expected
    assert urls[en] == expected
    # A page in one language alone has nothing to point to.
    fr = demo_article("paris-accueil-nouveaux-arrivants", "fr").get_full_url()
    assert urls[fr] == {}


def test_robots_txt_points_at_the_sitemap(client: Client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in response.content.decode()


def test_sitemap_is_cached_until_something_is_published(
    client: Client, publish_article
):
    client.get("/sitemap.xml")
    assert client.get("/sitemap.xml")["X-Tsunagu-Cache"] == "hit"
    article = publish_article(title="新しい記事")
    assert article.get_full_url() in _sitemap(client)
