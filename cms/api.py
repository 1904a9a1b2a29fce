"""Wagtail API v2 for partners: read-only, live and public content only.

Wagtail 8's API v3 preview is deliberately not installed: it shows drafts to
logged-in callers and has write endpoints.
"""

from django.db.models import QuerySet
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from .selectors import collections_public


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    """Images from collections without a view restriction (or restricted parent)."""

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(collection__in=collections_public())


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(collection__in=collections_public())


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
