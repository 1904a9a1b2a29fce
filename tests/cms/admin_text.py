"""Read an admin page as its reader does: the visible text, the heading, and
the English left in it.

Used by ``test_admin_japanese``; kept apart so that the rules (what counts as
visible, what English is allowed) are in one place and explained.
"""

import re
from html.parser import HTMLParser

# Elements whose content is not shown as text.
HIDDEN = {"script", "style", "template", "noscript", "svg", "textarea", "code", "pre"}
# Attributes read aloud or shown on hover: they must be Japanese too.
SPOKEN_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")

# English that stays English in the Japanese admin, and why:
ALLOWED_WORDS = {
    # Names of services, products and formats, as Japanese staff write them.
    *("DeepL", "Mailchimp", "Wagtail", "wagtail-localize", "Tsunagu", "Excel"),
    *("RSS", "Atom", "JSON", "Feed", "RDF", "HTML", "CSS", "CSV", "UTF-8", "URL"),
    *("API", "X", "WebSub", "Webhook", "ETag", "HTTP", "Retry-After", "Cookie"),
    # The admin language menu names each language in itself.
    "English",
}
# An ASCII word: letters, with inner apostrophes or hyphens.
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")
# An acronym (capitals, digits allowed: "CDN", "UTC", "HMAC-SHA256")
# is a name, not English a reader must understand.
ACRONYM = re.compile(r"[A-Z][A-Z0-9-]{1,11}")


# Elements with no end tag.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta"}
VOID |= {"source", "track", "wbr", "param"}


class _Reader(HTMLParser):
    """Collects the text a reader sees or hears: not scripts, templates or
    code, nor elements marked ``hidden`` (Wagtail leaves placeholders in
    some, e.g. "None" in an empty counter)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.texts: list[str] = []
        self.h1: list[str] = []

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.open)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag not in VOID:
            self.open.append((tag, tag in HIDDEN or "hidden" in values))
        if self.hidden:
            return
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                return

    def handle_data(self, data: str) -> None:
        if self.hidden or not data.strip():
            return
        self.texts.append(data)
        if any(tag == "h1" for tag, _hides in self.open):
            self.h1.append(data.strip())


def page_read(html: str) -> tuple[list[str], str]:
    """The page's visible texts and its first <h1>."""
    reader = _Reader()
    reader.feed(html)
    return reader.texts, " ".join(reader.h1).strip()


def english_left(texts: list[str], user_data: list[str]) -> list[str]:
    """The texts that still hold English words, with the user's own data
    (titles, names, addresses, codes from the database) taken out first."""
    found = []
    data = sorted({d for d in user_data if d and len(d) > 1}, key=len, reverse=True)
    for text in texts:
        # Addresses first: the data (a host name) may be part of one.
        rest = re.sub(r"https?://\S+|\S+@\S+|\S+\.(?:xml|json|csv|html)\b", " ", text)
        for datum in data:
            if datum in rest:
                rest = rest.replace(datum, " ")
        words = [
            word
            for word in WORD.findall(rest)
            if word not in ALLOWED_WORDS and not ACRONYM.fullmatch(word)
        ]
        if words:
            found.append(" ".join(text.split()))
    return found
