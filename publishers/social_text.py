"""The text of a post on X: its weighted length, hashtags, and a post composed
from an article's title, summary, link and hashtags within X's limit.

Weighted length follows twitter-text's v3 configuration (config/v3.json in
https://github.com/twitter/twitter-text, described on X's "Counting
characters" page, https://docs.x.com/fundamentals/counting-characters):

- the text is NFC-normalised first;
- each code point weighs 1 in the ranges U+0000–U+10FF (Latin, Greek,
  Cyrillic, Hebrew, Arabic, Devanagari, Thai, …), U+2000–U+200D (spaces,
  zero-width joiners), U+2010–U+201F (dashes, quotation marks) and
  U+2032–U+2037 (primes), and 2 everywhere else: Japanese, Chinese, Korean,
  and most symbols; a post may weigh 280;
- an emoji weighs 2 however many code points it is made of;
- a URL weighs 23 however long it is (t.co wraps every link).

What is detected here, and so what this module calls a URL:

- ``http://`` or ``https://`` then a host of dot-separated labels (letters,
  digits, hyphens; non-ASCII letters allowed; each label at most 63
  characters once punycode-encoded, as twitter-text requires) ending in an
  ASCII top-level domain of two or more letters (or ``xn--…``), an optional
  port, and an optional path, query and fragment of URL characters (ASCII,
  accented Latin and Cyrillic letters; it stops at whitespace and at
  Japanese or Chinese text), without trailing punctuation (``.,;:!?'"*``) or
  an unbalanced ``)``. It may not follow an ASCII letter or digit, ``@``,
  ``#`` or ``$``.
- ``domain.tld`` and ``domain.tld/path`` without a scheme, ASCII only, when
  the top-level domain is one of the common generic ones listed below or
  any two-letter country code. As in twitter-text, a single name before a
  country code without a path (``foo.jp``) is not a link, but
  ``www.foo.jp``, ``foo.co.jp`` and ``foo.jp/news`` are.
- IP-address hosts, ``localhost`` and bare unknown top-level domains are
  not detected.

An emoji is an extended grapheme cluster (Unicode's user-perceived
character, the ``regex`` module's ``\\X``) of more than one code point that
holds an Extended_Pictographic or Regional_Indicator code point or a keycap
mark (U+20E3), unless it asks for text presentation (U+FE0E): ZWJ families,
flags, skin tones, keycaps and ``☺️`` each weigh 2. A single code point
needs no test: outside the weight-1 ranges it weighs 2 anyway, and the
text-style symbols inside them (``©``, ``®``, digits) weigh 1 as text.

Composition (``post_compose``) never trusts that detection to the last
character: it fits the post to an upper bound in which anything that looks
like a link (``https?://…`` up to whitespace, ``name.name`` with a TLD-like
ending) weighs the larger of 23 and its own weight, and only the article's
own link (checked to be a real public URL) weighs exactly 23. Where X and
this module disagree about what a link is, the post can only be shorter
than X allows, never longer.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

# The standard library's ``re`` has no grapheme clusters (\X) and no Unicode
# properties; ``regex`` has both and is already installed (dateparser, a
# dependency of trafilatura, needs it).
import regex
from django.template.loader import select_template

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
ELLIPSIS = "…"

# twitter-text config/v3.json: weights are scaled by 100 so that a future
# configuration could weigh a character 1.5.
_SCALE = 100
_DEFAULT_WEIGHT = 200
_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))

_CLUSTER = regex.compile(r"\X")
_EMOJI_PART = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\u20e3]")

# Common generic top-level domains written without a scheme in news text. A
# domain with another generic TLD and no scheme counts as text here; the
# composer's upper bound covers the difference.
# fmt: off
_GENERIC_TLDS = frozenset([
    "com", "net", "org", "info", "biz", "edu", "gov", "mil", "int", "name", "pro",
    "museum", "aero", "coop", "jobs", "mobi", "travel", "asia", "tel", "cat", "post",
    "xxx", "app", "dev", "page", "news", "online", "site", "website",
    "xyz", "top", "club", "live", "life", "space", "world", "global", "city", "tech",
    "store", "shop", "blog", "cloud", "email", "link", "media", "press", "today",
    "tokyo", "osaka", "nyc", "london", "paris", "berlin", "sydney", "brussels",
    "wien", "amsterdam", "moscow", "seoul", "bar", "eus", "scot", "wales",
])
# fmt: on
_LABEL = r"[\p{L}\p{N}](?:[\p{L}\p{N}_-]{0,62}[\p{L}\p{N}])?"
_ASCII_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PATH_CHAR = r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%?#\u00c0-\u024f\u0400-\u04ff]"
_URL_WITH_SCHEME = regex.compile(
    r"(?<![A-Za-z0-9@＠$＄#＃])https?://"
    rf"(?P<host>(?:{_LABEL}\.)+(?:[A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}}))"
    r"(?![A-Za-z0-9_-])(?::[0-9]{1,5})?"
    rf"(?P<rest>[/?#]{_PATH_CHAR}*)?",
    regex.IGNORECASE,
)
_URL_WITHOUT_SCHEME = regex.compile(
    r"(?<![A-Za-z0-9@＠$＄#＃_./-])"
    rf"(?P<host>(?:{_ASCII_LABEL}\.)+(?P<tld>[A-Za-z]{{2,63}}))"
    r"(?![A-Za-z0-9_@-])"
    rf"(?P<rest>/{_PATH_CHAR}*)?",
    regex.IGNORECASE,
)
# Anything a link could be, for the composer's upper bound.
_URL_LIKE = regex.compile(
    r"https?://\S+|(?<![A-Za-z0-9@._-])(?:[A-Za-z0-9_-]+\.)+[A-Za-z]{2,}"
    r"(?![A-Za-z0-9])(?:/\S*)?",
    regex.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\"*"


def weighted_length(text: str) -> int:
    """The length X counts for ``text`` (at most 280 in a post)."""
    text = unicodedata.normalize("NFC", text)
    total = position = 0
    for start, end in _url_spans(text):
        total += _weight(text[position:start]) + URL_WEIGHT * _SCALE
        position = end
    total += _weight(text[position:])
    return total // _SCALE


def _weight(text: str) -> int:
    """Scaled weight of text without URLs."""
    if text.isascii():
        return len(text) * 100
    total = 0
    for cluster in _CLUSTER.findall(text):
        if len(cluster) > 1 and _is_emoji(cluster):
            total += _DEFAULT_WEIGHT
            continue
        for character in cluster:
            total += _code_point_weight(ord(character))
    return total


def _code_point_weight(code_point: int) -> int:
    if code_point <= 4351:
        return 100
    for start, end, weight in _RANGES:
        if start <= code_point <= end:
            return weight
    return _DEFAULT_WEIGHT


def _is_emoji(cluster: str) -> bool:
    return "\ufe0e" not in cluster and _EMOJI_PART.search(cluster) is not None


def _url_spans(text: str) -> list[tuple[int, int]]:
    """Where the URLs are in ``text`` (see the module docstring), in order."""
    if "." not in text:
        return []
    spans = []
    for match in _URL_WITH_SCHEME.finditer(text):
        if _labels_valid(match["host"]):
            rest = match["rest"] or ""
            spans.append(
                (match.start(), match.end() - len(rest) + len(_trim_path(rest)))
            )
    for match in _URL_WITHOUT_SCHEME.finditer(text):
        start, end = match.start(), match.end()
        if any(s < end and start < e for s, e in spans):
            continue
        host, tld, rest = match["host"].lower(), match["tld"].lower(), match["rest"]
        if tld in _GENERIC_TLDS:
            pass
        elif len(tld) != 2:
            continue
        elif not rest and host.count(".") == 1 and host != "t.co":
            # A single name before a country code, without a path, is not a
            # link in twitter-text ("foo.jp"), except its special short ones.
            continue
        rest = rest or ""
        spans.append((start, end - len(rest) + len(_trim_path(rest))))
    return sorted(spans)


def _labels_valid(host: str) -> bool:
    for label in host.split("."):
        if not label.isascii():
            try:
                label = "xn--" + label.encode("punycode").decode("ascii")
            except UnicodeError:
                return False
        if len(label) > 63:
            return False
    return True


def _trim_path(rest: str) -> str:
    while rest:
        if rest[-1] in _URL_TRAILING or (
            rest[-1] == ")" and rest.count(")") > rest.count("(")
        ):
            rest = rest[:-1]
        else:
            break
    return rest


def _is_certain_url(url: str) -> bool:
    """True when X will surely count ``url`` as a link of 23."""
    match = _URL_WITH_SCHEME.fullmatch(url)
    return (
        match is not None
        and _labels_valid(match["host"])
        and _trim_path(match["rest"] or "") == (match["rest"] or "")
    )


def _length_bound(text: str, url: str) -> int:
    """An upper bound of the length X will count for a composed post: every
    link-like span weighs at least 23, and the article's link exactly 23
    when it is surely a link (see the module docstring)."""
    text = unicodedata.normalize("NFC", text)
    certain = _is_certain_url(url)
    total = position = 0
    for match in _URL_LIKE.finditer(text):
        total += _weight(text[position : match.start()])
        span = match.group()
        if certain and span == url:
            total += URL_WEIGHT * _SCALE
        else:
            total += max(URL_WEIGHT * _SCALE, _weight(span))
        position = match.end()
    total += _weight(text[position:])
    return max(weighted_length(text), total // _SCALE)


def post_matches(*, sent: str, seen: str) -> bool:
    """Whether ``seen``, a post's text as X shows it (in ``posts_recent``),
    is the post whose text was ``sent``. X wraps every link in a t.co link
    and escapes &, < and >, so texts are compared with links (anything that
    may be one) masked, escapes undone and spaces collapsed."""
    return _fingerprint(sent) == _fingerprint(seen)


def _fingerprint(text: str) -> str:
    text = unicodedata.normalize("NFC", html.unescape(text))
    return " ".join(_URL_LIKE.sub("\x00", text).split())


# -- hashtags -----------------------------------------------------------------

_NOT_IN_HASHTAG = regex.compile(r"[^\p{L}\p{M}\p{Nd}_]+")


def hashtag(text: str) -> str:
    """A hashtag X links for a name (an office, a topic), or "" if the name
    has no letter to make one of.

    Letters of any script, combining marks, digits and underscores are kept;
    anything else (spaces, hyphens, ``・``, ``&``, emoji) is dropped, and the
    words of a several-word name are joined with capitals so they stay
    readable ("New York" → "#NewYork"). All digits is no hashtag on X.
    """
    text = unicodedata.normalize("NFKC", text)
    words = [word for word in _NOT_IN_HASHTAG.split(text) if word]
    if not words:
        return ""
    if len(words) > 1:
        words = [word[:1].upper() + word[1:] for word in words]
    tag = "".join(words)
    if not regex.search(r"\p{L}", tag):
        return ""
    return f"#{tag}"


# -- composing a post ---------------------------------------------------------

# After these a text may be cut: Japanese and Chinese clause and sentence
# ends. Any closing brackets right after them go with them.
_CLAUSE_ENDS = frozenset("、。，．！？；：｡､")
_OPENERS = frozenset("「『（【〔《〈［｛")
_CLOSERS = frozenset("」』）】〕》〉］｝")
# Scripts written without spaces between words: a cut inside them falls
# only at a clause end, a bracket or a change of script.
_SPACELESS = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
    r"ー々〆〻ゝゞヽヾ]"
)
# Left at the end of a cut text before the ellipsis, these would read oddly.
_CUT_TRAILING = " \t、。，．！？；：｡､,.;:!?-–—・…‥"


@dataclass(frozen=True)
class ComposedPost:
    """A post and what composing it had to give up to fit."""

    text: str
    weighted_length: int
    summary_shortened: bool = False
    summary_dropped: bool = False
    title_shortened: bool = False
    title_dropped: bool = False
    hashtags_dropped: int = 0

    @property
    def shortened(self) -> bool:
        return (
            self.summary_shortened
            or self.summary_dropped
            or self.title_shortened
            or self.title_dropped
            or self.hashtags_dropped > 0
        )


def post_compose(
    *, title: str, summary: str, url: str, hashtags: list[str], locale: str
) -> str:
    """The text of a post for an article, at most 280 weighted characters.

    Rendered with the locale's template, templates/publishers/x/post.<locale>
    .txt (then post.<language>.txt, then post.txt): a Django template given
    ``title``, ``summary``, ``url`` and ``hashtags`` (one string, space
    separated); lines' trailing spaces, leading and trailing blank lines and
    runs of blank lines are tidied after rendering.

    To fit, the summary is shortened first (to the longest fitting cut, else
    dropped), then the title, then hashtags are dropped from the end. A cut
    never falls inside a word or a link: in spaced scripts only at a space;
    in Japanese, Chinese and Thai only after a clause or sentence end
    (、。！？ …), at a bracket (「」（）…) or where the script changes (東京都が|AI).
    A cut text ends with "…". The article's link is always kept whole.
    """
    return post_compose_detailed(
        title=title, summary=summary, url=url, hashtags=hashtags, locale=locale
    ).text


def post_compose_detailed(
    *, title: str, summary: str, url: str, hashtags: list[str], locale: str
) -> ComposedPost:
    """``post_compose``, saying what was shortened or dropped."""
    url = url.strip()
    if not regex.fullmatch(r"(?i)https?://\S+", url):
        raise ValueError(f"A post needs the article's absolute http(s) URL: {url!r}")
    title, summary = _clean(title), _clean(summary)
    if summary == title:
        summary = ""
    tags = list(dict.fromkeys(tag for tag in map(hashtag, hashtags) if tag))
    template = _template(locale)

    def render(title: str, summary: str, count: int) -> str:
        context = {
            "title": title,
            "summary": summary,
            "url": url,
            "hashtags": " ".join(tags[:count]),
        }
        return _tidy(template.render(context))

    def fits(text: str) -> bool:
        return _length_bound(text, url) <= MAX_WEIGHTED_LENGTH

    def done(text: str, **what: bool | int) -> ComposedPost:
        return ComposedPost(text, weighted_length(text), **what)

    for count in range(len(tags), -1, -1):
        dropped = len(tags) - count
        text = render(title, summary, count)
        if fits(text):
            return done(text, hashtags_dropped=dropped)
        if summary:
            cut = _longest(summary, lambda s, c=count: fits(render(title, s, c)))
            if cut is not None:
                return done(
                    render(title, cut, count),
                    summary_shortened=True,
                    hashtags_dropped=dropped,
                )
        cut = _longest(title, lambda t, c=count: fits(render(t, "", c)))
        if cut is not None:
            return done(
                render(cut, "", count),
                summary_dropped=bool(summary),
                title_shortened=cut != title,
                hashtags_dropped=dropped,
            )
    text = render("", "", 0)
    if not fits(text):
        raise ValueError(f"The link alone is longer than X allows: {url!r}")
    return done(
        text,
        summary_dropped=bool(summary),
        title_dropped=bool(title),
        hashtags_dropped=len(tags),
    )


def _clean(text: str) -> str:
    # The template owns the layout: line breaks inside a title or summary
    # would spend characters and break it.
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _template(locale: str):
    language = locale.lower().replace("_", "-")
    names = [f"publishers/x/post.{language}.txt"]
    if "-" in language:
        names.append(f"publishers/x/post.{language.split('-')[0]}.txt")
    names.append("publishers/x/post.txt")
    return select_template(names)


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy).strip()


def _longest(text: str, fits: Callable[[str], bool]) -> str | None:
    """``text`` if it fits, else its longest cut (with "…") that fits, else
    None. Longer cuts weigh more, so a binary search over the cuts finds it."""
    if fits(text):
        return text
    candidates = list(
        dict.fromkeys(cut for point in _cut_points(text) if (cut := _cut(text, point)))
    )
    low, high, best = 0, len(candidates) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(candidates[middle]):
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return None if best is None else candidates[best]


def _cut(text: str, point: int) -> str:
    head = text[:point].rstrip(_CUT_TRAILING)
    if not regex.search(r"[\p{L}\p{N}]", head):
        return ""
    return head + ELLIPSIS


def _cut_points(text: str) -> list[int]:
    """Where ``text`` may be cut (the length of the part kept), ascending."""
    protected = [match.span() for match in _URL_LIKE.finditer(text)]
    clusters = [(m.start(), m.end(), m.group()) for m in _CLUSTER.finditer(text)]
    points: set[int] = set()
    previous = ""
    for index, (start, end, cluster) in enumerate(clusters):
        first = cluster[0]
        kind = "mark"
        if first.isspace():
            points.add(start)
        elif first in _CLAUSE_ENDS:
            following = index + 1
            while following < len(clusters) and clusters[following][2][0] in _CLOSERS:
                end = clusters[following][1]
                following += 1
            points.add(end)
        elif first in _OPENERS:
            points.add(start)
        elif first in _CLOSERS:
            points.add(end)
        elif _SPACELESS.match(first):
            kind = "spaceless"
        elif first.isalpha():
            kind = "spaced"
        if {kind, previous} == {"spaceless", "spaced"}:
            points.add(start)
        previous = kind
    return sorted(
        point
        for point in points
        if 0 < point < len(text)
        and not any(start < point < end for start, end in protected)
    )
