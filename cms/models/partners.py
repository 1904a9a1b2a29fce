"""Partner keys for the JSON API: who holds one, its limit, and how much it is used.

Only a SHA-256 hash of a key is stored. Keys are long random tokens, so a
fast hash is enough (no password-style stretching is needed to stop guessing),
and a lookup by hash is one indexed query. The key itself is shown once, when
it is made, and can never be read back.
"""

import hashlib
import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "tsu_"
# What the admin shows of a key to tell keys apart: "tsu_" and 8 characters.
SHOWN_CHARACTERS = 12


def partner_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PartnerKey(models.Model):
    organisation = models.CharField(_("organisation"), max_length=200)
    contact = models.CharField(
        _("contact"),
        max_length=300,
        help_text=_("Who to write to about this key: a name and an e-mail address."),
    )
    notes = models.TextField(_("notes"), blank=True)
    key_start = models.CharField(
        _("key starts with"), max_length=SHOWN_CHARACTERS, editable=False
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to revoke the key: requests with it are refused."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        default=600,
        validators=[MinValueValidator(1)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Written in batches (see cms.api.limits): to within about a minute.
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)
    use_count = models.PositiveBigIntegerField(_("requests"), default=0, editable=False)

    class Meta:
        ordering = ["organisation", "pk"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self) -> str:
        return f"{self.organisation} ({self.key_start}…)"

    def key_new(self) -> str:
        """Give the row a new random key and return it; only its hash is kept."""
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        self.key_start = key[:SHOWN_CHARACTERS]
        self.key_hash = partner_key_hash(key)
        return key


class PartnerKeyDailyUse(models.Model):
    """Requests answered for one key on one day (the site's time zone)."""

    key = models.ForeignKey(
        PartnerKey,
        on_delete=models.CASCADE,
        related_name="daily_use",
        verbose_name=_("partner key"),
    )
    day = models.DateField(_("day"))
    count = models.PositiveBigIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-day"]
        verbose_name = _("daily use of a partner key")
        verbose_name_plural = _("daily use of partner keys")
        constraints = [
            models.UniqueConstraint(fields=["key", "day"], name="partner_key_day")
        ]

    def __str__(self) -> str:
        return f"{self.key_id} {self.day}: {self.count}"
