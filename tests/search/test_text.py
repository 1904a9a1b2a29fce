"""Normalisation and tokens: the rules both the index and the queries follow."""

import re

import pytest

from cms.search.text import (
    MAX_WORD_TOKEN_CHARS,
    Segment,
    cjk_token,
    document_tokens,
    joined,
    normalise,
    query_term,
    segments,
)


def texts(value: str) -> list[str]:
    return [part.text for part in segments(value)]


def test_normalise_widens_half_width_kana_and_narrows_full_width_latin():
    assert normalise("ｶﾞｯｺｳ ＡＢＣ１２３") == "ガッコウ abc123"


def test_normalise_keeps_voiced_kana_and_hangul_whole():
    # NFKD would split が into か + U+3099 and 한 into jamo.
    assert normalise("がぱ 한국") == "がぱ 한국"


def test_normalise_drops_diacritics_of_latin_words():
    assert normalise("Sécurité Straße Ærø") == "securite strasse ærø"


def test_cjk_runs_and_words_are_separate_segments():
    assert segments("東京2020大会・e-mail") == [
        Segment("東京", cjk=True),
        Segment("2020", cjk=False),
        Segment("大会", cjk=True),
        Segment("e", cjk=False),
        Segment("mail", cjk=False),
    ]


def test_long_vowel_mark_and_iteration_mark_stay_in_the_run():
    assert texts("コーヒー 人々") == ["コーヒー", "人々"]


def test_punctuation_and_fts_syntax_separate_words():
    assert texts('"a*b" AND c%d_e\\f (NEAR) -g') == [
        "a",
        "b",
        "and",
        "c",
        "d",
        "e",
        "f",
        "near",
        "g",
    ]
    assert texts("!!! ... ？？？ 「」") == []


def test_stored_text_puts_a_space_before_every_segment():
    assert joined(segments("Paris 多文化")) == " paris 多文化"


def test_document_tokens_are_bigrams_plus_the_last_character():
    assert document_tokens(segments("大雪 雪")) == [
        cjk_token("大雪"),
        cjk_token("雪"),
    ]
    assert document_tokens(segments("Paris")) == ["w" + b"paris".hex()]


def test_document_tokens_are_plain_lower_case_ascii_words():
    text = "多文化共生 서울시는 Sécurité 上海市 ЁЖ ﬁ 𠮷野家 ㄱ 豈"
    for token in document_tokens(segments(text)):
        assert re.fullmatch(r"[cw][0-9a-z]+", token)


@pytest.mark.parametrize("char", ["ぁ", "ー", "一", "鿿", "가", "힣", "ᄀ", "豈", "𠮷"])
def test_a_character_token_is_the_prefix_of_the_bigrams_it_starts(char):
    # Codes have a fixed width per character, so no character's code is the
    # start of another's: a prefix query for one character is exact.
    others = ["ぁ", "一", "가", "𠮷", "z"]
    for other in others:
        assert cjk_token(char + other).startswith(cjk_token(char))
        if other != char:
            assert not cjk_token(other + char).startswith(cjk_token(char))
    assert len(cjk_token(char)) in (4, 6)


def test_long_words_are_cut_in_the_token_only():
    word = "x" * (MAX_WORD_TOKEN_CHARS + 10)
    (token,) = document_tokens(segments(word))
    assert token == "w" + ("x" * MAX_WORD_TOKEN_CHARS).encode().hex()
    assert joined(segments(word)) == " " + word


@pytest.mark.parametrize(
    ("raw", "text", "exact"),
    [
        ("多文化", "多文化", False),  # bigrams 多文 + 文化 are not enough
        ("文化", "文化", True),
        ("雪", "雪", True),
        ("Sécu", " secu", True),  # a word prefix
        ("e-mail", " e mail", False),
        ("東京2020", "東京 2020", False),
    ],
)
def test_query_term(raw, text, exact):
    term = query_term(raw, max_tokens=16)
    assert term is not None
    assert (term.text, term.exact) == (text, exact)


def test_query_term_of_punctuation_is_none():
    assert query_term("%_*\\\"'-", max_tokens=16) is None


def test_query_term_caps_its_tokens_and_is_then_not_exact():
    term = query_term("あいうえおかきくけこさしすせそ", max_tokens=4)
    assert term is not None
    assert len(term.tokens) == 4
    assert not term.exact
