"""How results come back: ranking, ordering, counting, filters, hostile queries."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.search.query import MATCH_ALL, Not, PlainText

from cms.models import ArticlePage


def found(results) -> set[int]:
    return {page.pk for page in results}


def test_title_matches_rank_above_body_matches_then_newest_first(article, articles):
    body_new = article("お知らせ", "<p>多文化共生の会議</p>", days_ago=0)
    title_old = article("多文化共生の会議", "", days_ago=30)
    title_new = article("多文化共生の報告", "", days_ago=1)
    body_old = article("お知らせ", "<p>多文化共生の報告</p>", days_ago=40)
    results = list(articles().search("多文化"))
    assert results == [title_new, title_old, body_new, body_old]


def test_more_terms_in_the_title_rank_higher(article, articles):
    one = article("ソウル市の報告", "<p>多文化</p>", days_ago=0)
    both = article("ソウル市の多文化政策", "", days_ago=5)
    assert list(articles().search("多文化 ソウル")) == [both, one]


def test_caller_ordering_is_kept_without_relevance(article, articles):
    b = article("B 多文化", "")
    a = article("A お知らせ", "<p>多文化</p>")
    c = article("C 多文化", "")
    results = articles().order_by("title").search("多文化", order_by_relevance=False)
    assert list(results) == [a, b, c]
    assert list(articles().search("多文化", order_by="-title")) == [c, b, a]


def test_count_and_slices_agree(article, articles):
    made = [article(f"多文化の記事 {n}", "", days_ago=n) for n in range(5)]
    results = articles().search("多文化")
    assert results.count() == 5
    assert list(results) == made
    assert list(results[1:3]) == made[1:3]
    assert results[2:].count() == 3
    assert results[4] == made[4]
    assert len(results[:2]) == 2


def test_annotate_score_gives_title_hits(article, pages):
    article("多文化の記事", "")
    article("お知らせ", "<p>多文化</p>")
    scores = [page.score for page in pages().search("多文化").annotate_score("score")]
    assert scores == [1.0, 0.0]


def test_filters_wagtail_puts_on_the_queryset(article, pages, section, locale):
    ja_live = article("多文化共生", "", days_ago=3)
    ja_draft = article("多文化共生の下書き", "", live=False)
    ko = article("다문화 多文化", "", locale="ko")
    ja_section = section("ja")

    def search(queryset):
        return found(queryset.search("多文化"))

    assert search(pages().live()) == {ja_live.pk, ko.pk}
    assert search(pages().filter(locale=locale("ko"))) == {ko.pk}
    assert search(pages().child_of(ja_section)) == {ja_live.pk, ja_draft.pk}
    assert search(pages().type(ArticlePage).filter(id__in=[ko.pk])) == {ko.pk}
    since = timezone.now() - timedelta(days=1)
    assert search(pages().filter(first_published_at__gte=since)) == {ko.pk}
    assert search(ArticlePage.objects.live().public().filter(pk=ja_live.pk)) == {
        ja_live.pk
    }
    specific = list(pages().live().specific().search("多文化"))
    assert all(isinstance(page, ArticlePage) for page in specific)


def test_facet_counts_the_results(article, pages, locale):
    article("多文化共生", "")
    article("多文化の歴史", "")
    article("다문화 多文化", "", locale="ko")
    article("天気", "")
    facets = pages().search("多文化").facet("locale_id")
    assert facets == {locale("ja").pk: 2, locale("ko").pk: 1}


def test_search_query_objects_from_wagtail_admin(article, pages):
    page = article("多文化共生", "")
    article("ソウル市", "")
    assert found(pages().search(MATCH_ALL)) >= {page.pk}
    assert found(pages().search(PlainText("多文化") & Not(PlainText("ソウル")))) == {
        page.pk
    }
    assert page.pk not in found(pages().search(Not(PlainText("多文化"))))


@pytest.mark.parametrize(
    "query",
    ['"', "*", "%", "_", "\\", "-", "%%", "_%_", "'", "()", "：；、。", "\x00", "　"],
)
def test_punctuation_only_queries_find_nothing(article, pages, query):
    article("多文化共生 100% A_B a\\b", "")
    assert pages().search(query).count() == 0
    assert list(pages().search(query)) == []
    assert list(pages().autocomplete(query)) == []


@pytest.mark.parametrize(
    "query",
    [
        '"多文化"',
        "多文化*",
        "-多文化",
        "多文化%",
        "%多文化_",
        "多文化\\",
        "(多文化)",
        "多文化:*",
    ],
)
def test_fts_and_sql_syntax_characters_are_ignored(article, pages, query):
    one = article("多文化共生", "")
    other = article("多文化の歴史", "")
    article("共生の歴史", "")
    assert found(pages().search(query)) == {one.pk, other.pk}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("多文化 AND", {"target"}),
        ("多文化 OR 共生", {"target"}),
        ("NEAR(多文化 共生)", set()),
        ("多文化 'x' OR 1=1 --", set()),
    ],
)
def test_fts_operators_are_ordinary_words(article, pages, query, expected):
    made = {
        "target": article("多文化共生", "<p>x or 1 and near</p>"),
        "other": article("多文化の歴史", ""),
    }
    assert found(pages().search(query)) == {made[name].pk for name in expected}


def test_percent_and_underscore_are_not_wildcards(article, pages):
    page = article("100 percent", "")
    assert found(pages().search("100%")) == {page.pk}
    assert found(pages().search("1_0")) == set()


def test_very_long_queries_neither_crash_nor_match_loosely(article, pages):
    body = "地域における多文化共生の推進に関する計画を策定し、" * 20
    page = article("長い本文", f"<p>{body}</p>")
    article("短い本文", "<p>地域における多文化共生の推進</p>")
    # One long term (pasted text): cut tokens, full substring check.
    assert found(pages().search(body[:400])) == {page.pk}
    # Past the limits: refused, not cut short.
    assert list(pages().search("多文化 " * 1000)) == []
    assert pages().search(" ".join(f"w{n}" for n in range(200))).count() == 0
    assert pages().search("多" * 5000).count() == 0
