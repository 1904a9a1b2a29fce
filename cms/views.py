import re
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from wagtail.models import Locale

from .models import ArticlePage
from .siteurl import site_base_url

RESULTS_PER_PAGE = 20
MAX_QUERY_LENGTH = 200
# A query in Latin letters (Paris, JET, Brexit) and no kana, kanji or
# hangul: on the Japanese site it is likely meant for the English pages.
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]")
OFFER_LANGUAGE = "en"


def other_language_search(query: str, language: str) -> str | None:
    """The English search for a Latin-script query made on the Japanese
    site (whose articles are in Japanese): its URL, or None."""
    if language != "ja" or not LATIN.search(query) or CJK.search(query):
        return None
    with translation.override(OFFER_LANGUAGE):
        path = reverse("search")
    return f"{path}?{urlencode({'q': query})}"


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
        request,
        "cms/search.html",
        {
            "search_query": query,
            "results": results,
            "other_search": query and other_language_search(query, get_language()),
        },
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
