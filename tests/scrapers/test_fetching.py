"""Fetching a source against local servers: conditional GET, politeness, health."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.safehttp import SafeClient
from scrapers.models import Host, Item, Source
from scrapers.services import source_fetch
from tests.scrapers.conftest import rss

pytestmark = pytest.mark.django_db

FEED = rss(
    ("a-1", "Premier article", "Un texte."),
    ("a-2", "Deuxième article", "Un autre texte."),
)


def fetch(source: Source):
    with SafeClient() as client:
        return source_fetch(source_id=source.pk, client=client)


def test_first_fetch_stores_items_and_the_second_gets_304_and_nothing_new(
    site, make_source
):
    def feed(headers):
        if headers.get("if-none-match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, FEED

    site.routes["/feed.xml"] = feed
    source = make_source(site.url("/feed.xml"))

    first = fetch(source)
    assert first.result == "new"
    assert len(first.new_item_ids) == 2
    source.refresh_from_db()
    assert source.etag == '"v1"'
    assert source.items_found == 2
    assert source.last_status == 200

    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    second = fetch(source)
    assert second.result == "unchanged"
    assert second.http_status == 304
    assert Item.objects.filter(source=source).count() == 2
    assert site.requests[-1][2]["if-none-match"] == '"v1"'
    source.refresh_from_db()
    assert source.last_status == 304
    assert source.next_fetch_at > timezone.now() + timedelta(minutes=59)


def test_the_same_story_seen_again_is_updated_not_duplicated(site, make_source):
    site.routes["/feed.xml"] = (200, {}, FEED)
    source = make_source(site.url("/feed.xml"))
    fetch(source)
    site.routes["/feed.xml"] = (
        200,
        {},
        rss(
            ("a-1", "Premier article (corrigé)", "Un texte."),
            ("a-2", "Deuxième article", "Un autre texte."),
        ),
    )
    outcome = fetch(source)
    assert outcome.new_item_ids == []
    assert outcome.updated == 1
    assert Item.objects.filter(source=source).count() == 2
    assert (
        Item.objects.get(source=source, guid="a-1").title == "Premier article (corrigé)"
    )


def test_retry_after_on_429_is_honoured(site, make_source):
    site.routes["/feed.xml"] = (429, {"Retry-After": "120"}, b"slow down")
    source = make_source(site.url("/feed.xml"))
    outcome = fetch(source)
    assert outcome.result == "deferred"
    source.refresh_from_db()
    wait = (source.next_fetch_at - timezone.now()).total_seconds()
    assert 100 < wait <= 121
    assert source.consecutive_failures == 0  # asked to wait is not a failure
    assert source.last_status == 429
    host = Host.objects.get(name=f"127.0.0.1:{site.port}")
    assert (host.next_request_at - timezone.now()).total_seconds() > 100


def test_retry_after_as_a_date_on_503(site, make_source):
    when = timezone.now() + timedelta(minutes=10)
    site.routes["/feed.xml"] = (
        503,
        {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")},
        b"",
    )
    source = make_source(site.url("/feed.xml"))
    assert fetch(source).result == "deferred"
    source.refresh_from_db()
    assert abs((source.next_fetch_at - when).total_seconds()) < 5


def test_errors_back_off_exponentially_and_flag_the_source(site, make_source):
    site.routes["/feed.xml"] = (500, {}, b"boom")
    source = make_source(site.url("/feed.xml"))
    waits = []
    for _attempt in range(5):
        Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
        outcome = fetch(source)
        assert outcome.result == "failed"
        source.refresh_from_db()
        waits.append((source.next_fetch_at - timezone.now()).total_seconds())
    assert source.consecutive_failures == 5
    assert source.is_failing
    assert "server error (500)" in source.last_error
    assert waits[1] > waits[0] * 1.3 and waits[4] > waits[3] * 1.3
    assert waits[-1] <= 24 * 3600 * 1.2
    assert source.enabled  # never dropped silently


def test_a_failing_source_recovers_on_success(site, make_source):
    site.routes["/feed.xml"] = (500, {}, b"boom")
    source = make_source(site.url("/feed.xml"))
    fetch(source)
    site.routes["/feed.xml"] = (200, {}, FEED)
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    assert fetch(source).result == "new"
    source.refresh_from_db()
    assert source.consecutive_failures == 0
    assert source.last_error == ""


def test_not_found_is_explained_in_plain_words(site, make_source):
    source = make_source(site.url("/missing.xml"))
    outcome = fetch(source)
    assert outcome.result == "failed"
    assert "404" in outcome.error and "URL" in outcome.error


def test_robots_txt_disallow_is_honoured(site, make_source):
    site.routes["/robots.txt"] = (200, {}, b"User-agent: *\nDisallow: /private/\n")
    site.routes["/private/feed.xml"] = (200, {}, FEED)
    source = make_source(site.url("/private/feed.xml"))
    outcome = fetch(source)
    assert outcome.result == "failed"
    assert "robots.txt" in outcome.error
    assert site.hits("/private/feed.xml") == 0


def test_robots_txt_is_read_once_a_day(site, make_source):
    site.routes["/feed.xml"] = (200, {}, FEED)
    source = make_source(site.url("/feed.xml"))
    fetch(source)
    Source.objects.filter(pk=source.pk).update(next_fetch_at=timezone.now())
    fetch(source)
    assert site.hits("/robots.txt") == 1
    assert site.hits("/feed.xml") == 2


def test_cache_control_max_age_and_rss_ttl_lengthen_the_interval(site, make_source):
    site.routes["/max-age.xml"] = (200, {"Cache-Control": "public, max-age=7200"}, FEED)
    site.routes["/ttl.xml"] = (
        200,
        {},
        rss(("t", "Titre", "Texte"), extra="<ttl>240</ttl>"),
    )
    by_max_age = make_source(site.url("/max-age.xml"), fetch_interval_minutes=30)
    by_ttl = make_source(site.url("/ttl.xml"), fetch_interval_minutes=30)
    fetch(by_max_age)
    fetch(by_ttl)
    by_max_age.refresh_from_db()
    by_ttl.refresh_from_db()
    assert 7100 < (by_max_age.next_fetch_at - timezone.now()).total_seconds() <= 7200
    assert 14300 < (by_ttl.next_fetch_at - timezone.now()).total_seconds() <= 14400


def test_a_source_being_fetched_elsewhere_is_skipped(site, make_source):
    site.routes["/feed.xml"] = (200, {}, FEED)
    source = make_source(site.url("/feed.xml"))
    Source.objects.filter(pk=source.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=1)
    )
    assert fetch(source).result == "skipped"
    assert site.hits("/feed.xml") == 0


def test_a_claim_left_by_a_dead_worker_expires(site, make_source):
    site.routes["/feed.xml"] = (200, {}, FEED)
    source = make_source(site.url("/feed.xml"))
    Source.objects.filter(pk=source.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert fetch(source).result == "new"


def test_requests_to_one_host_are_spaced_by_the_politeness_delay(
    site, make_source, settings
):
    settings.TSUNAGU_SCRAPERS = {"HOST_DELAY_SECONDS": 0.3, "THREADS": 4}
    for number in range(4):
        site.routes[f"/feed-{number}.xml"] = (
            200,
            {},
            rss((f"g{number}", f"T{number}", "x")),
        )
    sources = [make_source(site.url(f"/feed-{n}.xml")) for n in range(4)]
    with SafeClient() as client:
        for source in sources:
            source_fetch(source_id=source.pk, client=client)
    times = sorted(t for t, path, _h in site.requests if path.startswith("/feed-"))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.28
