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


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.texts: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in HIDDEN:
            self.hidden_depth += 1
            return
        if tag == "h1":
            self._in_h1 += 1
        if self.hidden_depth:
            return
        values = dict(attrs)
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.texts.append(values[name])

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag == "h1":
            self._in_h1 = max(0, self._in_h1 - 1)

    def handle_data(self, data: str) -> None:
        if self.hidden_depth or not data.strip():
            return
        self.texts.append(data)
        if self._in_h1:
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
        rest = text
        for datum in data:
            if datum in rest:
                rest = rest.replace(datum, " ")
        rest = re.sub(r"https?://\S+|\S+@\S+|\S+\.(?:xml|json|csv|html)\b", " ", rest)
        words = [
            word
            for word in WORD.findall(rest)
            if word not in ALLOWED_WORDS and not ACRONYM.fullmatch(word)
        ]
        if words:
            found.append(" ".join(text.split()))
    return found
