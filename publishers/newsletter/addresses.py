"""E-mail addresses: one key per mailbox, and the audit's keyed digest.

``email_key`` makes ``Ana@例え.jp`` and ``ana@xn--r8jz45g.jp`` one subscriber:
the domain in its ASCII (IDNA) form, all lower case (Mailchimp lower-cases
too, and no mail system we send to tells local parts apart by case).

``email_digest`` is what consent records keep instead of the address: an
HMAC-SHA256 keyed with the site's secret key. A plain hash (Mailchimp's MD5
subscriber hash, or SHA-256) of a municipal address is reversed by hashing a
list of public addresses; the keyed digest is not, without the key, yet it
still finds a person's records when they ask and give their address.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.crypto import salted_hmac
from django.utils.encoding import punycode

DIGEST_SALT = "tsunagu.newsletter.email-digest"


def email_ascii(email: str) -> str:
    """The address with its domain in ASCII, as SMTP and Mailchimp take it."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return email.strip()
    return f"{local}@{punycode(domain.strip().rstrip('.')).lower()}"


def email_key(email: str) -> str:
    return email_ascii(email).lower()


def email_digest(email: str, *, secret: str | None = None) -> str:
    return salted_hmac(
        DIGEST_SALT,
        email_key(email),
        secret=secret or settings.SECRET_KEY,
        algorithm="sha256",
    ).hexdigest()


def email_digests(email: str) -> list[str]:
    """The digest under the current key and under SECRET_KEY_FALLBACKS, to
    find records made before the key was rotated."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [email_digest(email, secret=secret) for secret in secrets]
