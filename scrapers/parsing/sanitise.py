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

import html as html_lib
import logging
import re
import unicodedata

import lxml.etree
import lxml.html
import nh3

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


def _reshape(fragment: str) -> str:
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return fragment
    # Children before parents, so a container knows what it holds.
    for element in reversed(list(root.iter())):
        if element is root:
            break
        if not _is_element(element):
            continue
        tag = element.tag = element.tag.lower()
        if tag in DROPPED_WITH_CONTENT:
            element.drop_tree()
        elif tag in _RENAMED:
            element.tag = _RENAMED[tag]
        elif tag == "a" and element.get("href") is not None:
            # As browsers read it: tabs and newlines anywhere and C0 controls
            # or spaces around do not count, so nh3 sees the real scheme.
            element.set("href", _URL_NOISE.sub("", element.get("href")).strip(_C0))
        elif tag in _CELLS:
            element.tail = " " + (element.tail or "")
            element.drop_tag()
        elif tag in _CONTAINERS:
            if any(_is_element(child) and child.tag in _ANY_BLOCK for child in element):
                _wrap_inline_runs(element)
                element.drop_tag()
            else:
                element.tag = "p"
                element.attrib.clear()
    _wrap_inline_runs(root)
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in root)


def _cleaner_url(base_url: str) -> object:
    if base_url.lower().startswith(("http://", "https://")):
        return ("rewrite_with_base", base_url)
    return "deny"


def sanitise_html(html: str, *, base_url: str) -> str:
    """``html`` reduced to the rich-text allow-list, links made absolute."""
    if not html or not html.strip():
        return ""
    html = _CONTROLS.sub("", _XML_DECLARATION.sub("", html))
    reshaped = _reshape(html)
    try:
        cleaned = nh3.clean(
            reshaped,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(DROPPED_WITH_CONTENT),
            # "*" empty: ammonia otherwise allows lang and title everywhere.
            attributes={"a": {"href"}, "*": set()},
            url_schemes=set(URL_SCHEMES),
            link_rel=LINK_REL,
            strip_comments=True,
            url_relative=_cleaner_url(base_url),
        )
    except ValueError:
        # An unparseable base URL: keep only links that are already absolute.
        cleaned = nh3.clean(
            reshaped,
            tags=set(ALLOWED_TAGS),
            clean_content_tags=set(DROPPED_WITH_CONTENT),
            attributes={"a": {"href"}, "*": set()},
            url_schemes=set(URL_SCHEMES),
            link_rel=LINK_REL,
            url_relative="deny",
        )
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
        value = nh3.clean(value, tags=set(), clean_content_tags={"script", "style"})
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
    text = html_lib.unescape(
        nh3.clean(marked, tags=set(), clean_content_tags={"script", "style"})
    )
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
