"""The right characters whatever the declaration says, and feedparser sees them."""

import codecs

import pytest

from scrapers.parsing import decode, decode_document, parse_feed

from .conftest import PARIS

RUSSIAN = "Мэрия Москвы открыла новую библиотеку для жителей района"
JAPANESE = "東京都は外国人住民向けの生活ガイドを公開しました。多言語で読めます。"
KOREAN = "서울시는 외국인 주민을 위한 생활 안내서를 발간했다"


def rss(title: str, *, declaration: str = "") -> str:
    return (
        f'{declaration}<rss version="2.0"><channel><title>{title}</title>'
        f"<item><title>{title}</title><link>https://city.example/1</link></item>"
        "</channel></rss>"
    )


def titles(body: bytes, content_type: str | None) -> list[str]:
    feed = parse_feed(
        body, url="https://city.example/f", content_type=content_type, default_tz=PARIS
    )
    return [feed.title, *(entry.title for entry in feed.entries)]


def test_charset_only_in_the_http_header():
    body = rss(RUSSIAN).encode("cp1251")
    assert (
        decode_document(body, "application/rss+xml; charset=windows-1251").source
        == "http"
    )
    assert titles(body, "application/rss+xml; charset=windows-1251") == [
        RUSSIAN,
        RUSSIAN,
    ]


def test_charset_only_in_the_xml_declaration():
    body = rss(RUSSIAN, declaration='<?xml version="1.0" encoding="koi8-r"?>').encode(
        "koi8_r"
    )
    assert decode_document(body, "text/xml").source == "document"
    assert titles(body, "text/xml") == [RUSSIAN, RUSSIAN]


def test_charset_only_in_an_html_meta_tag():
    body = (
        '<html><head><meta http-equiv="Content-Type" '
        'content="text/html; charset=EUC-JP">'
        f"</head><body><p>{JAPANESE}</p></body></html>"
    ).encode("euc_jp")
    assert JAPANESE in decode(body, "text/html")
    body = '<meta charset="gbk"><body>北京市人民政府</body>'.encode("gbk")
    assert "北京市人民政府" in decode(body, "text/html")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (JAPANESE, "shift_jis"),
        (JAPANESE, "euc_jp"),
        (KOREAN, "euc_kr"),
        (RUSSIAN, "cp1251"),
        ("北京市人民政府发布新的城市防灾减灾规划，加强社区应急能力建设。", "gb2312"),
        ("臺北市政府發布新的防災計畫，加強社區應變能力。", "big5"),
        (JAPANESE, "iso2022_jp"),
    ],
)
def test_charset_declared_nowhere_is_detected(text, encoding):
    body = rss(text).encode(encoding)
    assert titles(body, None) == [text, text]
    assert decode_document(body, None).source in {"detected", "utf-8"}


def test_a_bom_beats_the_header():
    body = codecs.BOM_UTF8 + rss("Besançon").encode()
    assert titles(body, "text/xml; charset=iso-8859-1") == ["Besançon", "Besançon"]
    body = rss("Besançon").encode("utf-16")  # with its BOM
    assert titles(body, "text/xml; charset=utf-8") == ["Besançon", "Besançon"]


def test_the_header_beats_the_document():
    body = rss(RUSSIAN, declaration='<?xml version="1.0" encoding="windows-1251"?>')
    assert titles(body.encode("koi8_r"), "text/xml; charset=koi8-r") == [
        RUSSIAN,
        RUSSIAN,
    ]


def test_a_latin_1_header_is_taken_for_the_servers_default():
    body = rss(RUSSIAN, declaration='<?xml version="1.0" encoding="windows-1251"?>')
    assert titles(body.encode("cp1251"), "text/xml; charset=ISO-8859-1") == [
        RUSSIAN,
        RUSSIAN,
    ]


@pytest.mark.parametrize(
    ("declared", "text", "encoding"),
    [
        # The declared names mean their supersets, as in browsers.
        ("ISO-8859-1", "Mairie – l’été €", "cp1252"),
        ("us-ascii", "Mairie – l’été", "cp1252"),
        ("GB2312", "朱镕基", "gbk"),
        ("Shift_JIS", "①髙橋", "cp932"),
        ("EUC-KR", "똠방각하", "cp949"),
    ],
)
def test_legacy_names_mean_their_supersets(declared, text, encoding):
    body = rss(text, declaration=f'<?xml version="1.0" encoding="{declared}"?>').encode(
        encoding
    )
    assert titles(body, None) == [text, text]


def test_a_wrong_declaration_falls_back_to_what_the_bytes_are():
    body = rss("Besançon, été", declaration='<?xml version="1.0" encoding="utf-8"?>')
    decoded = decode_document(body.encode("cp1252"), None)
    assert "Besançon, été" in decoded.text
    assert decoded.warnings
    body = rss(
        RUSSIAN, declaration='<?xml version="1.0" encoding="iso-8859-1"?>'
    ).encode()
    assert titles(body, None) == [RUSSIAN, RUSSIAN]  # valid UTF-8 is UTF-8


def test_double_encoded_utf8_is_repaired():
    mojibake = "Kältewelle in Köln".encode().decode("cp1252").encode()
    decoded = decode_document(rss(mojibake.decode()).encode(), None)
    assert "Kältewelle in Köln" in decoded.text
    assert any("encoded twice" in warning for warning in decoded.warnings)


def test_text_that_merely_contains_latin_letters_is_not_repaired():
    text = "São Paulo: ÃO, Â, Ð and Ñ stay as written"
    assert decode(rss(text).encode(), None).count(text) == 2


def test_utf16_without_bom_but_with_its_declaration():
    body = rss(KOREAN, declaration='<?xml version="1.0" encoding="utf-16"?>').encode(
        "utf-16-le"
    )
    assert titles(body, None) == [KOREAN, KOREAN]
