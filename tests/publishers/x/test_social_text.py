"""Weighted length as twitter-text's v3 configuration defines it, hashtags,
and recognising our post in what X shows back.

Every expected length is worked out by hand from config/v3.json: weight 1
for U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037, 2 for
everything else, 2 for an emoji whatever its code points, 23 for a URL, after
NFC normalisation. Cases marked "conformance" are also in twitter-text's own
conformance/validate.yml (WeightedTweetsWithDiscountedEmojiCounterTest).
"""

import pytest

from publishers.social_text import hashtag, post_matches, weighted_length

CASES = [
    # -- Japanese, Chinese, Korean ---------------------------------------
    # 17 characters (Kanji, Hiragana, 。), all above U+10FF: 17 × 2.
    ("東京都は新しい防災計画を発表した。", 34),
    # Katakana with the long vowel mark ー (U+30FC): 7 × 2.
    ("ニューヨーク", 12),
    # 「 and 」 (U+300C, U+300D) are outside the ranges: 2 each; 4 Kanji/Kana.
    ("「防災の日」", 12),
    # 『 』 and the full-width ！ (U+FF01): 2 each, with 2 Kana: 4 × 2.
    ("『速報』！", 10),
    # The ideographic space U+3000 weighs 2, the ASCII space 1.
    ("東京\u3000大阪 京都", 2 * 2 + 2 + 2 * 2 + 1 + 2 * 2),
    # Chinese: 8 Han and the full-width comma ， (U+FF0C): 9 × 2.
    ("北京市发布新规定，", 18),
    # Korean: 12 Hangul syllables × 2 and 3 ASCII spaces.
    ("서울시가 새 정책을 발표했다", 27),
    # Conjoining jamo ᄀ + ᅡ are composed by NFC into one syllable 가: 2.
    ("\u1100\u1161", 2),
    # -- mixed Latin and CJK -------------------------------------------------
    # "NY" 2, 事務所 6, ":" 1, " " 1, "AI" 2, の活用 6.
    ("NY事務所: AIの活用", 18),
    # Full-width Latin letters (U+FF21…) are not in the ranges: 3 × 2.
    ("ＡＢＣ", 6),
    # Half-width Katakana (U+FF71…) neither: 3 × 2.
    ("ｱｲｳ", 6),
    # -- Latin, other weight-1 scripts, punctuation ---------------------
    ("This is a test.", 15),  # conformance: 15 ASCII characters
    # é written as e + U+0301 becomes one code point under NFC: 4.
    ("cafe\u0301", 4),
    # Thai is inside U+0000–U+10FF: 6 code points × 1.
    ("สวัสดี", 6),
    # Em dash U+2014 and the quotes U+2018/9, U+201C/D lie in 8208–8223: 1.
    ("\u2014\u2018\u2019\u201c\u201d", 5),
    # … (U+2026 = 8230) and • (U+2022 = 8226) fall just outside: 2 each.
    ("\u2026\u2022", 4),
    # € (U+20AC) is outside: 2; ′ (U+2032) inside: 1.
    ("€′", 3),
    # -- emoji ---------------------------------------------------------------
    ("👍", 2),  # one code point outside the ranges
    ("👍🏽", 2),  # thumbs up + skin tone modifier: one emoji
    ("👨\u200d👩\u200d👧\u200d👦", 2),  # family, 7 code points joined by ZWJ
    ("👩🏽\u200d💻", 2),  # skin tone inside a ZWJ sequence
    ("🇯🇵🇫🇷", 4),  # two flags, each a pair of regional indicators
    ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # tags
    ("1\ufe0f\u20e3#\ufe0f\u20e3", 4),  # two keycaps: digit/#, VS16, U+20E3
    ("\u2764\ufe0f", 2),  # red heart with emoji presentation selector
    ("\u263a", 2),  # ☺ alone: outside the ranges anyway
    ("\u263a\ufe0e", 4),  # ☺ asking for text presentation: 2 + VS15 2
    ("©", 1),  # © (U+00A9) as text sits in the weight-1 range
    ("\u00a9\ufe0f", 2),  # ©️ with emoji presentation: one emoji
    ("Hi 👋🏻!", 6),  # 3 + 2 + 1
    ("H🐱☺👨\u200d👩\u200d👧\u200d👦", 7),  # conformance: 1 + 2 + 2 + 2
    ("🙋🏽👨\u200d🎤", 4),  # conformance: two emoji
    ("😷👾😡🔥💩", 10),  # conformance: five emoji
    ("防災🚨訓練", 10),  # 4 Kanji × 2 + one emoji
    # -- URLs ----------------------------------------------------------------
    ("http://test.co", 23),  # conformance
    ("Hi http://test.co", 26),  # conformance: 3 + 23
    # conformance: 4 + 1 + 23 + 6 + 23 + 1 + 23 ("test.com") + 5
    ("Test https://test.com test https://test.com test.com test", 86),
    # A long URL with a query: 23 all the same.
    ("https://www.city.tokyo.lg.jp/ja/news/2026/11/very/long/index.html?id=1", 23),
    # 詳細は 6, URL 23 (the path stops before 。), 。続き 6.
    ("詳細はhttps://www.city.tokyo.lg.jp/ja/news.html。続き", 35),
    # Japanese right after a host without a path is not part of the link.
    ("https://example.com詳細", 23 + 4),
    # The trailing full stop and closing parenthesis are not in the link.
    ("See https://example.com/a.", 4 + 23 + 1),
    ("(https://example.com/a)", 1 + 23 + 1),
    # Balanced parentheses stay in the path: all 23 in one link.
    ("https://en.wikipedia.org/wiki/Foo_(bar)", 23),
    # Without a scheme: a generic TLD, a subdomain, a path: 23 each.
    ("example.com", 23),
    ("www.foo.jp", 23),
    ("nhk.or.jp", 23),
    ("foo.jp/news", 23),
    # A single name before a country code without a path is not a link.
    ("foo.jp", 6),
    # ...except t.co (twitter-text's special short domain).
    ("t.co", 23),
    # An e-mail address is not a link: 18 characters.
    ("mail info@city.gov", 18),
    # conformance: a 64-character label is no domain: 64 + ".com".
    ("randomurl" * 7 + "s.com", 68),
    # Three links in Japanese text: 3 × 23, と と 2 × 2, の記事を参照 6 × 2.
    ("https://a.jpとhttps://b.jpとhttps://c.jpの記事を参照", 3 * 23 + 2 * 2 + 6 * 2),
    # A host label too long once punycode-encoded is not a link (twitter-text):
    # "http://" 7 + 80 Hiragana × 2 + ".com" 4.
    ("http://" + "あ" * 80 + ".com", 7 + 160 + 4),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_weighted_length_follows_twitter_text_v3(text, expected):
    assert weighted_length(text) == expected


def test_weighted_length_of_280_japanese_characters_is_560():
    # conformance: 140 CJK characters fill a post.
    assert weighted_length("の" * 140) == 280
    assert weighted_length("の" * 141) == 282


def test_weighted_length_of_nothing_is_zero():
    assert weighted_length("") == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("New York", "#NewYork"),
        ("ニューヨーク事務所", "#ニューヨーク事務所"),
        ("防災・減災", "#防災減災"),
        ("Île-de-France", "#ÎleDeFrance"),
        ("COVID-19", "#COVID19"),
        ("climate change", "#ClimateChange"),
        ("#Seoul", "#Seoul"),
        ("서울", "#서울"),
        ("北京", "#北京"),
        ("ＡＩ活用", "#AI活用"),  # full-width Latin made ASCII (NFKC)
        ("smart_city", "#smart_city"),
        ("2026", ""),  # all digits: X links no hashtag
        ("", ""),
        ("🌏 & ✨", ""),
    ],
)
def test_hashtag_keeps_letters_digits_and_underscores(name, expected):
    assert hashtag(name) == expected


def test_post_matches_what_x_shows_back():
    sent = "Lyon & Paris <news>\nhttps://tsunagu.example.jp/ja/articles/lyon/ #Lyon"
    seen = "Lyon &amp; Paris &lt;news&gt;\nhttps://t.co/AbCdEf1234 #Lyon"
    assert post_matches(sent=sent, seen=seen)
    assert not post_matches(sent=sent, seen=seen.replace("Paris", "Lille"))
