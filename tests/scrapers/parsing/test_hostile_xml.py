"""Hostile XML is harmless: nothing expands, nothing is read or fetched.

What feedparser 6 does by itself (measured while building this): expat
(2.6) refuses billion laughs and does not fetch external entities, but
feedparser keeps a DOCTYPE's plain-text entities for its lenient parser,
which expands them without limit when expat gives up: a 50 kB entity used
50,000 times cost 48 s of CPU and a 2.5 GB title. Hence xmlguard.
"""

import socket
import time

import pytest

from scrapers.parsing import (
    FeedParseError,
    ListRule,
    ParsedFeed,
    parse_feed,
    parse_list_page,
)

ITEM = "<item><title>{}</title><link>https://city.example/a</link></item>"


def feed_with(doctype: str, title: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel>'
        f"<title>t</title>{ITEM.format(title)}</channel></rss>"
    ).encode()


def parse(body: bytes) -> tuple[ParsedFeed, float]:
    started = time.process_time()
    feed = parse_feed(
        body, url="https://city.example/feed", content_type=None, default_tz=None
    )
    return feed, time.process_time() - started


def everything(feed: ParsedFeed) -> str:
    return " ".join(
        [feed.title, *(e.title + e.summary_html + e.content_html for e in feed.entries)]
    )


def test_billion_laughs_does_not_expand():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{(f"&lol{i - 1};" if i > 1 else "&lol;") * 10}">'
        for i in range(1, 10)
    )
    feed, cpu = parse(feed_with(f"<!DOCTYPE rss [{entities}]>", "&lol9;"))
    assert cpu < 1
    assert "lollol" not in everything(feed)
    assert any("entities" in warning for warning in feed.warnings)


def test_quadratic_blowup_does_not_expand():
    big = "A" * 50_000
    feed, cpu = parse(
        feed_with(f'<!DOCTYPE rss [\n<!ENTITY a "{big}">\n]>', "&a;" * 50_000)
    )
    assert cpu < 2
    assert "AAAAAAAAAA" not in everything(feed)
    assert len(feed.entries[0].title) <= 1000  # references, unexpanded, cut


def test_an_entity_value_hiding_the_end_of_the_doctype_is_still_removed():
    big = "B" * 50_000
    doctype = f'<!DOCTYPE rss [<!ENTITY x "]>"><!ENTITY b "{big}">]>'
    feed, cpu = parse(feed_with(doctype, "&b;" * 50_000))
    assert cpu < 2
    assert "BBBBBBBBBB" not in everything(feed)


def test_external_file_entity_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    for doctype in (
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>',
        f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{secret}">\n]>',
        f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
        f'<!DOCTYPE rss SYSTEM "file://{secret}">',
    ):
        feed, _cpu = parse(feed_with(doctype, "x &xxe; y"))
        assert "TOP-SECRET" not in everything(feed), doctype
        assert "TOP-SECRET" not in " ".join(feed.warnings)


@pytest.fixture
def listener():
    """A local port that records whether anything connected to it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    yield server
    server.close()


def connected(server: socket.socket) -> bool:
    try:
        connection, _address = server.accept()
    except TimeoutError:
        return False
    connection.close()
    return True


def test_external_http_entity_and_dtd_are_not_fetched(listener):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
    for doctype in (
        f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{url}">]>',
        f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "{url}"> %p;]>',
        f'<!DOCTYPE rss PUBLIC "-//x//y" "{url}">',
    ):
        parse(feed_with(doctype, "&xxe;"))
    assert not connected(listener)


def test_a_body_that_is_a_url_or_a_path_is_never_opened(listener, tmp_path):
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    with pytest.raises(FeedParseError):
        parse(url.encode())
    assert not connected(listener)
    path = tmp_path / "feed.xml"
    path.write_bytes(feed_with("", "FROM-DISK"))
    try:
        feed, _cpu = parse(str(path).encode())
    except FeedParseError:
        return
    assert "FROM-DISK" not in everything(feed)


def test_character_entities_declared_in_a_doctype_still_read():
    feed, _cpu = parse(
        feed_with('<!DOCTYPE rss [\n<!ENTITY nbsp "&#160;">\n]>', "Budget&nbsp;2026")
    )
    assert feed.entries[0].title == "Budget 2026"  # NBSP collapsed in titles
    assert feed.warnings == []


def test_list_pages_do_not_expand_entities_either():
    big = "C" * 10_000
    body = (
        f'<!DOCTYPE html [<!ENTITY c "{big}">]><html><body><ul>'
        + '<li><a href="/a">&c;&c;&c;</a></li>' * 100
        + "</ul></body></html>"
    ).encode()
    started = time.process_time()
    feed = parse_list_page(
        body,
        url="https://city.example/",
        content_type="text/html",
        rule=ListRule(item="li"),
        default_tz=None,
    )
    assert time.process_time() - started < 2
    assert all("CCCC" not in entry.title for entry in feed.entries)
