"""The API's URLs: Wagtail's router, each view behind the rate limiter (and
the page endpoints behind the response cache), the OpenAPI description, and a
JSON 404 for any other URL under /api/v2/."""

from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from wagtail.api.v2.router import WagtailAPIRouter

from ..caching import cached_response
from .limits import rate_limited
from .openapi import openapi_view
from .views import (
    ArticlesAPIViewSet,
    PublicDocumentsAPIViewSet,
    PublicImagesAPIViewSet,
    PublicPagesAPIViewSet,
)


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return JsonResponse(
        {"message": "Not found. The API is described at /api/v2/openapi.json."},
        status=404,
    )


def page_answers_cached(view):
    """The answer from cms.caching's response cache (per URL and content
    generation; ETag, Last-Modified, 304), for the endpoints that serve pages.

    Every query parameter is part of the key, so a request with an unknown
    one is never answered from another's entry. Publishing, unpublishing,
    moving and deleting pages, and adding or removing a view restriction,
    all start a new generation (cms/feeds/signal_handlers.py), so a page made
    private leaves the API at once. Images and documents are not cached (no
    generation follows them).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return cached_response(
            request,
            lambda: view(request, *args, **kwargs),
            params=list(request.GET.keys()),
        )

    return wrapped


class PartnerAPIRouter(WagtailAPIRouter):
    def wrap_view(self, func):
        if getattr(getattr(func, "cls", None), "cache_answers", False):
            func = page_answers_cached(func)
        return rate_limited(super().wrap_view(func))

    def get_urlpatterns(self) -> list:
        return [
            *super().get_urlpatterns(),
            path("openapi.json", self.wrap_view(openapi_view), name="openapi"),
            # Only paths ending in a slash: /api/v2/articles still gets
            # CommonMiddleware's redirect to /api/v2/articles/.
            re_path(r"^(?:.*/)?$", self.wrap_view(not_found)),
        ]


api_router = PartnerAPIRouter("wagtailapi")
api_router.register_endpoint("articles", ArticlesAPIViewSet)
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
