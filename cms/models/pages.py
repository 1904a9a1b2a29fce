"""Page types. Each locale has its own tree: Home > Office > Article, Home > News.

Japanese is the default locale; source-language articles live in their own
locale's tree and are translated into the Japanese tree by wagtail-localize.
"""

from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.contrib.routable_page.models import path as subpage_path
from wagtail.fields import RichTextField
from wagtail.models import Locale, Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from publishers.panels import PageDeliveriesPanel
from scrapers.panels import DraftSourceItemsPanel

from ..caching import cached_response
from ..forms import ArticleCopyForm
from ..permissions import NewsroomPermissionsMixin
from ..serializers import CountrySerializer, OfficeSerializer, TopicSerializer
from ..siteurl import site_base_url
from .taxonomy import Country, Office, Region, Topic

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

# Urgent notices, shown above everything on the home page: live articles of the
# disaster and safety topic published in the last URGENT_DAYS days. Editors make
# a notice urgent by giving it that topic; it leaves the top by itself.
URGENT_TOPIC_SLUG = "disaster-safety"
OFFICE_MISMATCH = _("The article must belong to the office of its section.")
URGENT_DAYS = 7
URGENT_MAX = 5
# The home page: the newest articles, then the newest few per region and per
# topic, grouped from the HOME_POOL newest articles (one query, not one a group).
HOME_LATEST = 10
HOME_PER_GROUP = 3
HOME_POOL = 200


def articles_live(locale: Locale) -> QuerySet["ArticlePage"]:
    """The articles anyone may read in one locale's tree, newest first."""
    return (
        ArticlePage.objects.live()
        .public()
        .filter(locale=locale)
        .select_related("office")
        .order_by("-first_published_at", "-pk")
    )


def articles_urgent(locale: Locale) -> QuerySet["ArticlePage"]:
    since = timezone.now() - timedelta(days=URGENT_DAYS)
    return articles_live(locale).filter(
        topics__slug=URGENT_TOPIC_SLUG, first_published_at__gte=since
    )[:URGENT_MAX]


def _paginate(request: HttpRequest, articles: QuerySet) -> PaginatorPage:
    return Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))


def _newest_per_group[G: models.Model](
    articles: Iterable["ArticlePage"], groups_of: Callable[["ArticlePage"], set[G]]
) -> list[tuple[G, list["ArticlePage"]]]:
    """(group, its newest HOME_PER_GROUP articles), groups in their sort order."""
    grouped: dict[G, list[ArticlePage]] = {}
    for article in articles:
        for group in groups_of(article):
            newest = grouped.setdefault(group, [])
            if len(newest) < HOME_PER_GROUP:
                newest.append(article)
    return sorted(grouped.items(), key=lambda item: (item[0].sort_order, item[0].pk))


class ChannelChoiceSelect(forms.NullBooleanSelect):
    """Default / yes / no for a channel: "Default" (None) follows the
    office's channel defaults."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Default")),
            ("true", _("Yes")),
            ("false", _("No")),
        ]


class SiteURLMixin:
    """Absolute URLs on the site's public address (TSUNAGU_BASE_URL), not
    the Site record's hostname and port: full_url, the API's html_url,
    "View live", canonical and hreflang links all come through here."""

    def get_url_parts(self, request: HttpRequest | None = None):
        parts = super().get_url_parts(request=request)
        if parts is None or parts[2] is None:
            return parts
        return (parts[0], site_base_url(), parts[2])


class CachedPageMixin:
    """The public pages answer anonymous visitors from the response cache
    (cms.caching): keyed by URL and the content generation, which every
    publish, unpublish, move, taxonomy or source edit, and every change of a
    live page's translation state renews."""

    # Every query parameter the page reads (cms.caching ignores the others).
    cache_params: tuple[str, ...] = ("page",)

    def serve(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_response(
            request,
            partial(super().serve, request, *args, **kwargs),
            params=self.cache_params,
        )


class HomePage(NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, Page):
    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.OfficePage", "cms.NewsIndexPage", "cms.NewsletterIndexPage"]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        recent = list(
            articles_live(self.locale).prefetch_related(
                "topics",
                Prefetch(
                    "countries", queryset=Country.objects.select_related("region")
                ),
            )[:HOME_POOL]
        )
        context["urgent_articles"] = articles_urgent(self.locale)
        context["latest_articles"] = recent[:HOME_LATEST]
        context["latest_by_region"] = _newest_per_group(
            recent, lambda article: {c.region for c in article.countries.all()}
        )
        context["latest_by_topic"] = _newest_per_group(
            recent, lambda article: set(article.topics.all())
        )
        context["offices"] = (
            OfficePage.objects.live().child_of(self).select_related("office")
        )
        return context


class OfficePage(NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, Page):
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
        articles = articles_live(self.locale).child_of(self)
        context["articles"] = _paginate(request, articles)
        context["regions"] = self.office.regions.all()
        return context


class NewsIndexPage(
    NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, RoutablePageMixin, Page
):
    """All articles of the locale, newest first, filterable by topic and region."""

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "link"]
    )

    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    # topic and region: the old filter links, redirected to the listings.
    cache_params = ("page", "topic", "region")

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["topics"] = Topic.objects.all()
        context["regions"] = Region.objects.all()
        return context

    def _listing(
        self, request: HttpRequest, articles: QuerySet, **context: object
    ) -> HttpResponse:
        return self.render(
            request,
            context_overrides={"articles": _paginate(request, articles), **context},
        )

    @subpage_path("")
    def index_route(self, request: HttpRequest) -> HttpResponse:
        # The filters were query parameters once; each listing has its own
        # path now (one canonical URL, translations at the same path).
        if (slug := request.GET.get("topic")) and Topic.objects.filter(
            slug=slug
        ).exists():
            return redirect(self.listing_url("topic", slug, request), permanent=True)
        if (code := request.GET.get("region")) and Region.objects.filter(
            code=code
        ).exists():
            return redirect(self.listing_url("region", code, request), permanent=True)
        return self._listing(request, articles_live(self.locale))

    @subpage_path("topic/<slug:slug>/", name="topic")
    def topic_route(self, request: HttpRequest, slug: str) -> HttpResponse:
        topic = get_object_or_404(Topic, slug=slug)
        return self._listing(
            request,
            articles_live(self.locale).filter(topics=topic),
            listing=topic,
            listing_kind="topic",
            listing_code=topic.slug,
            subpage=self.reverse_subpage("topic", args=[slug]),
        )

    @subpage_path("region/<slug:code>/", name="region")
    def region_route(self, request: HttpRequest, code: str) -> HttpResponse:
        region = get_object_or_404(Region, code=code)
        return self._listing(
            request,
            articles_live(self.locale).filter(countries__region=region).distinct(),
            listing=region,
            listing_kind="region",
            listing_code=region.code,
            subpage=self.reverse_subpage("region", args=[code]),
        )

    def listing_url(
        self, kind: str, value: str, request: HttpRequest | None = None
    ) -> str:
        """The path of a topic's or a region's listing ("topic" or "region")."""
        return self.get_url(request) + self.reverse_subpage(kind, args=[value])


class ArticlePage(NewsroomPermissionsMixin, SiteURLMixin, CachedPageMixin, Page):
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

    # Corrections: set when publishing a correction; readers see it on the
    # article, and partners, X and the newsletter are told (publishers).
    correction = models.TextField(
        _("correction notice"),
        blank=True,
        max_length=1000,
        help_text=_(
            "What was wrong and what changed. Fill it in when you publish a "
            "correction: it is shown on the article and sent as a correction "
            "to partners, X and the next newsletter."
        ),
    )
    # Where the article goes when published (publishers). Empty: the
    # default for articles of this office (Settings > Channel defaults).
    to_x = models.BooleanField(_("post on X"), null=True, blank=True, default=None)
    to_newsletter = models.BooleanField(
        _("include in the newsletter"), null=True, blank=True, default=None
    )
    to_partners = models.BooleanField(
        _("notify partners (webhooks)"), null=True, blank=True, default=None
    )
    urgent = models.BooleanField(
        _("urgent"),
        default=False,
        help_text=_(
            "Send it at once to newsletter subscribers interested in its "
            "regions, as well as in the weekly issue. Disaster and safety "
            "articles are always urgent."
        ),
    )

    parent_page_types = ["cms.OfficePage"]
    subpage_types: list[str] = []
    copy_form_class = ArticleCopyForm

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
                DraftSourceItemsPanel(),
            ],
            heading=_("Provenance"),
        ),
        FieldPanel("correction"),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [
                FieldPanel("to_x", widget=ChannelChoiceSelect),
                FieldPanel("to_newsletter", widget=ChannelChoiceSelect),
                FieldPanel("to_partners", widget=ChannelChoiceSelect),
                FieldPanel("urgent"),
                PageDeliveriesPanel(heading=_("Deliveries")),
            ],
            heading=_("Channels"),
            help_text=_(
                'Where the article goes when it is published. "Default" '
                "follows the office's channel defaults."
            ),
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
        TranslatableField("correction"),
        # Each language's page chooses its own channels.
        SynchronizedField("to_x", overridable=True),
        SynchronizedField("to_newsletter", overridable=True),
        SynchronizedField("to_partners", overridable=True),
        SynchronizedField("urgent", overridable=True),
    ]

    # An article page reads no query parameter.
    cache_params = ()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        versions = self.get_translations().live().public().select_related("locale")
        # The page in the language the source was written in, when this one
        # is a translation of it (the translation notice points there).
        original = self.original_language.lower()
        context["original_version"] = (
            next((v for v in versions if v.locale.language_code == original), None)
            if original != self.locale.language_code
            else None
        )
        # A source that allows only a summary and link: the site shows no
        # more than the feeds and the API, whatever the body holds.
        from cms.feeds.selectors import summary_only_keys

        context["summary_only"] = bool(summary_only_keys([self.translation_key]))
        return context

    def office_mismatch(self, parent: Page | None) -> bool:
        """Whether this article, under ``parent``, would sit in the section
        of another office than its own (the rule of ``clean``, which the
        copy form checks before Wagtail copies)."""
        office_page = parent.specific if parent else None
        return (
            isinstance(office_page, OfficePage)
            and self.office_id is not None
            and self.office_id != office_page.office_id
        )

    def clean(self) -> None:
        super().clean()
        # The tree path is set before the first save (add_child), so the parent
        # is known here for new pages as well.
        parent = self.get_parent() if self.path else None
        office_page = parent.specific if parent else None
        if isinstance(office_page, OfficePage) and self.office_id is None:
            self.office_id = office_page.office_id
        if self.office_mismatch(parent):
            raise ValidationError({"office": OFFICE_MISMATCH})
