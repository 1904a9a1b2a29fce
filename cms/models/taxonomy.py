"""Who watches what: offices, the regions and countries they cover, topics."""

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


def _content_language_codes() -> list[str]:
    return [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES]


class BilingualName(models.Model):
    """Japanese and English names; Japanese shows first, English elsewhere."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return (
            self.name_ja if (get_language() or "ja").startswith("ja") else self.name_en
        )

    @property
    def name(self) -> str:
        return str(self)


class Region(index.Indexed, BilingualName):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    search_fields = [
        index.SearchField("name_ja"),
        index.SearchField("name_en"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Country(index.Indexed, BilingualName):
    code = models.CharField(
        _("ISO 3166-1 code"),
        max_length=2,
        unique=True,
        help_text=_("Two capital letters, e.g. FR."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="countries",
        verbose_name=_("region"),
    )

    search_fields = [
        index.SearchField("name_ja"),
        index.SearchField("name_en"),
        index.FilterField("code"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def clean(self) -> None:
        if not re.fullmatch(r"[A-Z]{2}", self.code):
            raise ValidationError(
                {"code": _("Use the two capital letters of ISO 3166-1.")}
            )


class Topic(index.Indexed, BilingualName):
    """One of the organisation's fields of work."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    search_fields = [index.SearchField("name_ja"), index.SearchField("name_en")]

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")


class Office(BilingualName):
    """One of the overseas offices; each owns a section of the site."""

    code = models.SlugField(
        _("code"),
        max_length=8,
        unique=True,
        help_text=_("Short code used in URLs and group names, e.g. lon."),
    )
    city_ja = models.CharField(_("city (Japanese)"), max_length=100)
    city_en = models.CharField(_("city (English)"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64)
    working_languages = models.JSONField(
        _("working languages"),
        default=list,
        help_text=_("Locale codes the office reads and writes, e.g. fr, de."),
    )
    regions = models.ManyToManyField(
        Region, related_name="offices", blank=True, verbose_name=_("regions watched")
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    editors = models.OneToOneField(
        "auth.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="office",
        verbose_name=_("editors group"),
        help_text=_("Members edit this office's section and sources."),
    )

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def clean(self) -> None:
        errors = {}
        if self.time_zone not in zoneinfo.available_timezones():
            errors["time_zone"] = _("Unknown time zone: %(tz)s") % {
                "tz": self.time_zone
            }
        known = _content_language_codes()
        if not isinstance(self.working_languages, list) or not all(
            code in known for code in self.working_languages
        ):
            errors["working_languages"] = _(
                "Give a list of locale codes from: %(codes)s"
            ) % {"codes": ", ".join(known)}
        if errors:
            raise ValidationError(errors)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def editors_group_name(self) -> str:
        return f"Office editors: {self.code}"
