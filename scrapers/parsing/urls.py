"""Links from untrusted documents: absolute, and only http or https; and
the query parameters that only say how a reader arrived."""

import re
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

# Item.link is a URLField of 2000 characters; longer ones are not links
# anyone meant to publish.
MAX_URL_LENGTH = 2000
# Never part of an address (PostgreSQL refuses NUL in text outright).
_CONTROLS = re.compile("[\x00-\x1f\x7f]")

# Query parameters that only say how a reader arrived, never what they read
# (analytics, ad clicks, newsletters). "ref" is not here: some sites number
# their articles with it; only the cross-source duplicate check, which also
# compares texts, ignores it (dedupe.canonical_url).
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "ref_src",
        "cmpid",
        "xtor",
        "at_medium",
        "at_campaign",
        "spm",
        "vero_id",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "oly_")


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """``url`` without tracking parameters; everything else (the order and
    spelling of the other parameters, the fragment) as it was. Anything but
    an http(s) URL is returned unchanged."""
    if "?" not in url or not url[:8].lower().startswith(("http://", "https://")):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    pairs = [pair for pair in parts.query.split("&") if pair]
    kept = [
        pair
        for pair in pairs
        if not is_tracking_param(unquote_plus(pair.split("=", 1)[0]))
    ]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def absolute_http_url(value: str | None, *, base: str | None) -> str | None:
    """``value`` resolved against ``base``; None unless it is http(s)."""
    if not value:
        return None
    value = _CONTROLS.sub("", value).strip()
    if not value:
        return None
    try:
        url = urljoin(base or "", value)
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    if len(url) > MAX_URL_LENGTH:
        return None
    return url


def is_http_url(value: str | None) -> bool:
    return absolute_http_url(value, base=None) is not None
