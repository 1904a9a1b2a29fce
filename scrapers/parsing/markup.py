"""Broken markup that would hide an article's text, found and closed.

The sanitiser drops script, style, svg, select... with their content. An
element of that kind left open makes everything after it its content:
``<p>Intro</p><style>p{}<p>The article...`` would come out as "Intro" alone.
Before parsing, such an element is closed where the next block of text
begins (a ``<p>``, ``<div>``, heading, list...; else the next tag), so
what it really held is still dropped and the text after it is kept; the
caller is told which ones, for a note. ``<embed>`` is a void element that
lxml's parser reads as a container, so it is closed at once, without a note
(the markup was right).

``text_lost`` is the net under it: how much text a sanitised fragment lost
against a rough reading of its source, for breakage nobody foresaw.
"""

import html as html_lib
import re

# Read as text up to their end tag: nothing inside is markup.
RAW_TEXT = (
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
)
# Containers the sanitiser drops with everything inside.
DROPPED_CONTAINERS = (
    "svg",
    "math",
    "template",
    "object",
    "select",
    "button",
    "canvas",
    "audio",
    "video",
    "picture",
    "map",
    "datalist",
    "applet",
    "frameset",
)
_RAW_OR_COMMENT = re.compile(r"<!--|<(" + "|".join(RAW_TEXT) + r")\b[^>]*>", re.I)
_CONTAINER_TAG = re.compile(
    r"<(/?)(" + "|".join(DROPPED_CONTAINERS) + r")\b[^>]*?(/?)>", re.I
)
_EMBED = re.compile(r"<embed\b[^>]*>(?!\s*</embed)", re.I)
_NEXT_BLOCK = re.compile(
    r"<(?:p|div|h[1-6]|ul|ol|li|dl|table|section|article|main|header|footer|"
    r"aside|nav|figure|blockquote|pre|body)\b",
    re.I,
)
_NEXT_TAG = re.compile(r"</?[A-Za-z]")
_QUICK = re.compile(
    r"<(?:!--|/?(?:" + "|".join(RAW_TEXT + DROPPED_CONTAINERS) + r"|embed)\b)", re.I
)


def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(r"</" + name + r"\s*>", re.I)


def _next_boundary(html: str, start: int) -> int:
    found = _NEXT_BLOCK.search(html, start) or _NEXT_TAG.search(html, start)
    return found.start() if found else len(html)


def repair_unclosed(html: str) -> tuple[str, list[str]]:
    """``html`` with every element that would swallow the text after it
    closed, and the names of those closed ("!--" for a comment)."""
    if not _QUICK.search(html):
        return html, []
    repaired: list[str] = []
    html = _EMBED.sub(lambda match: match.group(0) + "</embed>", html)
    # Raw text and comments first, in order: inside them nothing is a tag.
    raw_spans: list[tuple[int, int]] = []
    position = 0
    while match := _RAW_OR_COMMENT.search(html, position):
        if match.group(0) == "<!--":
            end = html.find("-->", match.end())
            if end >= 0:
                raw_spans.append((match.start(), end + 3))
                position = end + 3
                continue
            boundary = _next_boundary(html, match.end())
            html = html[:boundary] + "-->" + html[boundary:]
            repaired.append("!--")
            raw_spans.append((match.start(), boundary + 3))
            position = boundary + 3
            continue
        name = match.group(1).lower()
        closing = _end_tag(name).search(html, match.end())
        if closing and name != "plaintext":
            raw_spans.append((match.start(), closing.end()))
            position = closing.end()
            continue
        boundary = _next_boundary(html, match.end())
        if name == "plaintext":
            # Never closed in HTML: everything after it is its text. Drop
            # the tag itself and keep that text.
            html = html[: match.start()] + html[match.end() :]
            repaired.append(name)
            position = match.start()
            continue
        close = f"</{name}>"
        html = html[:boundary] + close + html[boundary:]
        repaired.append(name)
        raw_spans.append((match.start(), boundary + len(close)))
        position = boundary + len(close)
    return _close_containers(html, raw_spans, repaired)


def _close_containers(
    html: str, raw_spans: list[tuple[int, int]], repaired: list[str]
) -> tuple[str, list[str]]:
    def in_raw(index: int) -> bool:
        return any(start <= index < end for start, end in raw_spans)

    open_tags: list[tuple[str, int]] = []
    for match in _CONTAINER_TAG.finditer(html):
        if in_raw(match.start()):
            continue
        slash, name, self_closing = (
            match.group(1),
            match.group(2).lower(),
            match.group(3),
        )
        if self_closing:
            continue
        if not slash:
            open_tags.append((name, match.end()))
            continue
        for index in range(len(open_tags) - 1, -1, -1):
            if open_tags[index][0] == name:
                del open_tags[index:]
                break
    # Last first, so the earlier positions stay right.
    for name, after in reversed(open_tags):
        boundary = _next_boundary(html, after)
        html = html[:boundary] + f"</{name}>" + html[boundary:]
        repaired.append(name)
    return html, repaired


_DROPPED_ELEMENT = re.compile(
    r"<(" + "|".join(RAW_TEXT + DROPPED_CONTAINERS) + r"|head)\b.*?</\1\s*>",
    re.I | re.S,
)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]*>")
# Less than this is no loss worth a note: markup sometimes holds a few
# characters the sanitiser rightly drops.
MIN_LOST_CHARACTERS = 40
MIN_LOST_SHARE = 0.25


def visible_length(html: str, *, sanitised: bool = False) -> int:
    """Characters of text (spaces aside) in markup, read roughly: without
    the elements the sanitiser drops with their content, and comments
    (which ``sanitised`` markup has none of)."""
    if not sanitised and _QUICK.search(html):
        html = _COMMENT.sub(" ", _DROPPED_ELEMENT.sub(" ", html))
    text = _TAG.sub(" ", html)
    if "&" in text:
        text = html_lib.unescape(text)
    return len("".join(text.split()))


def text_lost(source: str, sanitised: str) -> int:
    """About how many characters of ``source``'s text are missing from
    ``sanitised``; 0 when the loss is too small to say."""
    expected = visible_length(source)
    lost = expected - visible_length(sanitised, sanitised=True)
    if lost >= MIN_LOST_CHARACTERS and lost >= expected * MIN_LOST_SHARE:
        return lost
    return 0
