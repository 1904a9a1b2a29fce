"""The admin speaks the editor's language: every screen of ours, read by an
office editor and an HQ reviewer whose admin language is Japanese, shows no
English but names (``admin_text.ALLOWED_WORDS``) and the newsroom's own data,
and has a heading of its own.

The screens are found, not listed: the dashboard, the menus, every admin
viewset and setting of our apps (listing, new form, an existing object's
form), every admin URL our apps register that takes no argument, and the
page editor of our page types.
"""

import json
import re
from contextlib import suppress

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    reverse,
)
from wagtail.admin.viewsets import viewsets
from wagtail.contrib.settings.registry import registry as settings_registry
from wagtail.users.models import UserProfile
from wagtail_localize.models import Translation

from cms.models import ArticlePage, OfficePage
from cms.selectors import offices_for_user

from .admin_text import english_left, page_read

pytestmark = pytest.mark.django_db

OUR_APPS = ("cms", "scrapers", "translation", "publishers")
# Not screens: downloads and background requests of our views.
NOT_SCREENS = re.compile(r"\.csv$|/export/$|/results/$")
# Headings that say nothing of the screen: Wagtail's fallback.
EMPTY_HEADINGS = {"", "ホーム", "Home"}


def _user_data() -> list[str]:
    """Every short string the database holds (titles, names, codes, URLs,
    addresses, errors from vendors): the newsroom's data, shown as it is."""
    values: list[str] = []
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField))
            and not field.choices
            and type(field).__name__ not in ("RichTextField", "StreamField")
        ]
        if not fields or model._meta.app_label in ("sessions", "admin"):
            continue
        for row in model._default_manager.values_list(*fields)[:2000]:
            values += [v for v in row if isinstance(v, str) and len(v) < 500]
    return values


def _our_urls(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _our_urls(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        view = getattr(pattern.callback, "view_class", pattern.callback)
        module = getattr(view, "__module__", "")
        url = "/" + prefix + str(pattern.pattern)
        if (
            isinstance(pattern, URLPattern)
            and url.startswith("/admin/")
            and module.split(".")[0] in OUR_APPS
            and "<" not in url
            and "^" not in url
            and not NOT_SCREENS.search(url)
        ):
            yield url


def _viewset_urls(user) -> list[str]:
    urls = []
    for viewset in viewsets.viewsets:
        model = getattr(viewset, "model", None)
        if not hasattr(model, "_meta") or model._meta.app_label not in OUR_APPS:
            continue
        for name in ("index", "add", "list"):
            with suppress(NoReverseMatch):  # a viewset without that view
                urls.append(reverse(f"{viewset.url_namespace}:{name}"))
        objects = model._default_manager.order_by("pk")
        if any(field.name == "office" for field in model._meta.fields):
            objects = objects.filter(office__in=offices_for_user(user))
        first = objects.first()
        if first is not None:
            with suppress(NoReverseMatch):
                urls.append(reverse(f"{viewset.url_namespace}:edit", args=[first.pk]))
    for model in settings_registry:
        if model._meta.app_label in OUR_APPS:
            urls.append(
                reverse(
                    "wagtailsettings:edit",
                    args=[
                        model._meta.app_label,
                        model._meta.model_name,
                        model.load().pk,
                    ],
                )
            )
    return urls


def _page_urls(user) -> list[str]:
    """Wagtail's editor of one article the user may edit, and the new-article
    form. (Synced translations open in wagtail-localize's editor, a script
    that draws itself in the browser.)"""
    urls = []
    synced = Translation.objects.filter(enabled=True).values_list(
        "source__object_id", "target_locale_id"
    )
    synced = set(synced)
    for article in ArticlePage.objects.order_by("locale_id", "pk"):
        if (article.translation_key, article.locale_id) in synced:
            continue
        if article.permissions_for_user(user).can_edit():
            urls.append(reverse("wagtailadmin_pages:edit", args=[article.pk]))
            parent = article.get_parent()
            urls.append(
                reverse(
                    "wagtailadmin_pages:add",
                    args=["cms", "articlepage", parent.pk],
                )
            )
            break
    return urls


def _menu_labels(html: str) -> list[str]:
    match = re.search(
        r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    labels: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "label" and isinstance(value, str):
                    labels.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    if match:
        walk(json.loads(match.group(1)))
    return labels


def _screens(user) -> list[str]:
    urls = ["/admin/", *_our_urls(get_resolver().url_patterns), *_viewset_urls(user)]
    urls += _page_urls(user)
    # Wagtail's screens every editor passes through: the account (where the
    # admin language is chosen) and the listing of their office's section.
    urls.append(reverse("wagtailadmin_account"))
    section = OfficePage.objects.filter(office__in=offices_for_user(user)).first()
    if section is not None:
        urls.append(reverse("wagtailadmin_explore", args=[section.pk]))
    return list(dict.fromkeys(urls))


@pytest.fixture(params=["nyc-editor", "hq-reviewer", "admin"])
def reader(request, client):
    user = get_user_model().objects.get(username=request.param)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "ja"
    profile.save()
    client.force_login(user)
    return user


def test_every_admin_screen_of_ours_is_in_japanese_with_its_own_heading(client, reader):
    # The newsroom's data, and the time zones' IANA names, shown as they are.
    data = _user_data() + list(settings.WAGTAIL_USER_TIME_ZONES)
    seen = 0
    home_heading = None
    problems: dict[str, list[str]] = {}
    for url in _screens(reader):
        response = client.get(url)
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        seen += 1
        html = response.content.decode()
        texts, heading = page_read(html)
        english = english_left(texts + _menu_labels(html), data)
        if url == "/admin/":
            home_heading = heading
        elif heading in EMPTY_HEADINGS or heading == home_heading:
            english.append(f"<h1> is {heading!r}, not the screen's own")
        if english:
            problems[url] = english
    assert seen >= 5, "the role saw almost no screen: the crawl is broken"
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)
