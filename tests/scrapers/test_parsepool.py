"""Parsing in processes of its own: the same results, and a parse process
that crashes, overruns or is killed costs one fetch, not the worker."""

import os
import signal
import time
from zoneinfo import ZoneInfo

import pytest

from scrapers.models import Item
from scrapers.parsepool import ParsePool, parse_pool, parse_pool_close
from scrapers.parsing import FeedParseError, parse_feed
from tests.scrapers.conftest import rss
from tests.scrapers.parsing.conftest import CORPUS


@pytest.fixture(scope="module")
def pool():
    pool = ParsePool(processes=1, timeout=60, memory_mb=1024)
    yield pool
    pool.close()


def _outcome(call, body: bytes):
    try:
        return call(
            body=body,
            url="https://example.org/feed",
            content_type=None,
            default_tz=ZoneInfo("Europe/Paris"),
        )
    except FeedParseError as exc:
        return ("FeedParseError", str(exc))


def test_every_corpus_feed_parses_the_same_in_a_parse_process(pool):
    feeds = sorted(
        path
        for path in [*(CORPUS / "feeds").glob("*"), *(CORPUS / "feeds/edge").glob("*")]
        if path.is_file()
    )
    assert len(feeds) >= 40
    for path in feeds:
        body = path.read_bytes()
        here = _outcome(parse_feed, body)
        there = _outcome(lambda **kw: pool.call("parse_feed", **kw), body)
        assert there == here, path.name


def test_a_killed_parse_process_fails_one_fetch_and_is_replaced(pool):
    pool.call("parse_feed", **_args(rss(("a", "Un", "Texte"))))
    (process,) = pool._idle
    os.kill(process.process.pid, signal.SIGKILL)
    process.process.join(timeout=5)
    with pytest.raises(FeedParseError, match="parser stopped"):
        pool.call("parse_feed", **_args(rss(("b", "Deux", "Texte"))))
    feed = pool.call("parse_feed", **_args(rss(("c", "Trois", "Texte"))))
    assert [entry.title for entry in feed.entries] == ["Trois"]


def test_a_parse_that_overruns_is_stopped_and_the_next_one_works():
    entries = [
        (f"g{i}", f"Titre {i}", "Un texte assez long. " * 40) for i in range(6000)
    ]
    huge = rss(*entries)
    pool = ParsePool(processes=1, timeout=0.3, memory_mb=1024)
    try:
        started = time.monotonic()
        with pytest.raises(FeedParseError, match=r"longer than 0\.3 s"):
            pool.call("parse_feed", **_args(huge))
        assert time.monotonic() - started < 10
        pool.timeout = 60
        feed = pool.call("parse_feed", **_args(rss(("a", "Après", "Texte"))))
        assert feed.entries[0].title == "Après"
    finally:
        pool.close()


def test_only_parsing_functions_cross_the_pipe(pool):
    with pytest.raises(ValueError, match="not a parsing function"):
        pool.call("os.system", command="true")


def test_sources_fetch_through_the_parse_process(settings, sites, make_source):
    settings.TSUNAGU_SCRAPERS = {**settings.TSUNAGU_SCRAPERS, "PARSE_PROCESSES": 1}
    from cms.safehttp import SafeClient
    from scrapers.services import source_fetch

    site = sites("127.0.0.1")
    site.routes["/f.xml"] = (200, {}, rss(("x-1", "Annonce", "Texte")))
    source = make_source(site.url("/f.xml"))
    try:
        with SafeClient() as client:
            outcome = source_fetch(source_id=source.pk, client=client)
        assert parse_pool().started == 1
    finally:
        parse_pool_close()
    assert outcome.result == "new", outcome.error
    assert list(Item.objects.filter(source=source).values_list("title", flat=True)) == [
        "Annonce"
    ]


def _args(body: bytes) -> dict:
    return {
        "body": body,
        "url": "https://example.org/feed",
        "content_type": None,
        "default_tz": None,
    }
