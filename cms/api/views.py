"""The partner API's endpoints: Wagtail API v2 viewsets, read-only, live and
public content only, every query parameter declared (``params``).

Shared by all endpoints: no session or basic authentication (partner keys are
read by ``limits`` before the view, and what a caller sees never depends on
who they are, so answers can be cached by URL); JSON whatever the Accept
header says; every error is ``{"message": "..."}``; rich text as the site
shows it (links expanded); only listing and detail URLs (Wagtail's ``find``
redirects are not offered).
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import path
from django.utils.functional import cached_property
from rest_framework.exceptions import APIException
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import Page, PageViewRestriction, Site

from ..caching import generation_cached, request_generation
from ..models import ArticlePage
from ..selectors import collections_public
from . import params as p
from .fields import PublicPageSerializer, article_api_fields, articles_decorate
from .filters import (
    DEFAULT_LIMIT,
    FIELDS,
    PAGE_MODELS,
    ArticleFilter,
    ArticleSearchAndOrder,
    MediaFilter,
    PageFilter,
    article_params,
    media_params,
    page_params,
)

RICH_TEXT_FORMAT = "html"


class JSONOnly(BaseContentNegotiation):
    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DeclaredPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.view = view
        limit = view.params.get("limit", DEFAULT_LIMIT)
        offset = view.params.get("offset", 0)
        self.total_count = queryset.count()
        return queryset[offset : offset + limit]


class PartnerAPIMixin:
    cache_answers = False
    authentication_classes: list = []
    permission_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONOnly
    pagination_class = DeclaredPagination

    @classmethod
    def listing_params(cls) -> list[p.Param]:
        raise NotImplementedError

    @classmethod
    def detail_params(cls) -> list[p.Param]:
        return [FIELDS]

    def initial(self, request, *args, **kwargs) -> None:
        declared = (
            self.listing_params()
            if self.action == "listing_view"
            else self.detail_params()
        )
        self.params = p.params_parse(declared, request.GET)
        super().initial(request, *args, **kwargs)

    def check_query_parameters(self, queryset: QuerySet) -> None:
        """Done in initial(), from the declared parameters."""

    def resolve_rich_text_format(self) -> str:
        return RICH_TEXT_FORMAT

    def get_object(self):
        if not 0 < self.kwargs["pk"] <= p.MAX_ID:
            raise Http404("not found")
        return super().get_object()

    def handle_exception(self, exc):
        if isinstance(exc, APIException):
            return Response({"message": str(exc.detail)}, status=exc.status_code)
        return super().handle_exception(exc)

    @classmethod
    def get_urlpatterns(cls) -> list:
        return [
            path("", cls.as_view({"get": "listing_view"}), name="listing"),
            path("<int:pk>/", cls.as_view({"get": "detail_view"}), name="detail"),
        ]

    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if issubclass(model, ArticlePage):
            return article_api_fields(fields)
        return fields


def public_pages_q(request) -> Q:
    """Live pages of the request's site (all its language trees) without a view
    restriction on them or above, whoever asks: a logged-in editor sees no
    more than a partner, so an answer can be cached by its URL alone.

    The paths it depends on are worked out once per host and content
    generation (a site, locale or view restriction changed starts a new one).
    """
    roots, private = generation_cached(
        request,
        f"public-pages:{request.get_host()}",
        lambda: _public_paths(request),
    )
    if not roots:
        return Q(pk__in=[])
    under_roots = Q()
    for path_prefix in roots:
        under_roots |= Q(path__startswith=path_prefix)
    hidden = Q(pk__in=[])
    for path_prefix in private:
        hidden |= Q(path__startswith=path_prefix)
    return Q(live=True) & under_roots & ~hidden


def _public_paths(request) -> tuple[list[str], list[str]]:
    """The tree paths of the request's site's roots (one per language) and of
    every page with a view restriction."""
    site = Site.find_for_request(request)
    if site is None:
        return [], []
    roots = [site.root_page, *site.root_page.get_translations()]
    private = PageViewRestriction.objects.values_list("page__path", flat=True)
    return [root.path for root in roots], sorted(private)


class PublicPagesMixin(PartnerAPIMixin):
    cache_answers = True  # see router.page_answers_cached
    base_serializer_class = PublicPageSerializer

    @cached_property
    def public_q(self) -> Q:
        return public_pages_q(self.request)

    def get_base_queryset(self) -> QuerySet:
        return Page.objects.filter(self.public_q)

    def pages_prepare(self, queryset: QuerySet) -> QuerySet:
        """What serialising a page of results needs, in a fixed number of
        queries; for articles: office and locale joined. ``articles_decorate``
        adds topics and countries, the republishing right and the
        translation state, for the whole page of results at once."""
        queryset = queryset.select_related("locale")
        if queryset.model is not ArticlePage:
            return queryset
        return queryset.select_related("office")

    def decorate(self, pages: list) -> None:
        articles_decorate(pages, token=request_generation(self.request).token)

    def paginate_queryset(self, queryset) -> list:
        page = list(super().paginate_queryset(queryset))
        self.decorate(page)
        return page


class ArticlesAPIViewSet(PublicPagesMixin, PagesAPIViewSet):
    """Articles only, with their provenance; filters by codes and dates."""

    name = "articles"
    model = ArticlePage
    openapi_schema = "Article"
    filter_backends = [ArticleFilter, ArticleSearchAndOrder]
    meta_fields = [
        "type",
        "detail_url",
        "html_url",
        "slug",
        "first_published_at",
        "last_published_at",
        "locale",
    ]
    # Everything but the body unless asked for (fields=body or fields=*).
    listing_excluded_fields = ["body"]

    @classmethod
    def listing_params(cls) -> list[p.Param]:
        return article_params()

    @classmethod
    def get_listing_default_fields(cls, model) -> list[str]:
        return [
            name
            for name in cls.get_available_fields(model)
            if name not in cls.listing_excluded_fields
        ]

    @classmethod
    def get_detail_default_fields(cls, model) -> list[str]:
        return cls.get_available_fields(model)

    def get_queryset(self) -> QuerySet:
        queryset = self.pages_prepare(ArticlePage.objects.filter(self.public_q))
        if self.action == "listing_view" and not self._body_asked():
            # A listing shows no body unless asked: do not read it.
            queryset = queryset.defer("body")
        return queryset

    def _body_asked(self) -> bool:
        fields = self.request.GET.get("fields", "")
        names = {name.strip().lstrip("-") for name in fields.split(",")}
        return bool(names & {"body", "*"})

    @cached_property
    def _article(self) -> ArticlePage:
        # Only the primary key: the listing's filters do not apply here.
        if not 0 < self.kwargs["pk"] <= p.MAX_ID:
            raise Http404("not found")
        article = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if article is None:
            raise Http404("not found")
        self.decorate([article])
        return article

    def get_object(self) -> ArticlePage:
        return self._article


class PublicPagesAPIViewSet(PublicPagesMixin, PagesAPIViewSet):
    """The site's page tree: home pages, office sections, news indexes and
    articles (shown as on the articles endpoint)."""

    filter_backends = [PageFilter]
    openapi_schema = "Page"

    @classmethod
    def listing_params(cls) -> list[p.Param]:
        return page_params()

    def get_queryset(self) -> QuerySet:
        names = self.params.get("type", []) if self.action == "listing_view" else []
        models = [PAGE_MODELS[name] for name in names]
        base = self.get_base_queryset()
        if len(models) == 1:
            queryset = models[0].objects.filter(pk__in=base.values("pk"))
        elif models:
            queryset = base.type(*models)
        else:
            queryset = base
        return self.pages_prepare(queryset)

    @cached_property
    def _page(self) -> Page:
        page = super().get_object()
        if isinstance(page, ArticlePage):
            page = self.pages_prepare(ArticlePage.objects.filter(pk=page.pk)).get()
            self.decorate([page])
        return page

    def get_object(self) -> Page:
        return self._page


class PublicMediaMixin(PartnerAPIMixin):
    """Images and documents from collections without a view restriction on
    themselves or an ancestor."""

    filter_backends = [MediaFilter]

    @classmethod
    def listing_params(cls) -> list[p.Param]:
        return media_params()

    def get_queryset(self) -> QuerySet:
        return self.model.objects.filter(collection__in=collections_public())


class PublicImagesAPIViewSet(PublicMediaMixin, ImagesAPIViewSet):
    openapi_schema = "Image"


class PublicDocumentsAPIViewSet(PublicMediaMixin, DocumentsAPIViewSet):
    openapi_schema = "Document"
