"""The newsletter sign-up's settings, read here and nowhere else.

Each is a plain ``NEWSLETTER_*`` setting (``MAILCHIMP_WEBHOOK_SECRET`` for
the webhook), so .env.example can describe them one by one. Which newsletter
service is used is ``TSUNAGU_NEWSLETTER`` (publishers/backends/newsletter).
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The From address of confirmation and newsletter e-mails; empty: the
    # site's DEFAULT_FROM_EMAIL. Its domain needs SPF, DKIM and DMARC.
    "NEWSLETTER_FROM_EMAIL": "",
    # The consent text shown with the form
    # (templates/publishers/newsletter/consent/<version>.<language>.txt).
    "NEWSLETTER_CONSENT_VERSION": "2026-11",
    # How long a confirmation link works (seconds).
    "NEWSLETTER_CONFIRM_MAX_AGE_SECONDS": 3 * 24 * 60 * 60,
    # At most one confirmation e-mail per address this often (seconds): a
    # form cannot be used to flood someone's inbox.
    "NEWSLETTER_CONFIRM_RESEND_SECONDS": 10 * 60,
    # Sign-up forms accepted per client address and hour.
    "NEWSLETTER_SIGNUPS_PER_HOUR": 20,
    # Sign-ups never confirmed are deleted after this many days (embedded
    # default only; Mailchimp keeps its own pending members).
    "NEWSLETTER_PENDING_KEEP_DAYS": 30,
    # An address that unsubscribes whoever writes to it, for the mailto part
    # of List-Unsubscribe; empty: the header carries the HTTPS link only.
    "NEWSLETTER_UNSUBSCRIBE_MAILTO": "",
    # The secret part of the Mailchimp webhook's URL; empty: no webhook.
    "MAILCHIMP_WEBHOOK_SECRET": "",
}


def newsletter_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


def from_email() -> str:
    return newsletter_setting("NEWSLETTER_FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL
