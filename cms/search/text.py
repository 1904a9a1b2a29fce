"""Text normalisation shared by indexing and querying.

Both sides must cut text the same way, so this module is the only place that
decides what a "word" is. Japanese, Chinese and Korean have no spaces between
words, so a run of those characters is kept whole for substring checks and
cut into overlapping bigrams for the full-text index; every other script is
split into words at punctuation and spaces.

Every index token is written as a plain lower-case ASCII word: "w" and the hex
of a word's UTF-8 bytes, or "c" and a fixed-width base-36 code per CJK
character. Neither SQLite's FTS5 tokenizer nor PostgreSQL can then cut, fold or
stem a token differently whatever their locale, so the two databases match
exactly the same rows. No character's code is the start of another's, so a
prefix of a token is the token of a prefix and prefix queries keep working.
"""

import re
import unicodedata
from dataclasses import dataclass

# Han (with the iteration and closing marks U+3005-3007), Hiragana, Katakana
# (with the long vowel mark U+30FC, but not the middle dot U+30FB nor U+30A0,
# which separate words), Bopomofo and Hangul, as they stand after NFKC (which
# has already widened half-width kana and Hangul).
CJK_CLASS = (
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fdf"  # CJK and Kangxi radicals
    "\u3005-\u3007\u3021-\u3029\u3031-\u3035\u303b"
    "\u3041-\u3096\u3099-\u309f"  # Hiragana, voicing marks
    "\u30a1-\u30fa\u30fc-\u30ff"  # Katakana with ー, without ・
    "\u3105-\u312f\u3131-\u318e\u31a0-\u31bf\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff"  # CJK unified ideographs (and extension A)
    "\ua960-\ua97f\uac00-\ud7a3\ud7b0-\ud7ff"  # Hangul
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\U0001b000-\U0001b16f"  # Kana supplement and extensions
    "\U00020000-\U0003ffff"  # CJK extensions B and later
)
_SEGMENT_RE = re.compile(f"([{CJK_CLASS}]+)|([^\\W_{CJK_CLASS}]+)")
_NON_CJK_RE = re.compile(f"[^{CJK_CLASS}]+")

# Word tokens are cut here (in characters) so that no token reaches
# PostgreSQL's 2047-byte limit on a lexeme; longer words are still checked in
# full by the substring test.
MAX_WORD_TOKEN_CHARS = 40

WORD_PREFIX = "w"
CJK_PREFIX = "c"


@dataclass(frozen=True, slots=True)
class Segment:
    """A word, or a whole run of CJK characters."""

    text: str
    cjk: bool


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    prefix: bool = False


def _strip_marks(match: re.Match[str]) -> str:
    text = match.group()
    if text.isascii():
        return text
    # Only outside CJK runs: NFKD would also take kana (が) and Hangul apart.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise(text: str) -> str:
    """NFKC, casefold, and diacritics dropped outside CJK runs."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    # casefold can leave a string that is no longer NFKC (e.g. ǰ).
    text = unicodedata.normalize("NFKC", text)
    return _NON_CJK_RE.sub(_strip_marks, text)


def segments(text: str) -> list[Segment]:
    """Words and CJK runs of the text, in order; punctuation is dropped."""
    return [
        Segment(cjk_run or word, bool(cjk_run))
        for cjk_run, word in _SEGMENT_RE.findall(normalise(text))
    ]


def joined(parts: list[Segment]) -> str:
    """The text as stored: every segment after one space.

    The space before each segment lets a query require a word boundary
    (" secur" matches "sécurité" but not "insecure").
    """
    return "".join(" " + part.text for part in parts)


_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
# Kana, CJK symbols and the unified ideographs (U+3000-9FFF), then the Hangul
# syllables (U+AC00-D7AF), numbered from 0 to 39,855: three base-36 digits, the
# first of them never above "u". Any other character is "z" and four digits.
# Bigrams are most of the index: this makes their tokens 7 characters instead
# of 13 for the hex of their UTF-8.
_HANGUL_OFFSET = 0xA000 - 0x3000


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_BASE36[digit])
    return "".join(reversed(digits))


def _cjk_code(char: str) -> str:
    point = ord(char)
    if 0x3000 <= point < 0xA000:
        return _base36(point - 0x3000, 3)
    if 0xAC00 <= point < 0xD7B0:
        return _base36(point - 0xAC00 + _HANGUL_OFFSET, 3)
    return "z" + _base36(point, 4)


def word_token(word: str) -> str:
    return WORD_PREFIX + word[:MAX_WORD_TOKEN_CHARS].encode().hex()


def cjk_token(chars: str) -> str:
    return CJK_PREFIX + "".join(_cjk_code(char) for char in chars)


def document_tokens(parts: list[Segment]) -> list[str]:
    """The distinct index tokens of a document.

    A CJK run gives its bigrams and its last character alone: a one-character
    query then finds its character as the start of some token (a prefix
    query), at a fraction of the size of indexing every character alone.
    """
    tokens: dict[str, None] = {}  # distinct, in the order of the document
    for part in parts:
        if not part.cjk:
            tokens[word_token(part.text)] = None
            continue
        run = part.text
        for i in range(len(run) - 1):
            tokens[cjk_token(run[i : i + 2])] = None
        tokens[cjk_token(run[-1])] = None
    return list(tokens)


@dataclass(frozen=True, slots=True)
class Term:
    """One query term: the substring to find, and the tokens that find it fast.

    ``exact`` says that a document holding all the tokens surely holds the
    substring, so the substring check can be left out.
    """

    text: str
    tokens: tuple[Token, ...]
    exact: bool


def query_term(raw: str, *, max_tokens: int) -> Term | None:
    """Analyse one whitespace-free query term; None if nothing searchable is left."""
    parts = segments(raw)
    if not parts:
        return None
    tokens: list[Token] = []
    for part in parts:
        if not part.cjk:
            tokens.append(Token(word_token(part.text), prefix=True))
        elif len(part.text) == 1:
            tokens.append(Token(cjk_token(part.text), prefix=True))
        else:
            run = part.text
            tokens.extend(Token(cjk_token(run[i : i + 2])) for i in range(len(run) - 1))
    unique = list(dict.fromkeys(tokens))
    if len(unique) > max_tokens:
        # Any subset of the tokens still finds every match; the substring
        # check then does the rest. Spread the subset over the whole term.
        step = len(unique) / max_tokens
        unique = [unique[int(i * step)] for i in range(max_tokens)]
        capped = True
    else:
        capped = False
    first = parts[0]
    exact = (
        len(parts) == 1
        and not capped
        and (
            len(first.text) <= 2
            if first.cjk
            else len(first.text) <= MAX_WORD_TOKEN_CHARS
        )
    )
    text = joined(parts)
    # A CJK run may start anywhere inside a stored run; a word must start one.
    return Term(text=text[1:] if first.cjk else text, tokens=tuple(unique), exact=exact)
