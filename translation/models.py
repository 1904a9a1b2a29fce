from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TranslationState(models.Model):
    """Where a page stands in translation.

    Kept apart from the page's own fields: wagtail-localize copies a page's
    fields from its source on every sync, which would overwrite a state kept
    there.
    """

    class State(models.TextChoices):
        ORIGINAL = "original", _("original")
        AWAITING = "awaiting", _("awaiting translation")
        MACHINE_TRANSLATED = "machine_translated", _("machine-translated")
        REVIEWED = "reviewed", _("reviewed")

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="translation_state",
        verbose_name=_("page"),
    )
    state = models.CharField(_("state"), max_length=32, choices=State.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")

    def __str__(self) -> str:
        return f"{self.page_id}: {self.state}"
