from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .conf import translation_default_budget, translation_default_price


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


def _source_languages() -> list[tuple[str, str]]:
    """Every content language but Japanese, the glossary's target."""
    return [
        (code, name)
        for code, name in settings.WAGTAIL_CONTENT_LANGUAGES
        if code != settings.LANGUAGE_CODE
    ]


class TranslationMemory(models.Model):
    """A string translated once, reused on any page, never billed again.

    The key: source and target language, a hash of the normalised source text,
    the glossary version the translation used and the formality asked for.
    """

    source_language = models.CharField(_("from"), max_length=16)
    target_language = models.CharField(_("into"), max_length=16)
    source_hash = models.CharField(max_length=64)
    glossary_version = models.PositiveIntegerField(_("glossary version"), default=0)
    formality = models.CharField(_("formality"), max_length=16, blank=True)
    source_text = models.TextField(_("source text"))
    target_text = models.TextField(_("translation"))
    billed_characters = models.PositiveIntegerField(_("characters billed"), default=0)
    backend = models.CharField(_("translated by"), max_length=32)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    uses = models.PositiveIntegerField(_("times reused"), default=0)

    class Meta:
        verbose_name = _("translation memory entry")
        verbose_name_plural = _("translation memory")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "source_language",
                    "target_language",
                    "source_hash",
                    "glossary_version",
                    "formality",
                ],
                name="translation_memory_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_language}>{self.target_language} {self.source_text[:60]}"


class GlossaryTerm(models.Model):
    """How a term is put into Japanese, the organisation's way."""

    source_language = models.CharField(
        _("source language"), max_length=16, choices=_source_languages
    )
    source_term = models.CharField(_("source term"), max_length=255)
    target_term = models.CharField(
        _("Japanese term"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty with “do not translate” to keep the term as it is."),
    )
    do_not_translate = models.BooleanField(
        _("do not translate"),
        default=False,
        help_text=_("Keep the term as written in the source (names, brands)."),
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["source_language", "source_term"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")
        # Replacing a language pair's terms from a file deletes what the
        # file lacks: HQ's glossary managers only (newsroom_setup).
        permissions = [
            ("replace_glossaryterm", _("Can replace a language's terms from CSV"))
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_language", "source_term"],
                name="glossary_term_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source_term} → {self.japanese}"

    @property
    def japanese(self) -> str:
        return self.source_term if self.do_not_translate else self.target_term


class GlossarySnapshot(models.Model):
    """A language pair's terms as they were before a replacement (or a
    restore), so that one click puts them back."""

    source_language = models.CharField(_("source language"), max_length=16)
    # [{"source_term", "target_term", "do_not_translate", "note"}, ...]
    terms = models.JSONField(default=list)
    reason = models.CharField(_("why"), max_length=100)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("glossary snapshot")
        verbose_name_plural = _("glossary snapshots")

    def __str__(self) -> str:
        return f"{self.source_language} terms before {self.reason}"


class GlossaryState(models.Model):
    """The glossary's version (ours) and what the translation service holds.

    One row. Every change of a term raises ``version`` and records it as the
    version of that term's language, so a change to the French terms leaves
    the memory of English translations valid.
    """

    version = models.PositiveIntegerField(default=0)
    # {"fr": 12, "en": 9}: the version at which each language last changed.
    language_versions = models.JSONField(default=dict)
    synced_version = models.PositiveIntegerField(null=True, blank=True)
    remote_id = models.CharField(max_length=100, blank=True)
    # {"fr": "ja", ...}: the language pairs the remote glossary holds.
    remote_languages = models.JSONField(default=list)
    synced_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A failed sync: when it failed, how many times in a row, and when the
    # sweep tries again (back-off).
    failed_at = models.DateTimeField(null=True, blank=True)
    sync_attempts = models.PositiveSmallIntegerField(default=0)
    next_sync_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("glossary state")
        verbose_name_plural = _("glossary state")

    def __str__(self) -> str:
        return f"glossary v{self.version} (synced v{self.synced_version})"


class TranslationJob(models.Model):
    """One request to translate a page into a locale: the database's record of
    the work, so a lost task or a killed worker loses nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        NO_BACKEND = "no_backend", _("awaiting translation (machine translation off)")
        WAITING_BUDGET = "waiting_budget", _("waiting: monthly budget spent")
        WAITING_QUOTA = "waiting_quota", _("waiting: DeepL quota used up")
        CONFIG_ERROR = "config_error", _("stopped: configuration error")
        FAILED = "failed", _("failed")

    # Waiting or running: at most one such job per page and locale. A job
    # parked for want of a backend counts too: asking again wakes it.
    ACTIVE = (
        State.QUEUED,
        State.RUNNING,
        State.WAITING_BUDGET,
        State.WAITING_QUOTA,
        State.NO_BACKEND,
    )

    source_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        related_name="translation_jobs",
        verbose_name=_("source page"),
    )
    target_locale = models.ForeignKey(
        "wagtailcore.Locale",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("into"),
    )
    target_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translation"),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.QUEUED
    )
    reason = models.CharField(_("why"), max_length=100, blank=True)
    submit_for_review = models.BooleanField(default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # A queued job runs no earlier than this (back-off after an error).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The source revision the last run translated: an edit made while it ran
    # makes it run again.
    source_revision_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What the last run translated (its content, without the fields every
    # save changes): a source saved again unchanged needs no new draft.
    source_digest = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    segments = models.PositiveIntegerField(_("segments"), default=0)
    from_memory = models.PositiveIntegerField(_("from memory"), default=0)
    sent = models.PositiveIntegerField(_("sent to the service"), default=0)
    billed_characters = models.PositiveIntegerField(_("characters billed"), default=0)
    # Waiting for the budget: the characters its next request needs.
    needs_characters = models.PositiveIntegerField(default=0)
    glossary_version = models.PositiveIntegerField(null=True, blank=True)
    # Translated while the service did not hold the source language's current
    # glossary: once it does, the strings with glossary terms go again.
    without_glossary = models.BooleanField(
        _("translated without the current glossary"), default=False
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("translation job")
        verbose_name_plural = _("translation jobs")
        constraints = [
            # One job at a time per page and language: asking again while one
            # waits or runs does not make a second.
            models.UniqueConstraint(
                fields=["source_page", "target_locale"],
                condition=models.Q(
                    state__in=[
                        "queued",
                        "running",
                        "waiting_budget",
                        "waiting_quota",
                        "no_backend",
                    ]
                ),
                name="translation_job_one_active",
            )
        ]
        indexes = [models.Index(fields=["state", "updated_at"])]

    def __str__(self) -> str:
        return f"job {self.pk}: page {self.source_page_id} → {self.target_locale_id}"


class UsageRecord(models.Model):
    """The ledger: characters billed by the service, as it reported them."""

    month = models.DateField(_("month"), db_index=True)
    office = models.ForeignKey(
        "cms.Office",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("office"),
    )
    page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page"),
    )
    job = models.ForeignKey(
        TranslationJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage",
    )
    source_language = models.CharField(_("from"), max_length=16)
    target_language = models.CharField(_("into"), max_length=16)
    billed_characters = models.PositiveIntegerField(_("characters billed"))
    texts = models.PositiveIntegerField(_("texts"), default=0)
    backend = models.CharField(_("service"), max_length=32)
    origin = models.CharField(_("origin"), max_length=32, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("usage record")
        verbose_name_plural = _("usage ledger")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.billed_characters} chars"


class MonthlyBudgetUse(models.Model):
    """Characters counted against a month's budget, reserved before a request
    goes out (so two workers cannot overspend together) and corrected to
    what was billed once it returns."""

    month = models.DateField(primary_key=True)
    characters = models.BigIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monthly budget use")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.characters}"


class ServiceStatus(models.Model):
    """One row: whether the translation service can be used right now (a
    quota or a configuration error stops every job until it is cleared)."""

    class State(models.TextChoices):
        OK = "ok", _("working")
        QUOTA = "quota", _("quota used up")
        CONFIG = "config", _("configuration error")

    state = models.CharField(max_length=10, choices=State.choices, default=State.OK)
    message = models.TextField(blank=True)
    since = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    # Which key the configuration error was seen with (a hash, never the key).
    key_fingerprint = models.CharField(max_length=64, blank=True)
    # The quota as the service last reported it (None: unknown), and our
    # count of what was billed since; a request is sent only if it fits.
    character_count = models.BigIntegerField(null=True, blank=True)
    character_limit = models.BigIntegerField(null=True, blank=True)
    resets_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("translation service status")

    def __str__(self) -> str:
        return self.state


@register_setting(icon="cog")
class TranslationSettings(BaseGenericSetting):
    monthly_budget_characters = models.PositiveBigIntegerField(
        _("monthly budget (characters)"),
        default=translation_default_budget,
        help_text=_(
            "Characters billed by DeepL per calendar month. At 80% the admin "
            "warns; at 100% translation waits until the month turns or the "
            "budget is raised. 0 stops machine translation."
        ),
    )
    price_per_million = models.DecimalField(
        _("price per million characters"),
        max_digits=8,
        decimal_places=2,
        default=translation_default_price,
        help_text=_("For cost estimates, in the currency of your DeepL plan."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")

    class Meta:
        verbose_name = _("machine translation")
