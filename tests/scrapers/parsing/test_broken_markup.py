"""Broken markup never swallows the text after it without a note."""

import pytest

from scrapers.parsing import Note, extract_article, parse_list_page, sanitise_html
from scrapers.parsing.results import ListRule

from .test_sanitise import only_allowed_tags

BASE = "https://www.city.example/news/"
TEXT = "Le conseil municipal a adopté un plan d'accueil pour les nouveaux habitants."


@pytest.mark.parametrize(
    "opening",
    [
        "<style>p { color: red }",
        "<STYLE type='text/css'>p{}",
        "<script>var a = 1; if (a<b) {}",
        "<script src='x.js'>",
        "<noscript>Activez JavaScript",
        "<textarea>",
        "<title>Titre",
        "<iframe src='https://video.example/'>",
        "<xmp>",
        "<noembed>",
        "<noframes>",
        "<plaintext>",
        "<svg viewBox='0 0 1 1'><path d='M0 0'/>",
        "<math><mi>x</mi>",
        "<template>",
        "<object data='x.swf'>",
        "<select><option>a",
        "<button>Partager",
        "<video src='x.mp4'>",
        "<!-- un commentaire jamais fermé",
    ],
)
def test_an_unclosed_element_keeps_the_text_after_it_and_says_so(opening):
    notes: list[Note] = []
    html = sanitise_html(
        f"<p>Intro.</p>{opening}<p>{TEXT}</p><ul><li>Point</li></ul>",
        base_url=BASE,
        notes=notes,
    )
    assert "Le conseil municipal a adopté un plan d" in html, html
    assert "<li>Point</li>" in html
    assert only_allowed_tags(html)
    assert [note.code for note in notes] == ["markup_unclosed"]
    assert "<script" not in html and "color: red" not in html


def test_an_embed_is_void_and_hides_nothing():
    notes: list[Note] = []
    html = sanitise_html(
        f"<p>Intro.</p><embed src='x.swf'><p>{TEXT}</p>", base_url=BASE, notes=notes
    )
    assert "plan d" in html and notes == []


def test_closed_elements_give_no_note():
    notes: list[Note] = []
    html = sanitise_html(
        "<p>Intro.</p><style>p{}</style><script>if (a<b) {}</script><!-- ok -->"
        f"<svg><g></g></svg><select><option>x</option></select><p>{TEXT}</p>",
        base_url=BASE,
        notes=notes,
    )
    assert "plan d" in html and notes == []


def test_text_hidden_by_breakage_nobody_foresaw_is_noted():
    notes: list[Note] = []
    sanitise_html(
        f"<p>Intro.</p><a href='https://city.example/x>{TEXT} {TEXT}</a>",
        base_url=BASE,
        notes=notes,
    )
    assert [note.code for note in notes] == ["markup_text_lost"]
    assert int(dict(notes[0].params)["chars"]) > 100


def test_an_unclosed_script_on_an_article_page_hides_nothing_from_extraction():
    paragraph = f"<p>{TEXT} {TEXT}</p>" * 4
    page = (
        "<!DOCTYPE html><html lang='fr'><head><title>T</title></head><body><main>"
        f"<article><h1>Titre</h1><p>Intro.</p><script>var a = 1;{paragraph}"
        "</article></main></body></html>"
    ).encode()
    article = extract_article(
        page, url=BASE + "a.html", content_type="text/html; charset=utf-8"
    )
    assert "plan d'accueil" in article.text
    assert [note.code for note in article.notes] == ["markup_unclosed"]


def test_an_unclosed_style_on_a_list_page_hides_no_item():
    page = (
        "<html><head><title>Actualités</title><style>ul { margin: 0 }"
        "</head><body><ul>"
        + "".join(f"<li><a href='/n/{n}'>Nouvelle {n}</a></li>" for n in range(3))
        + "</ul></body></html>"
    ).encode()
    feed = parse_list_page(
        page,
        url=BASE,
        content_type="text/html; charset=utf-8",
        rule=ListRule(item="li"),
        default_tz=None,
    )
    assert [entry.title for entry in feed.entries] == [
        "Nouvelle 0",
        "Nouvelle 1",
        "Nouvelle 2",
    ]
    assert any("unclosed <style>" in warning for warning in feed.warnings)


def test_markup_nested_deeper_than_lxml_reads_keeps_its_text():
    notes: list[Note] = []
    deep = "<div>" * 1000 + f"<p>{TEXT}</p>" + "</div>" * 1000 + "<p>Après.</p>"
    html = sanitise_html(deep, base_url=BASE, notes=notes)
    assert "plan d" in html and "Après." in html
    assert only_allowed_tags(html) and notes == []
