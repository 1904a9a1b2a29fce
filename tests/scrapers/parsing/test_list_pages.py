"""HTML list pages read with CSS rules, against small saved pages."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scrapers.parsing import ListRule, RuleError, parse_list_page

from .conftest import FIXTURES, PARIS

TOKYO = ZoneInfo("Asia/Tokyo")
SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")

VILLEURBANNE = ListRule(
    item="article.actu", link="h3 a", title="h3", date=".actu-date", summary="p.chapo"
)


def read(name: str, rule: ListRule, *, url: str, content_type: str | None, tz):
    return parse_list_page(
        (FIXTURES / name).read_bytes(),
        url=url,
        content_type=content_type,
        rule=rule,
        default_tz=tz,
    )


def test_french_municipal_list_with_month_names():
    feed = read(
        "villeurbanne-fr.html",
        VILLEURBANNE,
        url="https://www.villeurbanne.example/actualites/index.html",
        content_type="text/html; charset=utf-8",
        tz=PARIS,
    )
    assert feed.kind == "html"
    assert feed.title == "Actualités – Mairie de Villeurbanne"
    assert feed.language == "fr-FR"
    assert [e.title for e in feed.entries] == [
        "Budget participatif : votez pour vos projets",
        "Cours de français gratuits pour les nouveaux arrivants",
        "Jumelage : une délégation japonaise en visite",
    ]
    assert [e.link for e in feed.entries] == [
        "https://www.villeurbanne.example/actualites/budget-participatif-2026",
        "https://www.villeurbanne.example/actualites/cours-de-francais",
        "https://www.villeurbanne.example/actualites/jumelage",
    ]
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 3, 12, tzinfo=PARIS),
        datetime(2026, 3, 1, tzinfo=PARIS),
        datetime(2026, 2, 15, tzinfo=PARIS),
    ]
    first, second, third = feed.entries
    assert first.summary_html == (
        "<p>Les habitants ont jusqu'au 30 avril pour choisir <b>les projets</b> "
        "de leur quartier.</p>"
    )
    assert (
        second.summary_html
        == "<p>Inscriptions à l'hôtel de ville, sans rendez-vous.</p>"
    )
    assert third.summary_html == ""
    assert first.guid == first.link
    assert (
        "1 item skipped: no link (an http or https address) in the item."
        in feed.warnings
    )


def test_japanese_list_in_shift_jis_declared_in_a_meta_tag():
    feed = read(
        "takamatsu-ja-shiftjis.html",
        ListRule(item="ul.news-list li", date="span.date"),
        url="https://www.city.takamatsu.example/shinchaku/index.html",
        content_type="text/html",
        tz=TOKYO,
    )
    assert feed.title == "新着情報｜高松市"
    assert feed.language == "ja"
    # ① and 髙 exist in Microsoft's cp932, not in strict Shift_JIS.
    assert [e.title for e in feed.entries] == [
        "多文化共生推進プランを改定しました",
        "①避難所の開設状況について（髙松地区）",
        "姉妹都市との交流事業のお知らせ",
    ]
    assert [e.link for e in feed.entries] == [
        "https://www.city.takamatsu.example/shinchaku/news/20260312_tabunka.html",
        "https://www.city.takamatsu.example/kurashi/bousai/hinan.html",
        "https://www.city.takamatsu.example/kokusai/shimai.html",
    ]
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 3, 12, tzinfo=TOKYO),
        datetime(2026, 3, 10, tzinfo=TOKYO),
        datetime(2026, 3, 5, tzinfo=TOKYO),  # 令和8年
    ]
    assert any("skipped: no link" in warning for warning in feed.warnings)


def test_korean_board_in_euc_kr_declared_only_in_the_http_header():
    feed = read(
        "suwon-ko-euckr.html",
        ListRule(item="table.board-list tbody tr", title="td.subject", date="td.date"),
        url="https://www.suwon.example/news/list.do",
        content_type="text/html; charset=euc-kr",
        tz=SEOUL,
    )
    assert [e.title for e in feed.entries] == [
        "외국인 주민을 위한 생활 안내서 발간",
        "자매도시 청소년 교류 프로그램 참가자 모집",
        "시청 민원실 운영시간 변경 안내",
    ]
    assert feed.entries[0].link == "https://www.suwon.example/news/view.do?seq=120"
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 3, 12, tzinfo=SEOUL),
        datetime(2026, 3, 10, tzinfo=SEOUL),
        datetime(2026, 3, 9, tzinfo=SEOUL),
    ]
    assert feed.warnings == []


def test_time_datetime_attributes_and_american_numeric_dates():
    body = b"""<html lang="en-US"><body>
    <div class="r"><a href="/a">A</a>
      <time datetime="2026-11-24T09:00:00-05:00">Nov 24</time></div>
    <div class="r"><a href="/b">B</a><span class="d">03/04/2026</span></div>
    <div class="r"><a href="/c">C</a><span class="d">03/14/2026</span></div>
    </body></html>"""
    feed = parse_list_page(
        body,
        url="https://www.nyc.example/news",
        content_type="text/html",
        rule=ListRule(item="div.r", date="time, span.d"),
        default_tz=NEW_YORK,
    )
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 11, 24, 9, tzinfo=NEW_YORK),
        datetime(2026, 3, 4, tzinfo=NEW_YORK),  # 03/14 on the page: month first
        datetime(2026, 3, 14, tzinfo=NEW_YORK),
    ]


def test_unreadable_dates_are_left_empty_and_reported():
    body = b'<ul><li><a href="/a">A</a><i>bient\xc3\xb4t</i></li></ul>'
    feed = parse_list_page(
        body,
        url="https://x.example/",
        content_type="text/html",
        rule=ListRule(item="li", date="i"),
        default_tz=PARIS,
    )
    assert feed.entries[0].published_at is None
    assert any("could not be read as dates" in warning for warning in feed.warnings)


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        (ListRule(item="div[", title="h3"), "item selector"),
        (ListRule(item="article", title="h3::"), "title selector"),
        (ListRule(item="article", link="a[href=", title="h3"), "link selector"),
        (ListRule(item="article", date=">>>"), "date selector"),
        (ListRule(item="article", summary="p:nope"), "summary selector"),
        (ListRule(item=""), "no item selector"),
        (ListRule(item="li.does-not-exist"), "finds nothing"),
    ],
)
def test_bad_rules_raise_a_plain_rule_error(rule, words):
    with pytest.raises(RuleError, match=words):
        read(
            "villeurbanne-fr.html",
            rule,
            url="https://www.villeurbanne.example/",
            content_type=None,
            tz=PARIS,
        )


def test_links_that_are_not_http_are_missing_links():
    body = (
        b'<ul><li><a href="javascript:go()">js</a></li>'
        b'<li><a href="mailto:a@b.c">m</a></li>'
        b'<li><a href="/ok">ok</a></li></ul>'
    )
    feed = parse_list_page(
        body,
        url="https://x.example/list",
        content_type=None,
        rule=ListRule(item="li"),
        default_tz=PARIS,
    )
    assert [e.link for e in feed.entries] == ["https://x.example/ok"]
    assert (
        "2 items skipped: no link (an http or https address) in the item."
        in feed.warnings
    )


def test_a_base_element_and_repeated_links():
    body = (
        b'<html><head><base href="https://cdn.example/site/"></head><body>'
        b'<p class="i"><a href="a.html">First</a></p>'
        b'<p class="i"><a href="a.html">Again</a></p>'
        b"</body></html>"
    )
    feed = parse_list_page(
        body,
        url="https://x.example/",
        content_type=None,
        rule=ListRule(item="p.i"),
        default_tz=PARIS,
    )
    assert [(e.title, e.link) for e in feed.entries] == [
        ("First", "https://cdn.example/site/a.html")
    ]
    assert any("repeated" in warning for warning in feed.warnings)
