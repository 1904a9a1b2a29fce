"""bench-api only: a plain WagtailAPIRouter with Wagtail's own
PagesAPIViewSet (no cache, no prefetching of ours), and the site's pages."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)

urlpatterns = [path("api/v2/", api_router.urls)]
urlpatterns += i18n_patterns(
    path("", include(wagtail_urls)), prefix_default_language=False
)
