"""Feed autodiscovery: ``{% load feed_tags %}`` then ``{% feed_links page %}``
in a page's <head>.

For an office section or an article: the office's feeds in the page's
language, then all articles in that language; elsewhere (home, news index,
search, no page): all articles in the page's (or the request's) language.
Each in RSS, Atom and JSON Feed, as ``<link rel="alternate">`` tags.
"""

from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from wagtail.models import Page

from cms.feeds.selectors import FeedFilters, content_languages, feed_path

register = template.Library()

FEED_TYPES = (
    ("rss", "application/rss+xml", "RSS"),
    ("atom", "application/atom+xml", "Atom"),
    ("json", "application/feed+json", "JSON Feed"),
)


def _language(page: Page | None) -> str:
    languages = content_languages()
    if page is not None and page.locale_id:
        code = page.locale.language_code
        if code in languages:
            return code
    code = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    return code if code in languages else settings.LANGUAGE_CODE


@register.simple_tag(takes_context=True)
def feed_links(context: template.Context, page: Page | None = None) -> SafeString:
    page = page if page is not None else context.get("page")
    if not isinstance(page, Page):
        page = None
    language = _language(page)
    scopes: list[tuple[FeedFilters, str]] = []
    office = getattr(page.specific if page is not None else None, "office", None)
    if office is not None:
        scopes.append((FeedFilters(office=office.code, locale=language), str(office)))
    scopes.append((FeedFilters(locale=language), content_languages()[language]))
    site = settings.WAGTAIL_SITE_NAME
    return format_html_join(
        "\n",
        '<link rel="alternate" type="{}" title="{}" href="{}">',
        (
            (
                content_type,
                _("%(site)s: %(scope)s (%(format)s)")
                % {"site": site, "scope": scope, "format": name},
                feed_path(fmt, filters),
            )
            for filters, scope in scopes
            for fmt, content_type, name in FEED_TYPES
        ),
    ) or format_html("")
