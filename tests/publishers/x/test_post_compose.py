"""Composing an article's post for X: the locale's template, fitted into 280
weighted characters without cutting a word or a link."""

import collections

import pytest
import regex

from publishers.social_text import (
    MAX_WEIGHTED_LENGTH,
    post_compose,
    post_compose_detailed,
    weighted_length,
)

from .corpus import corpus_articles

URL = "https://tsunagu.example.jp/ja/articles/lyon-centre/"
TAGS = ["Paris office", "多文化共生"]
_SPACELESS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}ー々]")


def compose(title, summary, *, locale="en", url=URL, hashtags=TAGS):
    return post_compose_detailed(
        title=title, summary=summary, url=url, hashtags=hashtags, locale=locale
    )


def parts(text, url=URL):
    """(title, summary) as they stand in a post from our templates."""
    lines = text.split("\n")
    content = [line for line in lines[: lines.index(url)] if line]
    return [*content, "", ""][:2]


def assert_cut_cleanly(original, kept):
    """``kept`` is ``original``, or a part of it cut where a cut may fall,
    then "…": never inside a word or a link."""
    original = " ".join(original.split())
    if kept == original:
        return
    assert kept.endswith("…"), kept
    head = kept[:-1]
    assert original.startswith(head), (original, kept)
    following, last = original[len(head)], head[-1]
    if last.isalnum() and following.isalnum():
        # Only where the script changes, as in 東京都が|AI.
        assert bool(_SPACELESS.match(last)) != bool(_SPACELESS.match(following)), (
            original,
            kept,
        )
    for link in regex.finditer(r"https?://\S+", original):
        assert link.start() >= len(head) or link.group() in kept, (original, kept)


def test_a_short_article_is_posted_whole_in_the_english_template():
    post = post_compose(
        title="Lyon opens a centre for foreign residents",
        summary="French lessons and help with paperwork.",
        url=URL,
        hashtags=TAGS,
        locale="en",
    )
    assert post == (
        "Lyon opens a centre for foreign residents\n"
        "\n"
        "French lessons and help with paperwork.\n"
        "\n"
        f"{URL}\n"
        "#ParisOffice #多文化共生"
    )


def test_the_japanese_template_has_no_blank_lines():
    post = post_compose(
        title="リヨン市、外国人住民センターを開設",
        summary="フランス語講座や行政手続きを支援する。",
        url=URL,
        hashtags=["パリ事務所"],
        locale="ja",
    )
    assert post == (
        "リヨン市、外国人住民センターを開設\n"
        "フランス語講座や行政手続きを支援する。\n"
        f"{URL}\n"
        "#パリ事務所"
    )


def test_an_empty_summary_leaves_no_empty_lines():
    post = post_compose(title="Title", summary="  ", url=URL, hashtags=[], locale="en")
    assert post == f"Title\n\n{URL}"


@pytest.mark.parametrize(
    ("locale", "marker"),
    [("ja", "\n#"), ("ja-JP", "\n#"), ("en-gb", "\n\n"), ("zh-hans", "\n\n")],
)
def test_the_template_falls_back_from_locale_to_language_to_default(locale, marker):
    post = post_compose(title="T", summary="S", url=URL, hashtags=["x"], locale=locale)
    # post.ja.txt has no blank line; post.txt has them.
    assert (post.count("\n\n") == 0) == (marker == "\n#")


def test_a_long_english_summary_is_cut_at_a_word_with_an_ellipsis():
    summary = " ".join(["Residents of the metropolis can now register online"] * 12)
    composed = compose("Lyon opens a centre", summary)
    assert composed.summary_shortened and not composed.title_shortened
    assert composed.weighted_length <= MAX_WEIGHTED_LENGTH
    title, kept = parts(composed.text)
    assert title == "Lyon opens a centre"
    assert_cut_cleanly(summary, kept)
    assert composed.text.endswith(f"{URL}\n#ParisOffice #多文化共生")


def test_a_japanese_summary_is_cut_after_a_clause_or_sentence_end():
    summary = (
        "リヨン市は外国人住民のための新しいセンターを開設した。"
        "センターではフランス語講座や行政手続きの支援を行い、"
        "市内の学校と連携して子どもの学習も支える。"
    ) * 3
    composed = compose("リヨン市、外国人住民センターを開設", summary, locale="ja")
    assert composed.summary_shortened
    assert composed.weighted_length <= MAX_WEIGHTED_LENGTH
    _, kept = parts(composed.text)
    assert_cut_cleanly(summary, kept)
    # The part kept ends where 、 or 。 stood (taken off before the "…").
    assert summary[len(kept) - 1] in "、。"


def test_a_japanese_summary_with_no_place_to_cut_is_dropped():
    summary = "外国人住民のための新しいセンターでは" * 12  # no 、。 and one script
    composed = compose("リヨン市がセンター開設", summary, locale="ja")
    assert composed.summary_dropped and not composed.summary_shortened
    assert composed.text.startswith("リヨン市がセンター開設\n" + URL)


def test_a_change_of_script_is_a_place_to_cut():
    summary = "東京都がAIを活用した防災システムの試験運用を始めたと発表" * 8
    composed = compose("東京都の防災", summary, locale="ja")
    _, kept = parts(composed.text)
    assert composed.summary_shortened
    assert_cut_cleanly(summary, kept)
    assert kept.endswith(("が…", "AI…"))


def test_the_title_is_cut_only_after_the_summary_is_gone():
    title = " ".join(["Metropolitan council approves the budget"] * 8)
    composed = compose(title, "A summary that cannot stay.")
    assert composed.summary_dropped and composed.title_shortened
    assert composed.hashtags_dropped == 0
    kept, summary = parts(composed.text)
    assert summary == ""
    assert_cut_cleanly(title, kept)


def test_hashtags_are_dropped_from_the_end_when_the_title_cannot_be_cut():
    # One word of 230 letters: no place to cut it. 230 + "\n\n" + 23 = 255;
    # "\n#ParisOffice" (1 + 12) brings it to 268 and " #多文化共生" (1 + 1 +
    # 5 × 2) to 280: " #Lyon" cannot stay.
    title = "A" * 230
    tags = ["Paris office", "多文化共生", "Lyon"]
    composed = compose(title, "", hashtags=tags)
    assert composed.hashtags_dropped == 1
    assert composed.text == f"{title}\n\n{URL}\n#ParisOffice #多文化共生"
    assert composed.weighted_length == 280


def test_when_nothing_else_fits_the_link_stays_alone():
    composed = compose("B" * 300, "", hashtags=["Lyon"])
    assert composed.title_dropped and composed.hashtags_dropped == 1
    assert composed.text == URL


def test_a_link_inside_the_summary_is_never_cut():
    link = "https://www.lyon.fr/actualite/solidarites/un-centre-pour-les-residents"
    summary = ("Plus d'informations sur le site de la ville " + link + " ") * 6
    composed = compose("Lyon ouvre un centre", summary, locale="fr")
    _, kept = parts(composed.text)
    assert_cut_cleanly(summary, kept)
    assert composed.weighted_length <= MAX_WEIGHTED_LENGTH


def test_the_article_link_weighs_23_however_long():
    url = "https://tsunagu.example.jp/ja/articles/" + "long-slug-" * 30 + "/"
    composed = compose("Title", "Summary.", url=url)
    assert url in composed.text
    assert not composed.shortened


def test_a_link_x_may_not_shorten_counts_its_full_length():
    # X does not link localhost: its characters count, so the summary gives way.
    url = "http://localhost:8000/ja/articles/" + "x" * 200 + "/"
    composed = compose("Title", "A summary of some words " * 4, url=url)
    assert composed.summary_dropped or composed.summary_shortened
    assert url in composed.text


def test_a_summary_equal_to_the_title_is_left_out():
    post = post_compose(title="Same", summary="Same", url=URL, hashtags=[], locale="en")
    assert post == f"Same\n\n{URL}"


def test_a_text_exactly_at_the_limit_is_not_shortened():
    # ja: title 4, "\n", summary 125 × 2, "\n", URL 23: exactly 280.
    summary = "あ" * 125
    composed = compose("東京", summary, locale="ja", hashtags=[])
    assert composed.weighted_length == 4 + 1 + 250 + 1 + 23
    assert not composed.shortened


def test_a_relative_url_is_refused():
    with pytest.raises(ValueError, match="absolute"):
        post_compose(title="T", summary="", url="/ja/x/", hashtags=[], locale="en")


def test_posts_over_the_real_corpus_never_exceed_280_nor_cut_a_word():
    """Titles and summaries from ../shared/corpus (feeds in 15 languages and
    article pages), composed with an office hashtag and a topic hashtag."""
    articles = corpus_articles()
    assert len(articles) > 300
    figures = collections.Counter()
    by_language = collections.Counter()
    longest = 0
    for number, article in enumerate(articles):
        url = f"https://tsunagu.example.jp/ja/articles/corpus-{number}/"
        locale = "ja" if article.language == "ja" else "en"
        composed = compose(
            article.title,
            article.summary,
            locale=locale,
            url=url,
            hashtags=["ニューヨーク事務所", "Disaster prevention"],
        )
        length = weighted_length(composed.text)
        assert length <= MAX_WEIGHTED_LENGTH, composed.text
        assert composed.text.count(url) == 1
        title, summary = parts(composed.text, url)
        clean_title = " ".join(article.title.split())
        if clean_title and not composed.title_dropped:
            assert_cut_cleanly(clean_title, title)
        if summary and clean_title:
            assert_cut_cleanly(article.summary, summary)
        longest = max(longest, length)
        by_language[article.language] += 1
        figures["articles"] += 1
        figures["shortened"] += composed.shortened
        figures["summary cut"] += composed.summary_shortened
        figures["summary dropped"] += composed.summary_dropped
        figures["title cut"] += composed.title_shortened
        figures["title dropped"] += composed.title_dropped
        figures["hashtags dropped"] += composed.hashtags_dropped > 0
    print(f"\npost_compose over the corpus: {dict(figures)}; longest {longest}")
    print(f"languages: {dict(by_language)}")
    assert figures["shortened"] > 0
    assert figures["title dropped"] == 0
