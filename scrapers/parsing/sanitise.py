"""Untrusted HTML down to what an article's rich text allows.

The allow-list is ``cms.models.pages.ARTICLE_RICH_TEXT_FEATURES`` in tags: p,
h2-h4, b, i, ol/ul/li, hr, a (href only), blockquote, br. Two passes:

1. lxml reshapes the markup so the meaning survives the allow-list: strong
   and em become b and i, h1 becomes h2 and h5/h6 h4, a div (section,
   article, table row...) becomes a paragraph when it holds only inline
   content and is unwrapped otherwise, with loose text gathered into
   paragraphs; table cells keep a space between them.
2. nh3 (ammonia) then enforces the allow-list and is the security boundary:
   it drops script, style, iframe, object, svg... with their content, every
   attribute but href on a, every scheme but http, https and mailto (it
   decodes entities and the URL parser drops tabs and newlines first, so
   ``jav&#x09;ascript:`` is still javascript), and resolves relative links
   against the base URL. Links get rel="noopener noreferrer".
"""

import contextlib
import html as html_lib
import logging
import re
import unicodedata

import lxml.etree
import lxml.html
import nh3

from .markup import repair_unclosed, text_lost
from .results import Note

logger = logging.getLogger(__name__)

ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "b", "i", "ol", "ul", "li", "hr", "a", "blockquote", "br"}
)
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "noscript",
        "template",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "select",
        "textarea",
        "button",
        "head",
        "title",
        "frame",
        "frameset",
        "applet",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
        "picture",
        "map",
        "datalist",
    }
)
TITLE_MAX = 1000
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

_RENAMED = {"strong": "b", "em": "i", "h1": "h2", "h5": "h4", "h6": "h4"}
_CONTAINERS = frozenset(
    {
        "div",
        "section",
        "article",
        "main",
        "header",
        "footer",
        "aside",
        "nav",
        "figure",
        "center",
        "address",
        "details",
        "summary",
        "hgroup",
        "fieldset",
        "form",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "dl",
        "body",
        "html",
        "tr",
        "dt",
        "dd",
        "caption",
        "figcaption",
        "pre",
        "legend",
    }
)
_CELLS = frozenset({"td", "th"})
_BLOCKS = frozenset({"p", "h2", "h3", "h4", "ol", "ul", "li", "hr", "blockquote"})
_ANY_BLOCK = _BLOCKS | _CONTAINERS | {"h1", "h5", "h6"}

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>)*</p>")
_SPACE_BEFORE_END = re.compile(r"[ \t\r\n]+</(p|h2|h3|h4|li)>")
_URL_NOISE = re.compile(r"[\t\n\r]")
_C0 = "".join(chr(code) for code in range(0x21))
_HREFLESS_LINK = re.compile(rf'<a rel="{LINK_REL}">(.*?)</a>', re.S)
_SPACES = re.compile(r"[ \t\r\n\f\v\xa0\u200b\ufeff]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_FIRST_BLOCK = re.compile(r"<(p|h2|h3|h4|li|blockquote)>(.*?)</\1>", re.S)
_BLOCK_END = re.compile(r"</(?:p|h2|h3|h4|li|blockquote)>|<br>|<hr>")
# What the URL standard reads as a scheme: without one, a link is relative.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
# The tags _reshape acts on; it leaves others (span, img...) to nh3.
_RESHAPED = DROPPED_WITH_CONTENT | _RENAMED.keys() | {"a"} | _CELLS | _CONTAINERS

# nh3 is the security boundary; these options are the allow-list.
_NH3_OPTIONS = {
    "tags": set(ALLOWED_TAGS),
    "clean_content_tags": set(DROPPED_WITH_CONTENT),
    # "*" empty: ammonia otherwise allows lang and title everywhere.
    "attributes": {"a": {"href"}, "*": set()},
    "url_schemes": set(URL_SCHEMES),
    "link_rel": LINK_REL,
    "strip_comments": True,
}
# Building an ammonia cleaner costs more than most fragments take to clean:
# these are built once. A cleaner that resolves relative links needs the
# entry's base URL, so that one is built per fragment, when it has one.
_ABSOLUTE_LINKS_ONLY = nh3.Cleaner(**_NH3_OPTIONS, url_relative="deny")  # type: ignore[arg-type]
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"})


def _is_element(node: object) -> bool:
    return isinstance(getattr(node, "tag", None), str)


def _wrap_inline_runs(container: lxml.html.HtmlElement) -> None:
    """Put text and inline elements lying between blocks into paragraphs."""
    text, children = container.text, list(container)
    container.text = None
    for child in children:
        container.remove(child)
    paragraph: lxml.html.HtmlElement | None = None

    def add_text(value: str | None) -> None:
        nonlocal paragraph
        if not value:
            return
        if paragraph is None:
            if not value.strip():
                return
            paragraph = lxml.html.Element("p")
            container.append(paragraph)
        if len(paragraph):
            paragraph[-1].tail = (paragraph[-1].tail or "") + value
        else:
            paragraph.text = (paragraph.text or "") + value

    add_text(text)
    for child in children:
        tail, child.tail = child.tail, None
        if _is_element(child) and child.tag in _BLOCKS:
            paragraph = None
            container.append(child)
        elif _is_element(child):
            if paragraph is None:
                paragraph = lxml.html.Element("p")
                container.append(paragraph)
            paragraph.append(child)
        add_text(tail)


def _reshape(fragment: str) -> tuple[str, bool]:
    """The fragment reshaped, and whether nh3 needs the base URL: whether a
    link in it is relative (or the fragment could not be read here)."""
    if "<" not in fragment:
        # Text alone (most feed summaries): one paragraph, as below, without
        # parsing. nh3 still reads it and writes its entities.
        return f"<p>{fragment}</p>", False
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment, True
    relative = False
    # Children before parents, so a container knows what it holds. lxml's
    # HTML parser gives lower-case tag names; comments' and processing
    # instructions' tags are functions, in no set of names.
    for element in reversed(list(root.iter())):
        if element is root:
            break
        tag = element.tag
        if tag not in _RESHAPED:
            continue
        if tag in DROPPED_WITH_CONTENT:
            element.drop_tree()
        elif tag in _RENAMED:
            element.tag = _RENAMED[tag]
        elif tag == "a":
            href = element.get("href")
            if href is not None:
                # As browsers read it: tabs and newlines anywhere and C0
                # controls or spaces around do not count, so nh3 sees the
                # real scheme.
                href = _URL_NOISE.sub("", href).strip(_C0)
                element.set("href", href)
                relative = relative or not _SCHEME.match(href)
        elif tag in _CELLS:
            element.tail = " " + (element.tail or "")
            element.drop_tag()
        elif any(_is_element(child) and child.tag in _ANY_BLOCK for child in element):
            # A container (the only tags left) holding blocks goes, its
            # loose text gathered into paragraphs; one holding none is one.
            _wrap_inline_runs(element)
            element.drop_tag()
        else:
            element.tag = "p"
            element.attrib.clear()
    _wrap_inline_runs(root)
    # The wrapper's own tags off: what is left is its children, tails and all.
    return lxml.etree.tostring(root, method="html", encoding="unicode")[5:-6], relative


def sanitise_html(html: str, *, base_url: str, notes: list[Note] | None = None) -> str:
    """``html`` reduced to the rich-text allow-list, links made absolute.

    Markup that would hide the text after it (an unclosed ``<style>``) is
    repaired first; that, or text lost some other way, is added to
    ``notes`` when given, so the item says so.
    """
    if not html or not html.strip():
        return ""
    html = _CONTROLS.sub("", _XML_DECLARATION.sub("", html))
    html, repaired = repair_unclosed(html)
    cleaned = _sanitise(html, base_url=base_url)
    # Text alone (most summaries) has no markup to lose it to.
    lost = text_lost(html, cleaned) if "<" in html else 0
    if lost:
        # lxml gives up below 255 levels of nesting and drops the rest;
        # ammonia's own parser does not. Its text without our reshaping is
        # better than no text.
        plain = _sanitise(html, base_url=base_url, reshape=False)
        if not text_lost(html, plain):
            cleaned, lost = plain, 0
    if notes is not None:
        for name in dict.fromkeys(repaired):
            notes.append(Note.of("markup_unclosed", tag=name))
        if lost:
            notes.append(Note.of("markup_text_lost", chars=lost))
    return cleaned


def _sanitise(html: str, *, base_url: str, reshape: bool = True) -> str:
    reshaped, relative = _reshape(html) if reshape else (html, True)
    cleaned: str | None = None
    if relative and base_url.lower().startswith(("http://", "https://")):
        # ValueError: an unparseable base URL; then only absolute links stay.
        with contextlib.suppress(ValueError):
            cleaned = nh3.clean(
                reshaped,
                url_relative=("rewrite_with_base", base_url),
                **_NH3_OPTIONS,  # type: ignore[arg-type]
            )
    if cleaned is None:
        # No relative link (or no base to resolve one against): the cleaner
        # built once does the same as one built for this base.
        cleaned = _ABSOLUTE_LINKS_ONLY.clean(reshaped)
    cleaned = _HREFLESS_LINK.sub(r"\1", cleaned)
    cleaned = _SPACE_BEFORE_END.sub(r"</\1>", cleaned)
    cleaned = _EMPTY_PARAGRAPH.sub("", cleaned)
    # One spelling per character (macOS tools write é as e + accent), so
    # texts compare and de-duplicate as they read.
    return unicodedata.normalize("NFC", cleaned.strip())


def text_to_html(text: str) -> str:
    """Plain text as paragraphs: blank lines part them, single newlines are
    line breaks."""
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", text or "").strip())
    if not text:
        return ""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [
            html_lib.escape(_SPACES.sub(" ", line).strip(), quote=False)
            for line in block.split("\n")
        ]
        body = "<br>".join(line for line in lines if line)
        if body:
            paragraphs.append(f"<p>{body}</p>")
    return "".join(paragraphs)


def clean_text(value: str | None, *, is_html: bool = False) -> str:
    """One line of plain text: tags gone (when it is HTML), entities decoded,
    whitespace collapsed. Full-width spaces stay: they are typography."""
    if not value:
        return ""
    if is_html:
        value = _TEXT_ONLY.clean(value)
    value = html_lib.unescape(value)
    value = _CONTROLS.sub("", value)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", value).strip())


def clean_title(value: str | None, *, is_html: bool = False) -> str:
    """clean_text, cut at TITLE_MAX characters: a title, not an article."""
    text = clean_text(value, is_html=is_html)
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1].rstrip() + "…"


def html_to_text(html: str) -> str:
    """The text of sanitised or untrusted HTML, blocks on their own lines."""
    if not html:
        return ""
    marked = _BLOCK_END.sub(lambda match: match.group(0) + "\n", html)
    text = html_lib.unescape(_TEXT_ONLY.clean(marked))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def excerpt_html(html: str, *, limit: int = 400) -> str:
    """The first paragraph of sanitised HTML as a short plain paragraph: the
    summary when a feed only gives the full text."""
    for match in _FIRST_BLOCK.finditer(html or ""):
        text = clean_text(match.group(2), is_html=True)
        if text:
            if len(text) > limit:
                cut = (
                    text[:limit].rsplit(" ", 1)[0]
                    if " " in text[:limit]
                    else text[:limit]
                )
                text = cut.rstrip(" ,;:") + "…"
            return f"<p>{html_lib.escape(text, quote=False)}</p>"
    return ""
