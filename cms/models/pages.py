"""Page types. Each locale has its own tree: Home > Office > Article, Home > News.

Japanese is the default locale; source-language articles live in their own
locale's tree and are translated into the Japanese tree by wagtail-localize.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from ..serializers import CountrySerializer, OfficeSerializer, TopicSerializer
from .taxonomy import Country, Office, Topic

# What an article's rich text may hold. Scraped and machine-translated HTML is
# sanitised down to exactly these features before it is stored.
ARTICLE_RICH_TEXT_FEATURES = [
    "h2",
    "h3",
    "h4",
    "bold",
    "italic",
    "ol",
    "ul",
    "hr",
    "link",
    "blockquote",
]

ARTICLES_PER_PAGE = 20


class HomePage(Page):
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.OfficePage", "cms.NewsIndexPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = (
            ArticlePage.objects.live()
            .public()
            .filter(locale=self.locale)
            .select_related("office")
            .order_by("-first_published_at")[:10]
        )
        context["offices"] = (
            OfficePage.objects.live().child_of(self).select_related("office")
        )
        return context


class OfficePage(Page):
    """The section of one office: its articles live below it, in every locale."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="pages", verbose_name=_("office")
    )
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]
    content_panels = [*Page.content_panels, FieldPanel("office"), FieldPanel("intro")]
    api_fields = [
        APIField("office", serializer=OfficeSerializer()),
        APIField("intro"),
    ]

    class Meta:
        verbose_name = _("office section")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.live()
            .public()
            .child_of(self)
            .order_by("-first_published_at")
        )
        context["articles"] = Paginator(articles, ARTICLES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        return context


class NewsIndexPage(Page):
    """All articles of the locale, newest first, filterable by topic and region."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        articles = (
            ArticlePage.objects.live()
            .public()
            .filter(locale=self.locale)
            .select_related("office")
            .order_by("-first_published_at")
        )
        topic = request.GET.get("topic")
        region = request.GET.get("region")
        if topic:
            articles = articles.filter(topics__slug=topic)
        if region:
            articles = articles.filter(countries__region__code=region).distinct()
        context["articles"] = Paginator(articles, ARTICLES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["topics"] = Topic.objects.all()
        return context


class ArticlePage(Page):
    summary = models.TextField(_("summary"), blank=True, max_length=1000)
    body = RichTextField(_("body"), blank=True, features=ARTICLE_RICH_TEXT_FEATURES)
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("office"),
        null=True,
        blank=True,
        help_text=_("Taken from the office section the article is in."),
    )
    topics = ParentalManyToManyField(Topic, blank=True, verbose_name=_("topics"))
    countries = ParentalManyToManyField(
        Country, blank=True, verbose_name=_("countries")
    )

    # Provenance: where the story came from.
    source_name = models.CharField(_("source name"), max_length=255, blank=True)
    source_url = models.URLField(_("source URL"), max_length=2000, blank=True)
    original_language = models.CharField(
        _("original language"),
        max_length=16,
        blank=True,
        help_text=_("Language the source was written in (BCP 47 code, e.g. fr)."),
    )
    original_published_at = models.DateTimeField(
        _("original publication time"), null=True, blank=True
    )
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=255,
        blank=True,
        help_text=_("The government that published it, e.g. City of Paris."),
    )

    parent_page_types = ["cms.OfficePage"]
    subpage_types: list[str] = []

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("topics"), FieldPanel("countries")], heading=_("Classification")
        ),
        MultiFieldPanel(
            [
                FieldPanel("source_name"),
                FieldPanel("source_url"),
                FieldPanel("original_language"),
                FieldPanel("original_published_at"),
                FieldPanel("jurisdiction"),
            ],
            heading=_("Provenance"),
        ),
    ]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("jurisdiction"),
        index.SearchField("source_name"),
        index.FilterField("office"),
        index.FilterField("first_published_at"),
    ]

    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("office", serializer=OfficeSerializer()),
        APIField("topics", serializer=TopicSerializer(many=True)),
        APIField("countries", serializer=CountrySerializer(many=True)),
        APIField("source_name"),
        APIField("source_url"),
        APIField("original_language"),
        APIField("original_published_at"),
        APIField("jurisdiction"),
    ]

    # wagtail-localize leaves many-to-many fields out unless told; the
    # classification and provenance follow the source article. The slug
    # follows too: a translated slug would be billed and change every time
    # the title does, for a URL nobody reads.
    override_translatable_fields = [
        SynchronizedField("slug"),
        SynchronizedField("office"),
        SynchronizedField("topics"),
        SynchronizedField("countries"),
        SynchronizedField("source_name"),
        SynchronizedField("source_url"),
        SynchronizedField("original_language"),
        SynchronizedField("original_published_at"),
        TranslatableField("jurisdiction"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def clean(self) -> None:
        super().clean()
        # The tree path is set before the first save (add_child), so the parent
        # is known here for new pages as well.
        parent = self.get_parent() if self.path else None
        office_page = parent.specific if parent else None
        if isinstance(office_page, OfficePage):
            if self.office_id is None:
                self.office_id = office_page.office_id
            elif self.office_id != office_page.office_id:
                raise ValidationError(
                    {
                        "office": _(
                            "The article must belong to the office of its section."
                        )
                    }
                )
