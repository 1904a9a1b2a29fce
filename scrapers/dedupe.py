"""Recognising the same story: canonical URLs and near-identical text."""

import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .parsing.urls import is_tracking_param

# Tracking to the duplicate check, which also compares texts; not to an
# item's identity within its source (parsing.urls).
AMBIGUOUS_TRACKING_PARAMS = frozenset({"ref"})


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking
    parameters, remaining parameters sorted."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port
    if port and (scheme, port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(key) and key.lower() not in AMBIGUOUS_TRACKING_PARAMS
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def url_hash(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode()).hexdigest() if url else ""


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def html_text(markup: str) -> str:
    """The text of HTML that our sanitiser already cleaned (no scripts or
    comments left), without the cost of an HTML parser."""
    if not markup:
        return ""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", markup))).strip()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
_WORD = re.compile(r"\w+")
MIN_SHINGLES = 8

# SimHash needs, for each of the 64 bits, how many shingle hashes have it
# set. Counting bit by bit in Python costs 64 steps a shingle; instead each
# byte value is spread once into eight 16-bit counters ("lanes") of one int,
# and a hash's eight bytes are added into 64 lanes with eight look-ups.
_LANE = 16
_SPREAD = [
    sum(((value >> bit) & 1) << (_LANE * bit) for bit in range(8))
    for value in range(256)
]
_BYTE_SHIFT = [8 * _LANE * k for k in range(8)]
_LANE_MASK = (1 << _LANE) - 1


def shingles(text: str) -> list[str]:
    """Words, and character pairs inside Japanese, Chinese and Korean runs."""
    text = unicodedata.normalize("NFKC", text).casefold()
    found = []
    for word in _WORD.findall(text):
        if _CJK.search(word):
            found += [word[i : i + 2] for i in range(max(len(word) - 1, 1))]
        else:
            found.append(word)
    return found


def text_hash(parts: list[str]) -> str:
    """Hash of the text's shingles: case, punctuation and spacing ignored;
    empty for texts too short to mean anything."""
    if len(parts) < MIN_SHINGLES:
        return ""
    return hashlib.sha256(" ".join(parts).encode()).hexdigest()


def simhash(parts: list[str]) -> int | None:
    """64-bit SimHash (Charikar) of the shingles; None when too few."""
    if len(parts) < MIN_SHINGLES:
        return None
    lanes = 0
    for part in parts[:_LANE_MASK]:
        value = hashlib.blake2b(part.encode(), digest_size=8).digest()
        for k, byte in enumerate(value[::-1]):
            lanes += _SPREAD[byte] << _BYTE_SHIFT[k]
    half = min(len(parts), _LANE_MASK) / 2
    unsigned = 0
    for bit in range(64):
        if (lanes >> (_LANE * bit)) & _LANE_MASK > half:
            unsigned |= 1 << bit
    # Stored in a signed 64-bit column.
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def bands(signed: int) -> tuple[int, int, int, int]:
    value = signed & ((1 << 64) - 1)
    return tuple((value >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
