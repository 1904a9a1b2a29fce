"""The signed values in e-mailed links: confirmation and unsubscription.

Both are ``django.core.signing`` values with their own salt, so one kind of
link cannot stand in for the other. A confirmation link expires
(``NEWSLETTER_CONFIRM_MAX_AGE_SECONDS``) and names the nonce of the request it
answers; an unsubscribe link never expires (RFC 8058 wants the link in an
old e-mail to keep working) and names the subscriber's own random key, so a
link guessed from an id is refused even with a valid signature elsewhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.core import signing

from .conf import newsletter_setting
from .models import Subscriber

CONFIRM_SALT = "tsunagu.newsletter.confirm"
UNSUBSCRIBE_SALT = "tsunagu.newsletter.unsubscribe"


class TokenProblem(enum.Enum):
    INVALID = "invalid"
    EXPIRED = "expired"
    # Signed and fresh, but its subscriber is gone (erased, never confirmed).
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Checked:
    subscriber: Subscriber | None
    problem: TokenProblem | None = None
    # confirmation only: the nonce the link names
    nonce: str = ""


def confirm_token(subscriber: Subscriber) -> str:
    return signing.dumps([subscriber.pk, subscriber.confirm_nonce], salt=CONFIRM_SALT)


def confirm_token_check(token: str) -> Checked:
    try:
        value = signing.loads(
            token,
            salt=CONFIRM_SALT,
            max_age=newsletter_setting("NEWSLETTER_CONFIRM_MAX_AGE_SECONDS"),
        )
    except signing.SignatureExpired:
        return Checked(None, TokenProblem.EXPIRED)
    except signing.BadSignature:
        return Checked(None, TokenProblem.INVALID)
    if not (isinstance(value, list) and len(value) == 2):
        return Checked(None, TokenProblem.INVALID)
    subscriber_id, nonce = value
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.ERASED:
        return Checked(None, TokenProblem.UNKNOWN)
    return Checked(subscriber, nonce=str(nonce))


def unsubscribe_token(subscriber: Subscriber) -> str:
    return signing.dumps(
        [subscriber.pk, subscriber.unsubscribe_key], salt=UNSUBSCRIBE_SALT
    )


def unsubscribe_token_check(token: str) -> Checked:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return Checked(None, TokenProblem.INVALID)
    if not (isinstance(value, list) and len(value) == 2):
        return Checked(None, TokenProblem.INVALID)
    subscriber_id, key = value
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, unsubscribe_key=str(key)
    ).first()
    if subscriber is None or subscriber.status == Subscriber.Status.ERASED:
        return Checked(None, TokenProblem.UNKNOWN)
    return Checked(subscriber)
