from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language
from wagtail.models import Locale

from .models import ArticlePage
from .siteurl import site_base_url

RESULTS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200


def search(request: HttpRequest) -> HttpResponse:
    """Search the articles of the current language (Japanese-capable index)."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        locale = Locale.objects.filter(language_code=get_language()).first()
        articles = ArticlePage.objects.live().public()
        if locale:
            articles = articles.filter(locale=locale)
        results = Paginator(articles.search(query), RESULTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return TemplateResponse(
        request, "cms/search.html", {"search_query": query, "results": results}
    )


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read the public site; the sitemap lists every language."""
    root = site_base_url()
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        f"Sitemap: {root}{reverse('sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
