"""Autodiscovery: {% feed_links page %} in the site's <head>."""

import re
from html import unescape

import pytest
from django.template import Context, Template
from django.utils import translation

from cms.models import HomePage, OfficePage

pytestmark = pytest.mark.django_db


def _links(html: str) -> list[tuple[str, str]]:
    found = re.findall(
        r'<link rel="alternate" type="([^"]+)" title="[^"]+" href="([^"]+)">', html
    )
    return [(kind, unescape(href)) for kind, href in found]


def render(page=None) -> str:
    return Template("{% load feed_tags %}{% feed_links page %}").render(
        Context({"page": page})
    )


def test_an_office_section_links_its_feeds_and_its_languages():
    section = OfficePage.objects.get(office__code="par", locale__language_code="fr")
    assert _links(render(section)) == [
        ("application/rss+xml", "/feeds/rss.xml?office=par&locale=fr"),
        ("application/atom+xml", "/feeds/atom.xml?office=par&locale=fr"),
        ("application/feed+json", "/feeds/feed.json?office=par&locale=fr"),
        ("application/rss+xml", "/feeds/rss.xml?locale=fr"),
        ("application/atom+xml", "/feeds/atom.xml?locale=fr"),
        ("application/feed+json", "/feeds/feed.json?locale=fr"),
    ]


def test_an_article_links_its_office_feeds(make_article):
    article = make_article("Découverte", office="lon", locale="en")
    hrefs = [href for _type, href in _links(render(article))]
    assert hrefs[:3] == [
        "/feeds/rss.xml?office=lon&locale=en",
        "/feeds/atom.xml?office=lon&locale=en",
        "/feeds/feed.json?office=lon&locale=en",
    ]


def test_the_home_page_and_pages_without_a_page_link_the_language_feeds():
    home = HomePage.objects.get(locale__language_code="ja")
    assert [href for _t, href in _links(render(home))] == [
        "/feeds/rss.xml?locale=ja",
        "/feeds/atom.xml?locale=ja",
        "/feeds/feed.json?locale=ja",
    ]
    with translation.override("ko"):
        assert _links(render())[1] == (
            "application/atom+xml",
            "/feeds/atom.xml?locale=ko",
        )


def test_titles_are_escaped_and_name_the_format():
    html = render(
        OfficePage.objects.get(office__code="par", locale__language_code="fr")
    )
    assert 'title="Tsunagu つなぐ: ' in html
    assert "(JSON Feed)" in html


def test_the_sites_pages_carry_the_links_in_their_head(client):
    html = client.get("/fr/par/").content.decode()
    head = html.split("</head>")[0]
    assert 'type="application/atom+xml"' in head
    assert "/feeds/feed.json?office=par&amp;locale=fr" in head
