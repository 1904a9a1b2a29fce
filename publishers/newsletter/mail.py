"""The newsletter's e-mails through Django's e-mail framework: the links in
them, the confirmation e-mail, and what every newsletter e-mail carries.

For the digest and urgent e-mails of the embedded default (built by the
outbox's newsletter channel): ``newsletter_message(subscriber=..., ...)`` or,
for a message built elsewhere, ``unsubscribe_headers(subscriber)``. Every
newsletter e-mail has ``List-Unsubscribe`` and ``List-Unsubscribe-Post``
(RFC 2369, RFC 8058): Gmail and Yahoo require one-click unsubscription from
bulk senders, and it is the person's easiest way out.
"""

from __future__ import annotations

from urllib.parse import quote

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cms.siteurl import site_base_url

from .conf import from_email, newsletter_setting
from .consent import consent_language
from .models import Subscriber
from .tokens import confirm_token, unsubscribe_token

ONE_CLICK = "List-Unsubscribe=One-Click"


def site_url() -> str:
    """The site's public address, for links in e-mails (no request there)."""
    return site_base_url()


def _absolute(name: str, token: str, language: str) -> str:
    # The page in the subscriber's language: /en/newsletter/... for English.
    with translation.override(language):
        return site_url() + reverse(name, kwargs={"token": token})


def unsubscribe_url(subscriber: Subscriber) -> str:
    """The subscriber's own unsubscribe page (GET shows a button; POST
    unsubscribes; a POST of ``List-Unsubscribe=One-Click`` does at once)."""
    return _absolute(
        "newsletter_unsubscribe", unsubscribe_token(subscriber), subscriber.language
    )


def confirm_url(subscriber: Subscriber) -> str:
    return _absolute(
        "newsletter_confirm", confirm_token(subscriber), subscriber.language
    )


def unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """The List-Unsubscribe headers for one newsletter e-mail to
    ``subscriber``. The mailto part is there when
    NEWSLETTER_UNSUBSCRIBE_MAILTO names a mailbox someone reads."""
    links = [f"<{unsubscribe_url(subscriber)}>"]
    mailto = newsletter_setting("NEWSLETTER_UNSUBSCRIBE_MAILTO")
    if mailto:
        links.append(f"<mailto:{mailto}?subject={quote('unsubscribe')}>")
    return {
        "List-Unsubscribe": ", ".join(links),
        "List-Unsubscribe-Post": ONE_CLICK,
    }


def newsletter_message(
    *,
    subscriber: Subscriber,
    subject: str,
    text: str,
    html: str,
    headers: dict[str, str] | None = None,
) -> EmailMultiAlternatives:
    """One newsletter e-mail to ``subscriber``: text and HTML parts, From
    NEWSLETTER_FROM_EMAIL, the unsubscribe headers. The caller sends it
    (outside any transaction)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email(),
        to=[subscriber.email],
        headers={
            **(headers or {}),
            **unsubscribe_headers(subscriber),
            # Mark it as bulk mail, so auto-responders stay quiet.
            "Precedence": "bulk",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def confirmation_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    """The double opt-in e-mail (or, for a subscribed person, the one that
    confirms changed choices): a link to a page whose button confirms."""
    language = consent_language(subscriber.language)
    context = {
        "subscriber": subscriber,
        "confirm_url": confirm_url(subscriber),
        "change": bool(subscriber.pending_change),
        "max_age_hours": newsletter_setting("NEWSLETTER_CONFIRM_MAX_AGE_SECONDS")
        // 3600,
        "site_url": site_url(),
    }
    folder = "publishers/newsletter/email"
    with translation.override(language):
        subject = render_to_string(f"{folder}/confirm_subject.{language}.txt", context)
        text = render_to_string(f"{folder}/confirm.{language}.txt", context)
        html = render_to_string(f"{folder}/confirm.{language}.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        from_email=from_email(),
        to=[subscriber.email],
        # A transactional message: no bulk headers, no unsubscribe link (the
        # person is not subscribed until they confirm).
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message
