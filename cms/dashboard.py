"""The admin's home page is for editors: what waits for them comes first,
scoped to their offices (HQ reviewers and superusers see every office). The
scheduler, the workers and the task queue have a page of their own, for
administrators (Settings > System status).

Each stage keeps its own dashboard panel (sources, machine translation,
deliveries); this one gathers the counts that ask for an editor's action.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .models import ArticlePage
from .selectors import offices_for_user, system_health, user_is_hq

SHOWN = 5


@dataclass(frozen=True)
class WaitingWork:
    """What waits for one user, in the order an editor handles it."""

    everything: bool
    items_new: int
    drafts: list[ArticlePage]
    drafts_total: int
    reviews: int
    sources_failing: list[Any]
    sources_failing_total: int
    deliveries_failing: int
    budget: Any

    @property
    def nothing(self) -> bool:
        return not (
            self.items_new
            or self.drafts_total
            or self.reviews
            or self.sources_failing_total
            or self.deliveries_failing
        )


def waiting_work_for(user: AbstractBaseUser) -> WaitingWork:
    """Counts for the user's offices (all of them for HQ): new scraped items,
    unpublished drafts in the source languages, machine translations to
    check, failing sources and deliveries, and this month's budget."""
    from publishers.admin_views import deliveries_visible
    from publishers.selectors import deliveries_failing
    from scrapers.models import Item
    from scrapers.permissions import sources_for_user
    from translation.budget import budget_status
    from translation.panels import reviews_in_scope, scope_for

    offices = offices_for_user(user)
    drafts = (
        ArticlePage.objects.filter(live=False, office__in=offices)
        .exclude(locale__language_code=settings.LANGUAGE_CODE)
        .order_by("-latest_revision_created_at", "-pk")
    )
    sources = sources_for_user(user).filter(consecutive_failures__gt=0)
    return WaitingWork(
        everything=user_is_hq(user),
        items_new=Item.objects.filter(
            source__office__in=offices, state=Item.State.NEW
        ).count(),
        drafts=list(drafts[:SHOWN]),
        drafts_total=drafts.count(),
        reviews=reviews_in_scope(scope_for(user)).count(),
        sources_failing=list(
            sources.select_related("office").order_by("-consecutive_failures")[:SHOWN]
        ),
        sources_failing_total=sources.count(),
        deliveries_failing=deliveries_visible(user)
        .filter(pk__in=deliveries_failing().values("pk"))
        .count(),
        budget=budget_status(),
    )


class WaitingPanel(Component):
    """The first panel of the admin's home page: what waits for me."""

    name = "tsunagu_waiting"
    order = 10
    template_name = "cms/admin/waiting_panel.html"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict:
        user = self.request.user
        return {
            "work": waiting_work_for(user),
            # Administrators hear of the machinery's trouble here, in one line.
            "system_problems": system_health().problems if user.is_superuser else [],
        }


def add_waiting_panel(request: HttpRequest, panels: list) -> None:
    if offices_for_user(request.user).exists():
        panels.append(WaitingPanel(request))


# -- the administrators' page --------------------------------------------------


class SystemStatusView(WagtailAdminTemplateMixin, TemplateView):
    """Scheduler, workers and the task queue: for administrators only."""

    template_name = "cms/admin/system_status.html"
    page_title = _("System status")
    header_icon = "cogs"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self) -> list:
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "health": system_health()}


class AdministratorMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


def system_status_urls() -> list:
    return [
        path("system/", SystemStatusView.as_view(), name="cms_system_status"),
    ]


def system_status_menu_item() -> MenuItem:
    return AdministratorMenuItem(
        _("System status"),
        reverse("cms_system_status"),
        name="system-status",
        icon_name="cogs",
        order=900,
    )
