"""Site search and the feeds are rate-limited like the API (the same
mechanism and rates, per address or partner key), each with its own
counters."""

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def anon_rate(value: int):
    return override_settings(
        TSUNAGU_API={**settings.TSUNAGU_API, "ANON_RATE_PER_MINUTE": value}
    )


@pytest.mark.parametrize(
    "url",
    ["/search/?q=tokyo", "/en/search/?q=tokyo", "/feeds/rss.xml", "/feeds/feed.json"],
)
def test_public_search_and_feeds_answer_429_past_the_limit(client, url):
    with anon_rate(2):
        answers = [client.get(url) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0]["RateLimit-Limit"] == "2"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60


def test_each_surface_counts_for_itself(client):
    with anon_rate(1):
        assert client.get("/feeds/rss.xml").status_code == 200
        assert client.get("/search/?q=x").status_code == 200
        assert client.get("/api/v2/articles/", {"limit": 1}).status_code == 200
        assert client.get("/feeds/atom.xml").status_code == 429


def test_another_address_is_not_limited_by_the_first(client):
    with anon_rate(1):
        assert client.get("/feeds/rss.xml").status_code == 200
        assert client.get("/feeds/rss.xml").status_code == 429
        other = client.get("/feeds/rss.xml", REMOTE_ADDR="203.0.113.9")
    assert other.status_code == 200
