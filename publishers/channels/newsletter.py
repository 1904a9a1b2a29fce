"""The newsletter channel: the weekly issue (purpose ``digest``) to every
subscriber, and an urgent article (its first publication) at once to the
subscribers interested in its regions.

With Mailchimp (``TSUNAGU_NEWSLETTER``): one campaign per delivery. Its id is
stored on the row before anything is sent, and before any retry its status
is asked (Mailchimp cannot find campaigns by title, and its send is not
idempotent), so a campaign is never sent twice. A schedule goes to the next
quarter hour, as Mailchimp requires.

Without (the embedded default): Django's e-mail framework, one message per
subscriber with its own unsubscribe link and List-Unsubscribe headers. Each
recipient gets a row (NewsletterRecipient) written before the message goes;
a retry skips every recipient that has one, so nobody gets it twice, and a
message whose outcome a crash made unknown is counted, not resent.
"""

from __future__ import annotations

import smtplib
from datetime import datetime
from typing import Any, ClassVar

from django.core.mail import get_connection
from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy

from ..backends.newsletter import (
    AlreadySent,
    ConfigurationError,
    NewsletterBackend,
    NewsletterError,
    RateLimited,
    Rejected,
    newsletter_backend,
    quarter_hour_next,
)
from ..backends.newsletter import OutcomeUnknown as NewsletterOutcomeUnknown
from ..models import Delivery, NewsletterRecipient
from .base import Change, Channel, ChannelError, OutcomeUnknown, Sent

Purpose = Delivery.Purpose
UNSUBSCRIBE_PLACEHOLDER = "https://unsubscribe.invalid/__tsunagu__"
# Mailchimp's merge tag for the member's own unsubscribe link.
MAILCHIMP_UNSUBSCRIBE = "*|UNSUB|*"
SENT_STATUSES = {"sent", "sending"}


def is_urgent(page: Any) -> bool:
    from cms.models.pages import URGENT_TOPIC_SLUG

    if getattr(page, "urgent", False):
        return True
    topics = getattr(page, "topics", None)
    return bool(
        topics is not None
        and any(topic.slug == URGENT_TOPIC_SLUG for topic in topics.all())
    )


class NewsletterChannel(Channel):
    label = gettext_lazy("newsletter")
    purposes: ClassVar[frozenset[str]] = frozenset({Purpose.PUBLISH, Purpose.DIGEST})

    def targets(self, *, change: Change) -> list[str]:
        if change.purpose == Purpose.DIGEST:
            return [""]
        page = change.page
        locales = self.options.get("LOCALES", ["ja"])
        if page.locale.language_code in locales and is_urgent(page):
            return [""]
        return []  # other articles wait for the weekly issue

    def payload(self, *, change: Change, target: str) -> dict[str, Any]:
        if change.purpose == Purpose.DIGEST:
            return {"kind": "digest"}
        regions = {country.region_id for country in change.page.countries.all()}
        return {"kind": "urgent", "region_ids": sorted(regions)}

    # -- rendering -----------------------------------------------------------

    def _render(self, delivery: Delivery, unsubscribe: str):
        from cms.models import ArticlePage, DigestIssuePage

        from ..digest import digest_email_render, urgent_email_render

        if delivery.payload.get("kind") == "digest":
            issue = DigestIssuePage.objects.filter(pk=delivery.page_key).first()
            if issue is None:
                raise ChannelError("The newsletter issue was deleted", permanent=True)
            return digest_email_render(issue=issue, unsubscribe_url=unsubscribe)
        article = ArticlePage.objects.filter(pk=delivery.page_key).first()
        if article is None or not article.live:
            raise ChannelError(
                "The urgent article is no longer published", permanent=True
            )
        return urgent_email_render(article=article, unsubscribe_url=unsubscribe)

    def _send_at(self, delivery: Delivery) -> datetime | None:
        value = delivery.payload.get("send_at")
        return parse_datetime(value) if value else None

    # -- sending -------------------------------------------------------------

    def deliver(self, *, delivery: Delivery) -> Sent:
        backend = newsletter_backend()
        if backend is None:
            return self._deliver_by_email(delivery)
        try:
            return self._deliver_by_campaign(delivery, backend)
        except AlreadySent:
            return Sent(remote_id=delivery.remote_id, note="already sent")
        except NewsletterError as exc:
            raise self._error(exc) from exc

    def _deliver_by_campaign(
        self, delivery: Delivery, backend: NewsletterBackend
    ) -> Sent:
        from ..newsletter.conf import from_email
        from ..newsletter.selectors import interest_ids_for_regions

        campaign_id = delivery.remote_id
        send_at = self._send_at(delivery)
        if campaign_id:
            status = backend.campaign_status(campaign_id=campaign_id)
            if status in SENT_STATUSES:
                return Sent(remote_id=campaign_id, note=f"campaign {status}")
            if status == "schedule" and send_at:
                return Sent(remote_id=campaign_id, note="campaign scheduled")
        else:
            email = self._render(delivery, MAILCHIMP_UNSUBSCRIBE)
            interest_ids = None
            if delivery.payload.get("kind") == "urgent":
                interest_ids = interest_ids_for_regions(
                    delivery.payload.get("region_ids", [])
                )
                if not interest_ids:
                    return Sent(note="no subscriber follows its regions yet")
            campaign_id = backend.campaign_create(
                title=f"tsunagu-{delivery.pk}-{delivery.payload.get('kind')}",
                subject=email.subject,
                preview_text=email.preview_text,
                from_name=self.options.get("FROM_NAME", "つなぐ Tsunagu"),
                reply_to=from_email(),
                html=email.html,
                text=email.text,
                interest_ids=interest_ids,
            )
            # Kept before anything is sent: a retry asks for its status.
            Delivery.objects.filter(pk=delivery.pk).update(remote_id=campaign_id)
            delivery.remote_id = campaign_id
        if send_at and send_at > timezone.now():
            at = quarter_hour_next(send_at)
            backend.campaign_schedule(campaign_id=campaign_id, at=at)
            return Sent(
                remote_id=campaign_id, note=f"scheduled for {at:%Y-%m-%d %H:%M} UTC"
            )
        backend.campaign_send(campaign_id=campaign_id)
        return Sent(remote_id=campaign_id, note="campaign sent")

    def _deliver_by_email(self, delivery: Delivery) -> Sent:
        from ..newsletter.mail import newsletter_message, unsubscribe_url
        from ..newsletter.selectors import (
            subscribers_for_digest,
            subscribers_for_regions,
        )

        send_at = self._send_at(delivery)
        if send_at and send_at > timezone.now():
            raise ChannelError("Scheduled", retry_at=send_at, counts=False)
        email = self._render(delivery, UNSUBSCRIBE_PLACEHOLDER)
        if delivery.payload.get("kind") == "urgent":
            recipients = subscribers_for_regions(delivery.payload.get("region_ids", []))
        else:
            recipients = subscribers_for_digest()
        handled = set(
            NewsletterRecipient.objects.filter(delivery=delivery).values_list(
                "subscriber_id", flat=True
            )
        )
        sent = refused = 0
        connection = get_connection()
        try:
            connection.open()
            for subscriber in recipients.exclude(pk__in=handled).iterator():
                try:
                    row = NewsletterRecipient.objects.create(
                        delivery=delivery, subscriber_id=subscriber.pk
                    )
                except IntegrityError:
                    continue  # another worker has it
                link = unsubscribe_url(subscriber)
                message = newsletter_message(
                    subscriber=subscriber,
                    subject=email.subject,
                    text=email.text.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                    html=email.html.replace(UNSUBSCRIBE_PLACEHOLDER, link),
                )
                try:
                    connection.send_messages([message])
                except smtplib.SMTPRecipientsRefused:
                    from ..newsletter.services import subscriber_clean

                    row.state = NewsletterRecipient.State.REFUSED
                    row.save(update_fields=["state"])
                    # A hard bounce: no more newsletters to that address.
                    subscriber_clean(subscriber=subscriber, reason="refused")
                    refused += 1
                    continue
                except (smtplib.SMTPException, OSError) as exc:
                    # Not sent: free the row so the retry sends it.
                    row.delete()
                    raise ChannelError(f"The mail server failed: {exc}") from exc
                row.state = NewsletterRecipient.State.SENT
                row.sent_at = timezone.now()
                row.save(update_fields=["state", "sent_at"])
                sent += 1
        finally:
            connection.close()
        total = NewsletterRecipient.objects.filter(
            delivery=delivery, state=NewsletterRecipient.State.SENT
        ).count()
        uncertain = NewsletterRecipient.objects.filter(
            delivery=delivery, state=NewsletterRecipient.State.SENDING
        ).count()
        note = f"sent to {total} subscribers ({sent} in this attempt)"
        if refused:
            note += f", {refused} refused by the mail server"
        if uncertain:
            note += f", {uncertain} uncertain after a crash (not resent)"
        return Sent(note=note)

    def _error(self, exc: NewsletterError) -> ChannelError:
        if isinstance(exc, RateLimited):
            return ChannelError(
                str(exc),
                retry_at=timezone.now()
                + timezone.timedelta(seconds=exc.retry_after_seconds),
                counts=False,
            )
        if isinstance(exc, NewsletterOutcomeUnknown):
            return OutcomeUnknown(str(exc))
        if isinstance(exc, ConfigurationError | Rejected):
            return ChannelError(str(exc), permanent=True)
        return ChannelError(str(exc))

    def look(self, *, delivery: Delivery) -> Sent | None:
        backend = newsletter_backend()
        if backend is None or not delivery.remote_id:
            # E-mail: the recipient rows say who has it. Mailchimp without a
            # campaign id: creating again is safe (at worst a draft is left).
            return None
        try:
            status = backend.campaign_status(campaign_id=delivery.remote_id)
        except NewsletterError as exc:
            raise self._error(exc) from exc
        if status in SENT_STATUSES:
            return Sent(remote_id=delivery.remote_id, note=f"campaign {status}")
        if status == "schedule" and self._send_at(delivery):
            return Sent(remote_id=delivery.remote_id, note="campaign scheduled")
        return None
