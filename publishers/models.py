"""The outbox: one Delivery row per channel for each publish, update,
correction and unpublish of a page, and what the channels need besides.

The row is the truth (ARCHITECTURE.md, "the database is the truth; the queue
is only a doorbell"): a task delivers it, and the scheduler's sweep rings
again for rows that are due or whose worker died. A row outlives its page
(a deleted page is unpublished first, and partners must still hear of it),
so the page is kept by id as well as by a nullable key.
"""

from __future__ import annotations

import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Delivery(models.Model):
    class Purpose(models.TextChoices):
        PUBLISH = "publish", _("first publication")
        UPDATE = "update", _("update")
        CORRECTION = "correction", _("correction")
        UNPUBLISH = "unpublish", _("unpublication")
        # The live page's presentation changed without a revision (its
        # translation was reviewed): caches refresh, nothing is announced.
        REFRESH = "refresh", _("refresh")
        # A newsletter issue sent as a campaign.
        DIGEST = "digest", _("newsletter issue")

    # The payload of a delivery withheld because a view restriction hides its
    # page: nothing of the page is kept, and the admin says why.
    WITHHELD_RESTRICTED = {"withheld": "restricted"}

    class State(models.TextChoices):
        PENDING = "pending", _("waiting to be sent")
        SENDING = "sending", _("sending")
        # The request may have reached the service, but no answer came back:
        # the channel looks on the remote side before sending again.
        UNKNOWN = "unknown", _("outcome unknown, to be checked")
        DONE = "done", _("done")
        FAILED = "failed", _("failed: waiting for an operator")
        SKIPPED = "skipped", _("skipped")

    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
        verbose_name=_("page"),
    )
    # The page's id, kept when the page is deleted; part of the unique key.
    page_key = models.PositiveBigIntegerField(_("page id"))
    page_title = models.CharField(_("page title"), max_length=255, blank=True)
    channel = models.CharField(_("channel"), max_length=32)
    # Within a channel, whom it goes to: a partner webhook's id; "" otherwise.
    target = models.CharField(_("target"), max_length=32, blank=True, default="")
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revision"),
    )
    # The revision's id (0: none), kept when old revisions are purged.
    revision_key = models.PositiveBigIntegerField(_("revision id"), default=0)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker holds a row it is sending until then; after it the sweep
    # takes the worker for dead.
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set, and committed, just before a request that has an effect leaves:
    # a row found later with it set and not done is looked up remotely first.
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    remote_id = models.CharField(_("remote id"), max_length=255, blank=True)
    remote_url = models.URLField(_("remote URL"), max_length=2000, blank=True)
    # What the channel worked out when the row was made (URLs to purge, the
    # post's text, ...), so a retry sends the same thing.
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page_key", "channel", "target", "purpose", "revision_key"],
                name="delivery_once_per_intent",
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="delivery_due"),
            models.Index(fields=["page_key", "channel"], name="delivery_page"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} of {self.page_title or self.page_key}"

    @property
    def withheld_for_restriction(self) -> bool:
        return (
            self.state == self.State.SKIPPED
            and self.payload == self.WITHHELD_RESTRICTED
        )


class NewsletterRecipient(models.Model):
    """One subscriber's copy of a newsletter delivery sent by Django's e-mail
    (the embedded default): written before the message goes, so a retry
    skips everyone who has one and nobody gets it twice."""

    class State(models.TextChoices):
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        REFUSED = "refused", _("refused by the mail server")

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="recipients"
    )
    # The subscriber's id only: an erased subscriber leaves no address here.
    subscriber_id = models.PositiveBigIntegerField()
    state = models.CharField(
        max_length=16, choices=State.choices, default=State.SENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "subscriber_id"], name="newsletter_recipient_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} to {self.subscriber_id}: {self.state}"


class SweepCursor(models.Model):
    """How far the sweep has read Wagtail's log of publishes (one row)."""

    name = models.CharField(max_length=32, unique=True)
    checked_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.checked_until}"


class ChannelDefault(models.Model):
    """Whether a channel is used for pages of a type (in an office's section,
    or anywhere when no office is given) unless the page says otherwise."""

    page_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        verbose_name=_("page type"),
        limit_choices_to={"app_label": "cms", "model": "articlepage"},
    )
    office = models.ForeignKey(
        "cms.Office",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("office"),
        help_text=_("Leave empty for every office."),
    )
    channel = models.CharField(_("channel"), max_length=32)
    enabled = models.BooleanField(_("used"), default=True)

    class Meta:
        verbose_name = _("channel default")
        verbose_name_plural = _("channel defaults")
        constraints = [
            models.UniqueConstraint(
                fields=["page_type", "office", "channel"],
                name="channel_default_office_once",
            ),
            models.UniqueConstraint(
                fields=["page_type", "channel"],
                condition=models.Q(office=None),
                name="channel_default_everywhere_once",
            ),
        ]

    def __str__(self) -> str:
        where = self.office or _("every office")
        return f"{self.channel} ({where}): {'on' if self.enabled else 'off'}"


def webhook_secret_new() -> str:
    return secrets.token_urlsafe(32)


class PartnerWebhook(models.Model):
    """A partner's URL that gets a signed JSON POST when an article is
    published, updated, corrected or unpublished."""

    organisation = models.CharField(_("organisation"), max_length=200)
    url = models.URLField(_("URL"), max_length=2000)
    secret = models.CharField(
        _("signing secret"),
        max_length=128,
        default=webhook_secret_new,
        help_text=_(
            "Shared with the partner, who checks each request's signature "
            "(HMAC-SHA256 of the timestamp and the body)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    locales = models.CharField(
        _("languages"),
        max_length=100,
        blank=True,
        help_text=_(
            "Language codes, separated by commas (ja, en, ...); empty for all."
        ),
    )
    timeout_seconds = models.PositiveIntegerField(
        _("timeout (seconds)"), default=10, validators=[MinValueValidator(1)]
    )
    contact = models.CharField(_("contact"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("partner webhook")
        verbose_name_plural = _("partner webhooks")

    def __str__(self) -> str:
        return self.organisation

    def clean(self) -> None:
        from cms.safehttp.validators import outbound_url_clean

        outbound_url_clean(self)

    def takes_locale(self, language_code: str) -> bool:
        wanted = {code.strip().lower() for code in self.locales.split(",") if code}
        return not wanted or language_code.lower() in wanted


class ChannelUse(models.Model):
    """What a paid channel used per day (X charges per post): the caps in
    settings are checked against these."""

    channel = models.CharField(max_length=32)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)
    # Posts with a link cost more on X: counted apart.
    count_with_link = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "day"], name="channel_use_day")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.day}: {self.count}"


__all__ = [
    "ChannelDefault",
    "ChannelUse",
    "Delivery",
    "NewsletterRecipient",
    "PartnerWebhook",
    "SweepCursor",
]

from .newsletter.models import *  # noqa: E402, F403
