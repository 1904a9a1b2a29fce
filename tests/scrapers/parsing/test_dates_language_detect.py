"""Free-text dates, language codes and document kinds."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from scrapers.parsing import (
    detect_kind,
    detect_language,
    normalise_language,
    parse_feed,
)
from scrapers.parsing.dates import parse_date

from .conftest import PARIS

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 mars 2026", datetime(2026, 3, 12, tzinfo=PARIS)),
        (
            "Publié le jeudi 1er mars 2026 à 10h30",
            datetime(2026, 3, 1, 10, 30, tzinfo=PARIS),
        ),
        ("12. März 2026", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("3. Jänner 2026, 14:05 Uhr", datetime(2026, 1, 3, 14, 5, tzinfo=PARIS)),
        ("12 de marzo de 2026", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("12 settembre 2026", datetime(2026, 9, 12, tzinfo=PARIS)),
        ("March 12, 2026", datetime(2026, 3, 12, tzinfo=PARIS)),
        (
            "Thursday, March 12, 2026 3:45 pm",
            datetime(2026, 3, 12, 15, 45, tzinfo=PARIS),
        ),
        ("12 Sept. 2026", datetime(2026, 9, 12, tzinfo=PARIS)),
        ("2026年3月12日", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("2026年3月12日（木）15時30分", datetime(2026, 3, 12, 15, 30, tzinfo=PARIS)),
        ("令和8年3月12日", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("令和元年5月1日", datetime(2019, 5, 1, tzinfo=PARIS)),
        ("2026년 3월 12일", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("2026. 3. 12.", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("2026.03.12", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("2026/3/12 9:05", datetime(2026, 3, 12, 9, 5, tzinfo=PARIS)),
        ("12.03.2026", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("12/03/2026 - 14:05", datetime(2026, 3, 12, 14, 5, tzinfo=PARIS)),
        ("2026-03-12", datetime(2026, 3, 12, tzinfo=PARIS)),
        ("2026-03-12T10:00:00Z", datetime(2026, 3, 12, 10, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 09:30:00 +0900", datetime(2026, 11, 24, 0, 30, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 09:30:00", datetime(2026, 11, 24, 9, 30, tzinfo=PARIS)),
        ("Tue, 24 Nov 2026 09:30:00 GMT", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        (
            "Seg, 24 Set 2018 19:42:40 -0300",
            datetime(2018, 9, 24, 19, 42, 40, tzinfo=timezone(timedelta(hours=-3))),
        ),
        ("31/02/2026", None),
        ("bientôt", None),
        ("", None),
    ],
)
def test_dates_in_the_forms_city_halls_write_them(text, expected):
    assert parse_date(text, default_tz=PARIS) == expected


def test_a_date_without_zone_is_the_offices_local_time_across_dst():
    summer = parse_date("2026-07-01 12:00", default_tz=PARIS)
    assert summer.utcoffset() == timedelta(hours=2)
    assert parse_date("2026-01-01 12:00", default_tz=None).tzinfo == UTC


def test_future_dates_are_kept_and_flagged():
    body = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>Later</title><link>https://x.example/1</link>"
        b"<pubDate>Mon, 01 Jan 2099 09:00:00 +0000</pubDate></item></channel></rss>"
    )
    feed = parse_feed(
        body, url="https://x.example/f", content_type=None, default_tz=TOKYO
    )
    assert feed.entries[0].published_at == datetime(2099, 1, 1, 9, tzinfo=UTC)
    assert any("in the future" in warning for warning in feed.warnings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("東京都は外国人住民向けの生活ガイドを公開しました", "ja"),
        (
            "北京市",
            "zh-hans",
        ),  # Han alone is Chinese; simplified unless shown otherwise
        ("서울시는 외국인 주민을 위한 생활 안내서를 발간했다", "ko"),
        ("北京市人民政府发布城市防灾减灾新规划", "zh-hans"),
        ("臺北市政府發布新的防災計畫與應變措施", "zh-hant"),
        ("La mairie de Paris ouvre quarante nouvelles classes de français.", "fr"),
        (
            "Die Stadt Berlin fördert den Schüleraustausch mit ihren Partnerstädten.",
            "de",
        ),
        (
            "The city council approved a new plan to welcome residents from abroad.",
            "en",
        ),
        ("El Ayuntamiento de Madrid anuncia nuevas clases de español gratuitas.", "es"),
        (
            "The Tokyo Metropolitan Government (東京都庁) launched its ひまわり "
            "programme for residents from abroad this week.",
            "en",
        ),
        ("Hello", None),
        ("12345 678 90", None),
        ("", None),
    ],
)
def test_language_detection(text, expected):
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-us", "en-US"),
        ("EN_gb", "en-GB"),
        ("de-de", "de-DE"),
        ("zh-cn", "zh-hans"),
        ("zh-TW", "zh-hant"),
        ("zh-Hant-HK", "zh-hant"),
        ("sr-latn", "sr-Latn"),
        ("fr", "fr"),
        ("", None),
        ("not a language", None),
        ("<![CDATA[ur]]>", None),
    ],
)
def test_declared_languages_are_normalised(tag, expected):
    assert normalise_language(tag) == expected


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>',
            "text/html",
            "rss",
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "text/plain", "atom"),
        (b'<!-- hi --><rdf:RDF xmlns:rdf="x"/>', None, "rdf"),
        (
            b'<!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "x"><rss/>',
            None,
            "rss",
        ),
        (b'\xef\xbb\xbf{"version": "https://jsonfeed.org/version/1.1"}', None, "json"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "application/rss+xml", "html"),
        (b"<p>fragment</p><body>", None, "html"),
        ("<rss/>".encode("utf-16"), None, "rss"),
    ],
)
def test_detect_kind_trusts_the_body_first(body, content_type, expected):
    assert detect_kind(body, content_type) == expected


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (bytes(range(256)) * 20, "neither a feed nor a web page"),
        (b"<html><body>Not found</body></html>", "web page"),
        (b'<?xml version="1.0"?><opml version="2.0"/>', "not a feed|web page"),
    ],
)
def test_what_is_not_a_feed_says_so(body, words):
    from scrapers.parsing import FeedParseError

    with pytest.raises(FeedParseError, match=words):
        parse_feed(body, url="https://x.example/", content_type=None, default_tz=None)


def test_a_web_page_instead_of_a_feed_is_an_error_that_names_its_feed():
    from scrapers.parsing import FeedParseError

    body = (
        b'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml">'
        b"</head><body>News</body></html>"
    )
    with pytest.raises(FeedParseError, match=r"https://city\.example/rss\.xml"):
        parse_feed(
            body,
            url="https://city.example/news",
            content_type="text/html",
            default_tz=PARIS,
        )
