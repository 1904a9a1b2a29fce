"""Sources that offices watch, the hosts they live on, and the items they yield."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.models import ArticlePage, Country, Office

from .parsing import ListRule


class Source(models.Model):
    """A feed or a list page of a government, registered by one office."""

    class Kind(models.TextChoices):
        DETECT = "detect", _("detect from the content")
        RSS = "rss", _("RSS")
        ATOM = "atom", _("Atom")
        RDF = "rdf", _("RDF (RSS 1.0)")
        JSON = "json", _("JSON Feed")
        HTML = "html", _("HTML list page")

    class Republish(models.TextChoices):
        SUMMARY = "summary", _("summary and link only")
        FULL = "full", _("full text")

    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="sources",
        verbose_name=_("office"),
    )
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("URL"), max_length=2000)
    kind = models.CharField(
        _("kind"), max_length=8, choices=Kind.choices, default=Kind.DETECT
    )
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        help_text=_("BCP 47 code such as fr or ko; leave empty to detect per item."),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sources",
        verbose_name=_("country"),
    )
    region_name = models.CharField(_("region or state"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=200, blank=True)
    fetch_interval_minutes = models.PositiveIntegerField(
        _("fetch interval (minutes)"),
        default=60,
        validators=[MinValueValidator(5)],
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    republish = models.CharField(
        _("may republish"),
        max_length=8,
        choices=Republish.choices,
        default=Republish.SUMMARY,
        help_text=_("Only sources whose terms allow it may be republished in full."),
    )
    fetch_full_article = models.BooleanField(
        _("fetch the full article"),
        default=False,
        help_text=_(
            "Extract the main text of each linked page, for editors and translation."
        ),
    )
    max_new_items = models.PositiveIntegerField(
        _("new items per fetch"),
        default=200,
        validators=[MinValueValidator(1)],
        help_text=_(
            "At most this many new items are taken from one fetch, oldest first; "
            "the rest wait for the next fetch."
        ),
    )
    auto_draft = models.BooleanField(
        _("make drafts automatically"),
        default=True,
        help_text=_("Otherwise new items wait in triage until an editor makes drafts."),
    )
    # The rule of an HTML list page: CSS selectors.
    rule_item = models.CharField(_("item selector"), max_length=255, blank=True)
    rule_link = models.CharField(_("link selector"), max_length=255, blank=True)
    rule_title = models.CharField(_("title selector"), max_length=255, blank=True)
    rule_date = models.CharField(_("date selector"), max_length=255, blank=True)
    rule_summary = models.CharField(_("summary selector"), max_length=255, blank=True)

    # Fetch state and health.
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    next_fetch_at = models.DateTimeField(
        _("next fetch"), default=timezone.now, db_index=True, editable=False
    )
    enqueued_at = models.DateTimeField(null=True, blank=True, editable=False)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    claim_token = models.CharField(max_length=16, blank=True, editable=False)
    last_fetch_at = models.DateTimeField(_("last fetch"), null=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, editable=False)
    last_status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, editable=False
    )
    last_error = models.TextField(_("last error"), blank=True, editable=False)
    # What was odd but not wrong on the last good fetch (a repaired encoding,
    # an item skipped): kept apart so a healthy source shows no error.
    last_notes = models.TextField(_("notes"), blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(
        _("consecutive failures"), default=0, editable=False
    )
    items_found = models.PositiveIntegerField(
        _("items found"), null=True, editable=False
    )
    # New items the last fetch left for the next one (max_new_items).
    items_waiting = models.PositiveIntegerField(
        _("items waiting"), default=0, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["office", "name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(fields=["office", "url"], name="source_unique_url")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def list_rule(self) -> ListRule:
        """The CSS rule that reads a list page (unused for feeds)."""
        return ListRule(
            item=self.rule_item,
            link=self.rule_link,
            title=self.rule_title,
            date=self.rule_date,
            summary=self.rule_summary,
        )

    def clean(self) -> None:
        from cms.safehttp.validators import outbound_url_clean

        outbound_url_clean(self)
        if self.kind == self.Kind.HTML and not (self.rule_item and self.rule_title):
            raise ValidationError(
                _("An HTML list page needs at least the item and title selectors.")
            )

    @property
    def jurisdiction(self) -> str:
        parts = [self.city, self.region_name, self.country.name if self.country else ""]
        return ", ".join(part for part in parts if part)

    @property
    def is_failing(self) -> bool:
        from .conf import scraper_setting

        return self.consecutive_failures >= scraper_setting("FAILING_AFTER")

    def health(self) -> str:
        """One word or phrase for lists: how the source is doing."""
        if not self.enabled:
            return _("disabled")
        if self.last_fetch_at is None:
            return _("not fetched yet")
        if self.is_failing:
            return _("failing (%(n)d in a row)") % {"n": self.consecutive_failures}
        if self.consecutive_failures:
            return _("error (%(n)d in a row)") % {"n": self.consecutive_failures}
        if self.items_waiting:
            return _("OK, %(n)d new items waiting") % {"n": self.items_waiting}
        return _("OK")

    health.short_description = _("health")  # type: ignore[attr-defined]


class Host(models.Model):
    """Politeness per host, shared by every process: robots.txt, the earliest
    time of the next request, and who is requesting now (busy_until: a lock
    that runs out by itself if its process dies)."""

    name = models.CharField(_("host"), max_length=255, primary_key=True)
    next_request_at = models.DateTimeField(default=timezone.now)
    busy_until = models.DateTimeField(null=True)
    robots_txt = models.TextField(blank=True)
    robots_status = models.PositiveSmallIntegerField(null=True)
    robots_fetched_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("host")

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One entry of a source, seen once or many times."""

    class State(models.TextChoices):
        NEW = "new", _("new")
        DRAFTED = "drafted", _("draft made")
        IGNORED = "ignored", _("ignored")
        DUPLICATE = "duplicate", _("duplicate")

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="items", verbose_name=_("source")
    )
    guid = models.TextField(_("id in the source"))
    # Unique together with the source; a hash keeps the index small whatever
    # the length of the feed's ids.
    guid_hash = models.CharField(max_length=64, editable=False)
    link = models.URLField(_("link"), max_length=2000, blank=True)
    canonical_url_hash = models.CharField(max_length=64, blank=True, db_index=True)
    title = models.TextField(_("title"))
    summary_html = models.TextField(_("summary"), blank=True)
    content_html = models.TextField(_("content"), blank=True)
    article_html = models.TextField(_("full article"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Declared by the feed or page, else the source's, else detected.
    language = models.CharField(_("language"), max_length=16, blank=True)
    # What the text itself reads as (empty when too short or unsure): kept
    # even when the feed declares a language, so a mismatch can be seen.
    detected_language = models.CharField(
        _("detected language"), max_length=16, blank=True, editable=False
    )
    # The same text under another title: a hash of the normalised body text.
    text_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Near-duplicate detection: a 64-bit SimHash of the text, cut into four
    # 16-bit bands; two texts within 3 bits share at least one band. Only
    # originals have bands: duplicates are never looked up.
    simhash = models.BigIntegerField(null=True, editable=False)
    band0 = models.IntegerField(null=True, editable=False, db_index=True)
    band1 = models.IntegerField(null=True, editable=False, db_index=True)
    band2 = models.IntegerField(null=True, editable=False, db_index=True)
    band3 = models.IntegerField(null=True, editable=False, db_index=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=State.choices,
        default=State.NEW,
        db_index=True,
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    page = models.ForeignKey(
        ArticlePage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_items",
        verbose_name=_("draft"),
    )
    # What was odd or went wrong on the item's way in, as codes and
    # parameters (scrapers.notes): added to, never overwritten; shown in
    # triage and on the draft.
    notes = models.JSONField(_("notes"), default=list, blank=True, editable=False)
    first_seen_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now=True)

    class Meta:
        ordering = ["-first_seen_at", "-id"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "guid_hash"], name="item_unique_per_source"
            )
        ]

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def language_label(self) -> str:
        from .notes import language_label

        return language_label(self.language)

    @property
    def detected_language_label(self) -> str:
        from .notes import language_label

        return language_label(self.detected_language)

    def note_texts(self) -> list[str]:
        """The notes in the active language."""
        from .notes import note_text

        return [note_text(stored) for stored in self.notes or []]
