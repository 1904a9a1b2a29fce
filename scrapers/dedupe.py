"""Recognising the same story: canonical URLs and near-identical text."""

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only say how a reader arrived, never what they read.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "cmpid",
        "xtor",
        "at_medium",
        "at_campaign",
        "spm",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")


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
        if key.lower() not in TRACKING_PARAMS
        and not key.lower().startswith(TRACKING_PREFIXES)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def url_hash(url: str) -> str:
    return hashlib.sha256(canonical_url(url).encode()).hexdigest() if url else ""


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7a3]")
_WORD = re.compile(r"\w+")
MIN_SHINGLES = 8


def _shingles(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    shingles = []
    for word in _WORD.findall(text):
        if _CJK.search(word):
            shingles += [word[i : i + 2] for i in range(max(len(word) - 1, 1))]
        else:
            shingles.append(word)
    return shingles


def text_hash(text: str) -> str:
    """Hash of the text with case, punctuation and spacing ignored; empty for
    texts too short to mean anything."""
    shingles = _shingles(text)
    if len(shingles) < MIN_SHINGLES:
        return ""
    return hashlib.sha256(" ".join(shingles).encode()).hexdigest()


def simhash(text: str) -> int | None:
    """64-bit SimHash (Charikar) of the text's words and CJK bigrams; None when
    the text is too short to say anything."""
    shingles = _shingles(text)
    if len(shingles) < MIN_SHINGLES:
        return None
    weights = [0] * 64
    for shingle in shingles:
        value = int.from_bytes(
            hashlib.blake2b(shingle.encode(), digest_size=8).digest()
        )
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    unsigned = sum(1 << bit for bit in range(64) if weights[bit] > 0)
    # Stored in a signed 64-bit column.
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def bands(signed: int) -> tuple[int, int, int, int]:
    value = signed & ((1 << 64) - 1)
    return tuple((value >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def distance(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
