from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.auth import require_admin_access
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from translation import views as translation_views

from . import views
from .admin_inputs import admin_input_urls
from .admin_rooms import page_types_usage_urls
from .api import api_router
from .api.limits import rate_limited
from .caching import cache_public_response
from .sitemaps import SiteSitemap

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Before Wagtail's admin: wagtail-localize's "Machine translate" button
    # goes through Tsunagu's translation service (page, user, budget, ledger).
    path(
        "admin/localize/translate/<int:translation_id>/machine_translate/",
        require_admin_access(translation_views.machine_translate),
        name="translation_machine_translate",
    ),
    # Before Wagtail's admin: its page-types report names other offices' drafts.
    *page_types_usage_urls(),
    # Before Wagtail's admin: views of its that 500 on a malformed request.
    *admin_input_urls(),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/", api_router.urls),
    # One sitemap for every language (each URL lists its translations).
    path(
        "sitemap.xml",
        cache_public_response(params=("p",))(sitemap),
        {"sitemaps": {"pages": SiteSitemap}},
        name="sitemap",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Outside i18n_patterns: a feed's language is a filter (?locale=).
    path("feeds/", include("cms.feeds.urls")),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
if settings.DEBUG or getattr(settings, "TSUNAGU_SERVE_MEDIA", False):
    # Development (make run runs with DEBUG off): uploads from MEDIA_ROOT.
    from django.views.static import serve

    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# Japanese at the root, other languages under their prefix (/en/, /fr/, ...).
urlpatterns += i18n_patterns(
    # Rate-limited like the API: each search is a full-text query.
    path("search/", rate_limited(views.search, scope="search"), name="search"),
    path("newsletter/", include("publishers.newsletter.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
