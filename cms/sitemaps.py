"""sitemap.xml: every live, public page of every language's tree.

Wagtail's own sitemap lists the site's root page and what lies below it: here
that is the Japanese tree alone, since the other languages' trees are
translations of its home page beside it. This one walks every translation of
the root, and gives each URL its versions in the other languages as
``xhtml:link rel="alternate" hreflang`` (Django's sitemap template writes
them), plus ``x-default`` pointing at the Japanese version.
"""

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page

from .siteurl import page_full_url
from .templatetags.site_tags import bcp47


class SiteSitemap(Sitemap):
    def items(self):
        root = self.get_wagtail_site().root_page
        trees = Q()
        for home in root.get_translations(inclusive=True):
            trees |= Q(path__startswith=home.path)
        return (
            Page.objects.filter(trees)
            .live()
            .public()
            .select_related("locale")
            .order_by("path")
        )

    def _urls(self, page, protocol, domain) -> list[dict[str, Any]]:
        urls = []
        last_mods = set()
        pages = list(self.paginator.page(page).object_list)
        versions = self._versions({p.translation_key for p in pages})
        for item in pages:
            location = page_full_url(item, self.request)
            if location is None:
                continue
            lastmod = item.last_published_at or item.latest_revision_created_at
            alternates = versions.get(item.translation_key, [])
            if len(alternates) < 2:
                alternates = []
            default = [a for a in alternates if a["lang_code"] == default_language()]
            if default:
                alternates = [
                    *alternates,
                    {"lang_code": "x-default", "location": default[0]["location"]},
                ]
            urls.append(
                {
                    "item": item,
                    "location": location,
                    "lastmod": lastmod,
                    "changefreq": None,
                    "priority": None,
                    "alternates": alternates,
                }
            )
            last_mods.add(lastmod)
        if last_mods and None not in last_mods:
            self.latest_lastmod = max(last_mods)
        return urls

    def _versions(self, keys: set) -> dict[Any, list[dict[str, str]]]:
        """Every live version of these pages by translation key, in the
        order of settings.LANGUAGES."""
        order = {code: n for n, (code, _name) in enumerate(settings.LANGUAGES)}
        versions = sorted(
            Page.objects.filter(translation_key__in=keys)
            .live()
            .public()
            .select_related("locale"),
            key=lambda v: order.get(v.locale.language_code, len(order)),
        )
        found: dict[Any, list[dict[str, str]]] = defaultdict(list)
        for version in versions:
            if (location := page_full_url(version, self.request)) is not None:
                found[version.translation_key].append(
                    {
                        "lang_code": bcp47(version.locale.language_code),
                        "location": location,
                    }
                )
        return found


def default_language() -> str:
    return bcp47(settings.LANGUAGE_CODE)
