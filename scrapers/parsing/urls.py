"""Links from untrusted documents: absolute, and only http or https."""

from urllib.parse import urljoin, urlsplit

# Item.link is a URLField of 2000 characters; longer ones are not links
# anyone meant to publish.
MAX_URL_LENGTH = 2000


def absolute_http_url(value: str | None, *, base: str | None) -> str | None:
    """``value`` resolved against ``base``; None unless it is http(s)."""
    if not value:
        return None
    value = value.strip()
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
