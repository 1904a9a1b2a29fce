"""The API's URLs: Wagtail's router, each view behind the rate limiter (and
the page endpoints behind the response cache), the OpenAPI description, and a
JSON 404 for any other URL under /api/v2/."""

import copy
from functools import wraps

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.models import PageViewRestriction

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


# A query parameter of the cache key only: never seen by the view.
RESTRICTIONS_KEY = "_tsunagu_restrictions"


def page_answers_cached(view):
    """The answer from cms.caching's response cache (per URL and content
    generation; ETag, Last-Modified, 304), for the endpoints that serve pages.

    Every query parameter is part of the key, so a request with an unknown
    one is never answered from another's entry. Adding a view restriction to
    a live page starts no new generation, so the restrictions' count and
    latest id are part of the key too: a page made private leaves the API at
    once. Images and documents are not cached (no generation follows them).
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        restrictions = PageViewRestriction.objects.aggregate(
            n=Count("pk"), last=Max("pk")
        )
        keyed = copy.copy(request)
        keyed.GET = request.GET.copy()
        keyed.GET[RESTRICTIONS_KEY] = f"{restrictions['n']}-{restrictions['last']}"
        return cached_response(
            keyed,
            lambda: view(request, *args, **kwargs),
            params=[*request.GET.keys(), RESTRICTIONS_KEY],
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
