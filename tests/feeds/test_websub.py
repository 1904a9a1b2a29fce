"""WebSub: hub and self links in every format, one ping per affected feed
after commit, through SafeClient to a local hub."""

import json
import logging
import xml.etree.ElementTree as ET

import pytest

from cms.feeds.selectors import (
    feed_filters_for_article,
    feed_filters_pinged,
    feed_urls,
)
from cms.feeds.websub import websub_publish

from .conftest import get_feed

pytestmark = pytest.mark.django_db


def pinged_for(article):
    return feed_urls(feed_filters_pinged(feed_filters_for_article(article)))


ATOM = "{http://www.w3.org/2005/Atom}"


def test_every_format_advertises_the_hub_and_itself(client, hub):
    self_urls = {}
    for fmt in ("rss", "atom", "json"):
        response = get_feed(client, fmt, office="par")
        assert response["Link"].startswith(f'<{hub.url}>; rel="hub", <')
        self_urls[fmt] = response["Link"].split(", ")[1].split(">")[0][1:]
        if fmt == "json":
            feed = json.loads(response.content)
            assert feed["hubs"] == [{"type": "WebSub", "url": hub.url}]
            assert feed["feed_url"] == self_urls[fmt]
            continue
        root = ET.fromstring(response.content)
        parent = root.find("channel") if fmt == "rss" else root
        links = {
            link.get("rel"): link.get("href") for link in parent.findall(f"{ATOM}link")
        }
        assert links["hub"] == hub.url
        assert links["self"] == self_urls[fmt]
    assert self_urls["atom"] == "http://127.0.0.1:8000/feeds/atom.xml?office=par"


def test_no_hub_is_advertised_by_default(client, settings):
    assert settings.WEBSUB_HUB_URL == ""
    response = get_feed(client, "atom")
    assert 'rel="hub"' not in response["Link"]
    assert b'rel="hub"' not in response.content
    assert "hubs" not in get_feed(client, "json").json()


def test_publishing_pings_the_hub_once_per_affected_feed_after_commit(
    make_article, hub, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        article = make_article(
            "Publié, notifié", topics=("exchange", "jet"), countries=("FR",)
        )
    assert hub.pings == []  # never from inside the transaction
    for callback in callbacks:
        callback()
    expected = pinged_for(article)
    assert sorted(hub.pings) == sorted(expected)
    assert len(hub.pings) == len(set(hub.pings))
    assert "http://127.0.0.1:8000/feeds/rss.xml" in hub.pings
    assert "http://127.0.0.1:8000/feeds/feed.json?locale=fr" in hub.pings
    assert "http://127.0.0.1:8000/feeds/atom.xml?topic=jet&locale=fr" in hub.pings
    assert "http://127.0.0.1:8000/feeds/atom.xml?region=continental-europe" in (
        hub.pings
    )
    # Combinations of filters are purged, not pinged (one request each).
    assert "http://127.0.0.1:8000/feeds/atom.xml?country=FR&topic=jet" not in (
        hub.pings
    )
    assert hub.rejected == []


def test_unpublishing_pings_the_hub_too(
    make_article, hub, django_capture_on_commit_callbacks
):
    article = make_article("Retiré, notifié")
    with django_capture_on_commit_callbacks(execute=True):
        article.unpublish()
    assert sorted(hub.pings) == sorted(pinged_for(article))


def test_a_failing_hub_is_logged_and_publishing_goes_on(
    make_article, hub, django_capture_on_commit_callbacks, caplog
):
    hub.answer_with = 503
    with (
        caplog.at_level(logging.WARNING, logger="cms.feeds.websub"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        article = make_article("Hub en panne")
    assert article.live
    assert hub.pings == []
    assert "answered 503" in caplog.text


def test_an_unreachable_hub_is_logged(settings, caplog):
    settings.WEBSUB_HUB_URL = "http://127.0.0.1:9/"  # refused by SafeClient
    with caplog.at_level(logging.WARNING, logger="cms.feeds.websub"):
        accepted = websub_publish(feed_urls=["http://127.0.0.1:8000/feeds/atom.xml"])
    assert accepted == 0
    assert "WebSub ping" in caplog.text


def test_the_ping_is_the_form_hubs_expect(hub):
    accepted = websub_publish(feed_urls=["https://news.example.org/feeds/atom.xml"] * 2)
    assert accepted == 1  # the same URL once
    assert hub.pings == ["https://news.example.org/feeds/atom.xml"]
