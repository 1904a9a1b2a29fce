"""The newsletter's subscribers, what they agreed to, and Mailchimp's
interest ids for the site's regions and topics.

The subscriber row is the truth for the embedded default (Django's e-mail)
and a mirror of Mailchimp's member otherwise: Mailchimp's webhooks bring
unsubscribes, bounces and confirmations back, and ``sync_needed`` says a
change made here has yet to reach Mailchimp (the sweep retries it).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Prefecture(models.TextChoices):
    """The 47 prefectures, by their JIS X 0401 code (stable; the names are
    shown in Japanese in every language, as municipalities write them)."""

    HOKKAIDO = "01", "北海道"
    AOMORI = "02", "青森県"
    IWATE = "03", "岩手県"
    MIYAGI = "04", "宮城県"
    AKITA = "05", "秋田県"
    YAMAGATA = "06", "山形県"
    FUKUSHIMA = "07", "福島県"
    IBARAKI = "08", "茨城県"
    TOCHIGI = "09", "栃木県"
    GUNMA = "10", "群馬県"
    SAITAMA = "11", "埼玉県"
    CHIBA = "12", "千葉県"
    TOKYO = "13", "東京都"
    KANAGAWA = "14", "神奈川県"
    NIIGATA = "15", "新潟県"
    TOYAMA = "16", "富山県"
    ISHIKAWA = "17", "石川県"
    FUKUI = "18", "福井県"
    YAMANASHI = "19", "山梨県"
    NAGANO = "20", "長野県"
    GIFU = "21", "岐阜県"
    SHIZUOKA = "22", "静岡県"
    AICHI = "23", "愛知県"
    MIE = "24", "三重県"
    SHIGA = "25", "滋賀県"
    KYOTO = "26", "京都府"
    OSAKA = "27", "大阪府"
    HYOGO = "28", "兵庫県"
    NARA = "29", "奈良県"
    WAKAYAMA = "30", "和歌山県"
    TOTTORI = "31", "鳥取県"
    SHIMANE = "32", "島根県"
    OKAYAMA = "33", "岡山県"
    HIROSHIMA = "34", "広島県"
    YAMAGUCHI = "35", "山口県"
    TOKUSHIMA = "36", "徳島県"
    KAGAWA = "37", "香川県"
    EHIME = "38", "愛媛県"
    KOCHI = "39", "高知県"
    FUKUOKA = "40", "福岡県"
    SAGA = "41", "佐賀県"
    NAGASAKI = "42", "長崎県"
    KUMAMOTO = "43", "熊本県"
    OITA = "44", "大分県"
    MIYAZAKI = "45", "宮崎県"
    KAGOSHIMA = "46", "鹿児島県"
    OKINAWA = "47", "沖縄県"


def unsubscribe_key_new() -> str:
    return secrets.token_urlsafe(12)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        SUBSCRIBED = "subscribed", _("subscribed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        CLEANED = "cleaned", _("bounced (cleaned)")
        # Erasure was asked for and waits for Mailchimp; once done the row
        # is deleted.
        ERASED = "erased", _("being erased")

    email = models.EmailField(_("e-mail address"), max_length=254)
    # addresses.email_key(email): one row per mailbox, whatever the case or
    # the form of the domain.
    email_key = models.CharField(max_length=254, unique=True, editable=False)
    organisation = models.CharField(_("organisation"), max_length=200)
    prefecture = models.CharField(
        _("prefecture"), max_length=2, choices=Prefecture.choices, blank=True
    )
    regions = models.ManyToManyField(
        "cms.Region",
        blank=True,
        related_name="newsletter_subscribers",
        verbose_name=_("regions of interest"),
    )
    topics = models.ManyToManyField(
        "cms.Topic",
        blank=True,
        related_name="newsletter_subscribers",
        verbose_name=_("topics of interest"),
    )
    language = models.CharField(_("language"), max_length=10, default="ja")
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # When the status last changed: a webhook fired before it is stale.
    status_changed_at = models.DateTimeField(default=timezone.now, editable=False)
    consent_version = models.CharField(_("consent version"), max_length=40)
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)

    # The embedded default's double opt-in. The nonce is in the e-mailed
    # link: a new request replaces it, so only the latest link confirms.
    confirm_nonce = models.CharField(max_length=32, blank=True, editable=False)
    confirm_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirm_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirm_attempts = models.PositiveIntegerField(default=0, editable=False)
    confirm_next_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirm_error = models.TextField(blank=True, editable=False)
    # A subscribed person's new choices, applied when the e-mailed link is
    # confirmed: a form cannot change someone else's subscription.
    pending_change = models.JSONField(default=dict, blank=True, editable=False)
    # In the unsubscribe link, so that a link names one row for good.
    unsubscribe_key = models.CharField(
        max_length=32, default=unsubscribe_key_new, editable=False
    )

    # Erasure: when it was asked for, and by which admin user (an id: the
    # audit must not lose it when the user is deleted).
    erasure_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    erasure_requested_by = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False
    )

    # Mailchimp: the member's status there, and whether a change made here
    # has yet to reach it (retried by the sweep with a back-off).
    remote_status = models.CharField(_("Mailchimp status"), max_length=20, blank=True)
    sync_needed = models.BooleanField(_("to send to Mailchimp"), default=False)
    # Raised by every change: a sync clears sync_needed only if the row did
    # not change while it talked to Mailchimp.
    sync_version = models.PositiveIntegerField(default=0, editable=False)
    synced_at = models.DateTimeField(_("last sent to Mailchimp"), null=True, blank=True)
    sync_attempts = models.PositiveIntegerField(default=0, editable=False)
    sync_next_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_error = models.TextField(_("Mailchimp error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        indexes = [
            models.Index(fields=["status"], name="nl_subscriber_status"),
            models.Index(
                fields=["sync_needed", "sync_next_at"], name="nl_subscriber_sync"
            ),
        ]

    def __str__(self) -> str:
        return self.email


class ConsentRecord(models.Model):
    """What a person agreed to, confirmed or withdrew, and when: append
    only. It keeps the keyed digest of the address, not the address, so it
    survives the subscriber's erasure without personal data."""

    class Action(models.TextChoices):
        GIVEN = "given", _("consent given on the form")
        CONFIRMED = "confirmed", _("confirmed (double opt-in)")
        WITHDRAWN = "withdrawn", _("withdrawn (unsubscribed)")
        CLEANED = "cleaned", _("address bounced (cleaned)")
        ERASED = "erased", _("erased on request")
        EXPIRED = "expired", _("never confirmed: deleted")

    class Source(models.TextChoices):
        SITE = "site", _("the site")
        MAILCHIMP = "mailchimp-webhook", _("Mailchimp")
        ADMIN = "admin", _("the admin")
        SYSTEM = "system", _("Tsunagu")

    subscriber = models.ForeignKey(
        Subscriber,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consent_records",
        verbose_name=_("subscriber"),
    )
    # addresses.email_digest: HMAC-SHA256 of the address, keyed.
    email_digest = models.CharField(max_length=64, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    consent_version = models.CharField(_("consent version"), max_length=40, blank=True)
    # SHA-256 of the words shown (consent.consent_hash), for "given".
    text_sha256 = models.CharField(max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    # A short reason: one-click, manual, abuse, hard, ... (never free text
    # that could carry personal data).
    reason = models.CharField(_("reason"), max_length=40, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.action} {self.consent_version} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # An audit that can be rewritten proves nothing.
        if not self._state.adding:
            raise ValueError("Consent records are never changed once written.")
        super().save(*args, **kwargs)


class MailchimpInterest(models.Model):
    """The Mailchimp interest that stands for a region or a topic, as the
    last interests sync left it. A region or topic without a row, or whose
    name differs, is what makes the sweep sync again."""

    class Kind(models.TextChoices):
        REGION = "region", _("region")
        TOPIC = "topic", _("topic")

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    category = models.CharField(max_length=100)
    name = models.CharField(max_length=100)
    interest_id = models.CharField(max_length=64)
    synced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"], name="nl_interest_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category}: {self.name} ({self.interest_id})"

    @classmethod
    def check(cls, **kwargs) -> list:
        # The consent text's version rule rides on the model checks, which
        # every `manage.py check` runs, without an AppConfig of our own.
        from .consent import consent_check

        return [*super().check(**kwargs), *consent_check()]


__all__ = ["ConsentRecord", "MailchimpInterest", "Prefecture", "Subscriber"]
