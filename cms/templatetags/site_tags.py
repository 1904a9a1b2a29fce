"""The public site's head and navigation: languages, canonical links, previews.

Every version of a page (its live translations) links to the others with
hreflang; topic and region listings do the same at the same sub-path of each
news index. Absolute URLs come from the Wagtail site's root URL, the address
the site is published at, whatever host a request came through.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import translate_url
from django.utils import translation
from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext, gettext_noop, to_locale
from wagtail.models import Locale, Page, Site

from cms.models import ArticlePage, NewsIndexPage
from cms.siteurl import page_full_url, site_base_url

register = template.Library()

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
# Open Graph wants language_TERRITORY; these are the territories the site's
# readers expect for each language.
OG_LOCALES = {
    "ja": "ja_JP",
    "en": "en_US",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "it": "it_IT",
    "ko": "ko_KR",
    "zh-hans": "zh_CN",
}
DESCRIPTION_LENGTH = 200
TAGLINE = gettext_noop(
    "Tsunagu: news from local governments abroad, for Japan's local governments."
)
OG_IMAGE = "cms/og-image.png"  # 1200 x 630, what link previews show
OG_IMAGE_SIZE = (1200, 630)


def bcp47(code: str) -> str:
    """Django's language code as BCP 47 writes it: zh-hans -> zh-Hans."""
    language, *subtags = code.split("-")
    return "-".join(
        [
            language.lower(),
            *(
                tag.title() if len(tag) == 4 else tag.upper() if len(tag) == 2 else tag
                for tag in subtags
            ),
        ]
    )


register.filter("bcp47", bcp47)


@cache
def _languages_with_catalogue() -> frozenset[str]:
    """Languages our interface strings are translated into (cms/locale)."""
    found = {"en"}  # the source strings
    for code, _name in settings.LANGUAGES:
        for folder in settings.LOCALE_PATHS:
            if (Path(folder) / to_locale(code) / "LC_MESSAGES" / "django.mo").exists():
                found.add(code)
    return frozenset(found)


@dataclass(frozen=True)
class Languages:
    """The language of a page's content, and of the words around it.

    Interface strings fall back to English where there is no catalogue, and
    names of offices, regions and topics are kept in Japanese and English: on
    a French page, both are English, and say so with their own lang attribute.
    """

    content: str

    @property
    def html(self) -> str:
        return bcp47(self.content)

    @property
    def ui(self) -> str:
        return self.content if self.content in _languages_with_catalogue() else "en"

    @property
    def names(self) -> str:
        return "ja" if self.content.startswith("ja") else "en"

    def _attr(self, language: str) -> SafeString:
        if language == self.content:
            return SafeString("")
        return format_html(' lang="{}"', bcp47(language))

    @property
    def ui_attr(self) -> SafeString:
        return self._attr(self.ui)

    @property
    def names_attr(self) -> SafeString:
        return self._attr(self.names)


@register.simple_tag(takes_context=True)
def site_languages(context: template.Context) -> Languages:
    """``{% site_languages as LANG %}``: LANG.html, LANG.ui, LANG.ui_attr...

    base.html takes it before it switches to the interface language (Django
    would otherwise fill the gaps of a catalogue with Japanese, the default
    language), so the tags below read the content's language from it.
    """
    if isinstance(languages := context.get("LANG"), Languages):
        return languages
    page = context.get("page")
    if isinstance(page, Page):
        return Languages(page.locale.language_code)
    return Languages(get_language() or DEFAULT_LANGUAGE)


def _locale(context: template.Context) -> Locale | None:
    """The page's locale, else the request's language's, else the default;
    None on a site with no locale yet (an error page must still render)."""
    page = context.get("page")
    if isinstance(page, Page):
        return page.locale
    try:
        return Locale.objects.get_for_language(site_languages(context).content)
    except (Locale.DoesNotExist, LookupError):
        default = Locale.objects.filter(language_code=DEFAULT_LANGUAGE).first()
        return default or Locale.objects.first()


def _site(request: HttpRequest | None) -> Site | None:
    site = Site.find_for_request(request) if request else None
    return site or Site.objects.filter(is_default_site=True).first()


def _site_name(request: HttpRequest | None) -> str:
    site = _site(request)
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME


@register.simple_tag(takes_context=True)
def site_name(context: template.Context) -> str:
    return _site_name(context.get("request"))


def _root_url(request: HttpRequest | None) -> str:
    return site_base_url()


def _language_order(code: str) -> int:
    codes = [c for c, _name in settings.LANGUAGES]
    return codes.index(code) if code in codes else len(codes)


def page_versions(page: Page) -> list[Page]:
    """The live, public versions of a page in every language, the site's order."""
    versions = (
        page.get_translations(inclusive=True).live().public().select_related("locale")
    )
    return sorted(versions, key=lambda v: _language_order(v.locale.language_code))


@dataclass(frozen=True)
class Alternate:
    language: str  # Django's code
    hreflang: str  # BCP 47, or x-default
    url: str
    name: str
    current: bool


def _alternates(context: template.Context) -> list[Alternate]:
    """Each live version of the page (the same listing of each news index)."""
    page = context.get("page")
    if not isinstance(page, Page):
        return []
    request = context.get("request")
    subpage = context.get("subpage", "")
    alternates = []
    for version in page_versions(page):
        url = page_full_url(version, request)
        if url is None:
            continue
        code = version.locale.language_code
        alternates.append(
            Alternate(
                language=code,
                hreflang=bcp47(code),
                url=url + subpage,
                # Each language in itself (settings.LANGUAGES): the admin's
                # locale names are in the editor's language.
                name=dict(settings.LANGUAGES).get(code, code),
                current=version.pk == page.pk,
            )
        )
    return alternates


def _description(page: Page, context: template.Context) -> str:
    text = (
        page.search_description
        or getattr(page, "summary", "")
        or strip_tags(getattr(page, "intro", "") or "")
    )
    listing = context.get("listing")
    if listing is not None and not page.search_description:
        text = f"{listing} | {page.title}"
    if not text:
        with translation.override(site_languages(context).ui):
            text = gettext(TAGLINE)
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LENGTH)


def _canonical(page: Page, context: template.Context) -> str | None:
    request = context.get("request")
    url = page_full_url(page, request)
    if url is None:
        return None
    url += context.get("subpage", "")
    articles = context.get("articles")
    number = getattr(articles, "number", 1)
    return f"{url}?page={number}" if number > 1 else url


@register.inclusion_tag("cms/_head_meta.html", takes_context=True)
def head_meta(context: template.Context) -> dict[str, Any]:
    """Canonical and hreflang links, Open Graph and Twitter card tags."""
    request = context.get("request")
    root = _root_url(request)
    site_name = _site_name(request)
    page = context.get("page")
    meta: dict[str, Any] = {
        "site_name": site_name,
        "noindex": context.get("noindex", False),
        "image": root + static(OG_IMAGE),
        "image_width": OG_IMAGE_SIZE[0],
        "image_height": OG_IMAGE_SIZE[1],
    }
    if not isinstance(page, Page):
        meta["title"] = context.get("meta_title") or site_name
        meta["og_locale"] = OG_LOCALES.get(get_language() or "", "")
        return meta
    alternates = _alternates(context)
    language = page.locale.language_code
    listing = context.get("listing")
    meta |= {
        "title": str(listing) if listing is not None else page.seo_title or page.title,
        "description": _description(page, context),
        "canonical": _canonical(page, context),
        # hreflang only says something when there is another version.
        "alternates": alternates if len(alternates) > 1 else [],
        "x_default": next(
            (a for a in alternates if a.language == DEFAULT_LANGUAGE), None
        )
        if len(alternates) > 1
        else None,
        "og_locale": OG_LOCALES.get(language, to_locale(language)),
        "og_locale_alternates": [
            OG_LOCALES.get(a.language, to_locale(a.language))
            for a in alternates
            if not a.current
        ],
        "is_article": isinstance(page, ArticlePage),
        "page": page,
    }
    return meta


@register.inclusion_tag("cms/_language_switcher.html", takes_context=True)
def language_switcher(context: template.Context) -> dict[str, Any]:
    """Links to this page in the other languages it is published in.

    A view that is not a page (search) exists in every language: the same
    path under each language's prefix, query included.
    """
    page = context.get("page")
    request = context.get("request")
    if isinstance(page, Page):
        links = _alternates(context)
        root = _root_url(request)
        # Relative links: the page may be served from another host than the
        # site's published address (a preview, a test server).
        links = [
            Alternate(
                a.language,
                a.hreflang,
                a.url.removeprefix(root) or "/",
                a.name,
                a.current,
            )
            for a in links
        ]
    elif request is not None:
        current = site_languages(context).content
        names = dict(settings.LANGUAGES)
        links = [
            Alternate(
                code,
                bcp47(code),
                translate_url(request.get_full_path(), code),
                names[code],
                code == current,
            )
            for code, _name in settings.LANGUAGES
        ]
    else:
        links = []
    return {"links": links if len(links) > 1 else []}


def _news_index(context: template.Context) -> NewsIndexPage | None:
    """The news index of the page's language, looked up once a request."""
    locale = _locale(context)
    if locale is None:
        return None
    request = context.get("request")
    cache_attr = "_tsunagu_news_index"
    found = getattr(request, cache_attr, {}) if request else {}
    if locale.pk not in found:
        found[locale.pk] = NewsIndexPage.objects.live().filter(locale=locale).first()
        if request is not None:
            setattr(request, cache_attr, found)
    return found[locale.pk]


@register.simple_tag(takes_context=True)
def news_url(context: template.Context) -> str:
    index = _news_index(context)
    return index.get_url(context.get("request")) if index else ""


@register.simple_tag(takes_context=True)
def listing_url(context: template.Context, kind: str, value: str) -> str:
    """``{% listing_url "topic" topic.slug %}`` or ``"region" region.code``."""
    index = _news_index(context)
    return index.listing_url(kind, value, context.get("request")) if index else ""


@register.simple_tag(takes_context=True)
def home_url(context: template.Context) -> str:
    locale = _locale(context)
    site = _site(context.get("request"))
    if site is None or locale is None:
        return "/"
    home = site.root_page.get_translation_or_none(locale) or site.root_page
    return home.get_url(context.get("request")) or "/"


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **params: object) -> str:
    """This request's query string with some parameters replaced: ``?q=..&page=2``."""
    request = context.get("request")
    query = request.GET.copy() if request else None
    if query is None:
        return "?" + "&".join(f"{k}={v}" for k, v in params.items())
    for key, value in params.items():
        query[key] = str(value)
    return "?" + query.urlencode()


FEED_FORMATS = (
    ("rss", "application/rss+xml", "RSS"),
    ("atom", "application/atom+xml", "Atom"),
    ("json", "application/feed+json", "JSON Feed"),
)


@register.inclusion_tag("cms/_feeds.html", takes_context=True)
def feeds(context: template.Context, kind: str = "", value: str = "") -> dict:
    """Visible links to the feeds of the page's language, or of one office,
    region or topic in it: ``{% feeds "topic" topic.slug %}``."""
    from cms.feeds.selectors import FeedFilters, feed_path

    language = site_languages(context).content
    filters = FeedFilters(locale=language, **({kind: value} if kind else {}))
    return {
        "links": [
            (name, content_type, feed_path(fmt, filters))
            for fmt, content_type, name in FEED_FORMATS
        ],
        "ui_attr": site_languages(context).ui_attr,
    }


@register.inclusion_tag("cms/_breadcrumbs.html", takes_context=True)
def breadcrumbs(context: template.Context) -> dict[str, Any]:
    """Home > section > page (the page itself last, not a link)."""
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or page.depth <= 2:
        return {"crumbs": []}
    none = SafeString("")
    crumbs = [
        (ancestor.title, ancestor.get_url(request), none)
        for ancestor in page.get_ancestors().filter(depth__gte=2).live()
    ]
    listing = context.get("listing")
    if listing is not None:
        crumbs.append((page.title, page.get_url(request), none))
        names_attr = Languages(page.locale.language_code).names_attr
        crumbs.append((str(listing), None, names_attr))
    else:
        crumbs.append((page.title, None, none))
    return {"crumbs": crumbs}
