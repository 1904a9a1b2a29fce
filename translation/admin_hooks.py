"""The translation stage's place in the Wagtail admin: the dashboard panel,
the Translation menu's views; "Translate with DeepL" is in
``admin_translate``.

Imported by ``wagtail_hooks``, which also holds the glossary's snippets.
"""

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from cms.selectors import offices_for_user

from .admin_views import (
    JobsView,
    ReviewView,
    UsageView,
    job_retry_view,
    usage_csv_view,
)
from .localize_guards import guarded_admin_urls
from .panels import TranslationPanel

EDITOR_REQUEST = "editor request"
# The name of the "Translation" menu that wagtail_hooks makes for the glossary.
MENU_NAME = "translation"


# -- URLs, menu and dashboard --------------------------------------------------


@hooks.register("register_admin_urls")
def translation_admin_urls() -> list:
    return [
        path("translation/review/", ReviewView.as_view(), name="translation_review"),
        path("translation/jobs/", JobsView.as_view(), name="translation_jobs"),
        path(
            "translation/jobs/<int:pk>/retry/",
            job_retry_view,
            name="translation_job_retry",
        ),
        path("translation/usage/", UsageView.as_view(), name="translation_usage"),
        path(
            "translation/usage/ledger.csv",
            usage_csv_view,
            name="translation_usage_csv",
        ),
    ]


# wagtail-localize's page-changing routes, behind the newsroom's permissions.
hooks.register("register_admin_urls", guarded_admin_urls)


def translation_menu_items() -> list[MenuItem]:
    return [
        MenuItem(
            _("Waiting for review"),
            reverse("translation_review"),
            name="translation-review",
            icon_name="doc-empty-inverse",
            order=10,
        ),
        MenuItem(
            _("Translation jobs"),
            reverse("translation_jobs"),
            name="translation-jobs",
            icon_name="tasks",
            order=20,
        ),
        MenuItem(
            _("Usage"),
            reverse("translation_usage"),
            name="translation-usage",
            icon_name="table",
            order=30,
        ),
    ]


@hooks.register("construct_main_menu")
def translation_menu_join(request: HttpRequest, menu_items: list) -> None:
    """Put these views in the "Translation" menu beside the glossary, or make
    that menu when the user cannot see the glossary.

    The glossary's menu (a snippet viewset group in wagtail_hooks) has no
    submenu hook to register into, so the menu is rebuilt for the request.
    """
    # For office editors, HQ reviewers and superusers.
    if not offices_for_user(request.user).exists():
        return
    ours = translation_menu_items()
    for index, item in enumerate(menu_items):
        if item.name == MENU_NAME and isinstance(item, SubmenuMenuItem):
            theirs = item.menu.menu_items_for_request(request)
            menu_items[index] = SubmenuMenuItem(
                item.label,
                Menu(items=[*ours, *(i for i in theirs if i.name not in _names(ours))]),
                name=item.name,
                icon_name=item.icon_name,
                classname=item.classname,
                attrs=item.attrs,
                order=item.order,
            )
            return
    menu_items.append(
        SubmenuMenuItem(
            _("Translation"),
            Menu(items=ours),
            name=MENU_NAME,
            icon_name="openquote",
            order=270,
        )
    )


def _names(items: list[MenuItem]) -> set[str]:
    return {item.name for item in items}


@hooks.register("construct_homepage_panels")
def add_translation_panel(request: HttpRequest, panels: list) -> None:
    if offices_for_user(request.user).exists():
        panels.append(TranslationPanel(request))
