"""The sanitiser: only the rich text's tags, only safe links, nothing active."""

import re

import pytest

from scrapers.parsing import sanitise_html
from scrapers.parsing.sanitise import ALLOWED_TAGS, clean_text, text_to_html

BASE = "https://www.city.example/news/2026/item.html"


def clean(html: str) -> str:
    return sanitise_html(html, base_url=BASE)


def only_allowed_tags(html: str) -> bool:
    return set(re.findall(r"</?([a-zA-Z0-9]+)", html)) <= ALLOWED_TAGS


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src="x" onerror="alert(1)">',
        "<body onload=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<a href="&#x6A;&#x61;vascript&#58;alert(1)">x</a>',
        '<a href="java\tscript:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="java\nscript:alert(1)">x</a>',
        '<a href="java&NewLine;script:alert(1)">x</a>',
        '<a href="  javascript:alert(1)">x</a>',
        '<a href="\x01javascript:alert(1)">x</a>',
        '<a href="vbscript:msgbox(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
        '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
        '<iframe src="https://evil.example/"></iframe>',
        "<style>body { background: url(javascript:alert(1)) }</style>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<svg onload=alert(1)><circle r=1 /></svg>",
        "<svg><script>alert(1)</script></svg>",
        '<math><a xlink:href="javascript:alert(1)">x</a></math>',
        '<object data="https://evil.example/x.swf"></object>',
        '<embed src="https://evil.example/x.swf">',
        '<form action="https://evil.example/">'
        '<button formaction="javascript:alert(1)">go</button></form>',
        '<div onmouseover="alert(1)">hover</div>',
        "<p>a<!-- <script>alert(1)</script> -->b</p>",
        '<a href="https://ok.example/" onclick="alert(1)" style="color:red" '
        'target="_blank">x</a>',
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
        '<base href="javascript:alert(1)//">',
        '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    ],
)
def test_nothing_active_survives(hostile):
    out = clean(hostile).lower()
    for bad in (
        "<script",
        "javascript",
        "vbscript",
        "data:",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "style",
        "<iframe",
        "<svg",
        "<img",
        "<object",
        "<embed",
        "<math",
        "<meta",
        "<base",
        "target=",
    ):
        assert bad not in out, (hostile, out)
    assert only_allowed_tags(out)


def test_scripts_styles_and_frames_go_with_their_content():
    out = clean(
        "<p>kept</p><script>var secret = 1;</script><style>.x{}</style>"
        "<iframe>frame text</iframe><noscript>enable js</noscript><p>also kept</p>"
    )
    assert out == "<p>kept</p><p>also kept</p>"


def test_formatting_is_mapped_to_the_rich_text_features():
    out = clean(
        "<h1>Title</h1><h5>Small</h5><h6>Smaller</h6>"
        "<p><strong>bold</strong> <em>italic</em> <u>under</u> <span>span</span></p>"
    )
    assert out == (
        "<h2>Title</h2><h4>Small</h4><h4>Smaller</h4>"
        "<p><b>bold</b> <i>italic</i> under span</p>"
    )


def test_divs_become_paragraphs_and_loose_text_is_gathered():
    out = clean(
        "<div>First</div><section><div>Second</div></section>"
        "<div>Intro<p>Para</p>tail <b>bold</b></div>Loose"
    )
    assert out == (
        "<p>First</p><p>Second</p><p>Intro</p><p>Para</p><p>tail <b>bold</b></p>"
        "<p>Loose</p>"
    )


def test_lists_quotes_rules_and_breaks_are_kept():
    html = (
        "<ul><li>one</li><li>two</li></ul><ol><li>1</li></ol><hr>"
        "<blockquote>q</blockquote><p>a<br>b</p>"
    )
    assert clean(html) == html


def test_table_cells_keep_apart():
    assert clean("<table><tr><td>a</td><td>b</td></tr></table>") == "<p>a b</p>"


def test_links_are_absolute_http_https_or_mailto_with_rel():
    out = clean(
        '<p><a href="/contact">c</a> <a href="../2025/old.html">o</a> '
        '<a href="//cdn.example/x">p</a> <a href="mailto:press@city.example">m</a> '
        '<a href="ftp://files.example/">f</a> <a href="#top">t</a> <a>n</a></p>'
    )
    rel = 'rel="noopener noreferrer"'
    assert out == (
        f'<p><a href="https://www.city.example/contact" {rel}>c</a> '
        f'<a href="https://www.city.example/news/2025/old.html" {rel}>o</a> '
        f'<a href="https://cdn.example/x" {rel}>p</a> '
        f'<a href="mailto:press@city.example" {rel}>m</a> f '
        f'<a href="https://www.city.example/news/2026/item.html#top" {rel}>t</a>'
        " n</p>"
    )


def test_protocol_relative_links_take_the_base_scheme():
    out = sanitise_html(
        '<a href="//evil.example/">x</a>', base_url="http://city.example/"
    )
    assert 'href="http://evil.example/"' in out


def test_without_a_usable_base_relative_links_are_dropped():
    assert sanitise_html('<a href="/x">x</a>', base_url="") == "<p>x</p>"


def test_text_is_escaped_and_entities_survive():
    out = clean("<p>5 &lt; 6 &amp; AT&amp;T &eacute;t&eacute;</p>")
    assert out == "<p>5 &lt; 6 &amp; AT&amp;T été</p>"


def test_empty_input_and_empty_paragraphs_give_nothing():
    assert clean("") == ""
    assert clean("<p> </p><p><br></p><div></div>") == ""


def test_plain_text_is_escaped_and_wrapped():
    assert text_to_html("Line <one>\nline two\n\nSecond & last") == (
        "<p>Line &lt;one&gt;<br>line two</p><p>Second &amp; last</p>"
    )


def test_titles_are_plain_one_line_text():
    assert (
        clean_text("  Budget&nbsp;2026\n\t<b>vote</b> ", is_html=True)
        == "Budget 2026 vote"
    )
    assert clean_text("a < b & c") == "a < b & c"
    assert (
        clean_text("欲張りなイヌ\u3000＜福娘童話集＞")
        == "欲張りなイヌ\u3000＜福娘童話集＞"
    )
