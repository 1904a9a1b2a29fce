"""What a query finds: Japanese, Korean, Chinese, Latin; substrings, not bigrams."""

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BigIntegerField
from django.db.models.functions import Cast

from cms.search.fulltext import TokenMatch, TokenQuery
from cms.search.models import SearchEntry
from cms.search.text import query_term


def found(results) -> set[int]:
    return {page.pk for page in results}


def test_japanese_word_inside_a_compound_in_the_body(article, pages):
    page = article("自治体の取り組み", "<p>地域の多文化共生を進める計画です。</p>")
    assert found(pages().search("多文化")) == {page.pk}


def test_japanese_word_inside_a_compound_in_the_title(article, pages):
    page = article("多文化共生の推進", "<p>計画の概要</p>")
    assert found(pages().search("多文化")) == {page.pk}


def test_korean_word_inside_a_korean_word(article, pages):
    seoul = article("서울시는 지원을 확대한다", "<p>시민을 위한 정책</p>", locale="ko")
    family = article(
        "가족 정책", "<p>다문화가족 지원센터가 문을 열었다.</p>", locale="ko"
    )
    assert found(pages().search("서울시")) == {seoul.pk}
    assert found(pages().search("다문화")) == {family.pk}


def test_chinese_term_inside_chinese_text(article, pages):
    page = article("上海市推进垃圾分类工作", "<p>市民积极参与。</p>", locale="zh-hans")
    assert found(pages().search("垃圾分类")) == {page.pk}
    assert found(pages().search("分类")) == {page.pk}


def test_one_kanji_anywhere_in_a_run(article, pages):
    at_end = article("今日は大雪", "")
    at_start = article("お知らせ", "<p>雪まつりの開催</p>")
    in_middle = article("気象情報", "<p>大雪警報が出ました</p>")
    article("晴れの日", "<p>快晴です</p>")
    assert found(pages().search("雪")) == {at_end.pk, at_start.pk, in_middle.pk}


def test_latin_word_prefix_and_accents(article, pages):
    page = article(
        "Sécurité routière", "<p>La Ville renforce la sécurité.</p>", locale="fr"
    )
    for query in ["securite", "Sécurité", "SECU", "routi"]:
        assert found(pages().search(query)) == {page.pk}, query
    # Words match from their start only.
    assert found(pages().search("curite")) == set()


def test_full_width_and_half_width_forms_match(article, pages):
    page = article("ｶﾞｲﾄﾞﾌﾞｯｸ ＴＯＫＹＯ", "")
    assert found(pages().search("ガイド")) == {page.pk}
    assert found(pages().search("tokyo")) == {page.pk}


def test_bigrams_scattered_in_a_document_do_not_match_the_phrase(article, pages):
    phrase = article("多文化共生", "")
    # Holds 多文 and 文化, but never 多文化.
    scattered = article("多文書と文化祭", "")
    assert found(pages().search("多文化")) == {phrase.pk}

    # The full-text prefilter alone lets it through: the substring check is
    # what turns it away.
    term = query_term("多文化", max_tokens=16)
    prefiltered = SearchEntry.objects.filter(TokenMatch(TokenQuery("and", term.tokens)))
    keys = prefiltered.annotate(key=Cast("object_id", BigIntegerField()))
    assert {phrase.pk, scattered.pk} <= set(keys.values_list("key", flat=True))


def test_all_terms_must_match(article, pages):
    both = article("ソウル市の多文化政策", "")
    article("多文化共生", "")
    article("ソウル市の交通", "")
    assert found(pages().search("多文化 ソウル")) == {both.pk}


def test_or_operator_finds_either_term(article, pages):
    one = article("多文化共生", "")
    other = article("ソウル市の交通", "")
    article("天気", "")
    results = pages().search("多文化 ソウル", operator="or")
    assert found(results) == {one.pk, other.pk}


def test_term_split_by_punctuation_must_keep_its_words_together(article, pages):
    page = article("New e-mail service", "")
    article("The mail is late, everyone", "")
    assert found(pages().search("e-mail")) == {page.pk}


def test_phrase_query_needs_adjacent_words(article, pages):
    from wagtail.search.query import Phrase

    page = article("Flood resilience strategy", "")
    article("Resilience against the flood", "")
    assert found(pages().search(Phrase("flood resilience"))) == {page.pk}


def test_fields_restrict_where_terms_are_looked_for(article, articles):
    in_title = article("多文化の取り組み", "<p>概要</p>")
    in_body = article("お知らせ", "<p>多文化の取り組み</p>")
    in_summary = article("お知らせ", "", summary="多文化の取り組み")
    assert found(articles().search("多文化", fields=["title"])) == {in_title.pk}
    assert found(articles().search("多文化", fields=["body"])) == {in_body.pk}
    assert found(articles().search("多文化", fields=["summary", "body"])) == {
        in_body.pk,
        in_summary.pk,
    }


def test_autocomplete_looks_at_titles_as_the_page_chooser_expects(article, pages):
    titled = article("多文化共生の推進", "")
    article("お知らせ", "<p>多文化共生の推進</p>")
    assert found(pages().autocomplete("多文")) == {titled.pk}
    assert found(pages().autocomplete("多文化共")) == {titled.pk}


def test_index_tokens_survive_the_database_tokenizer_unchanged(article):
    page = article("多文化共生 서울시는 Sécurité", "<p>上海市 𠮷野家 ﬁve 2020年</p>")
    entry = SearchEntry.objects.get(
        content_type=ContentType.objects.get_for_model(page), object_id=str(page.pk)
    )
    tokens = set(entry.tokens.split())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT unnest(tsvector_to_array(tokens)) "
                "FROM tsunagu_search_entry WHERE id = %s",
                [entry.pk],
            )
        else:
            placeholders = ",".join(["%s"] * len(tokens))
            cursor.execute(
                "CREATE VIRTUAL TABLE temp.vocab USING "
                "fts5vocab(main, 'tsunagu_search_entry_fts', 'row')"
            )
            cursor.execute(
                f"SELECT term FROM temp.vocab WHERE term IN ({placeholders})",
                list(tokens),
            )
        assert {row[0] for row in cursor.fetchall()} == tokens
