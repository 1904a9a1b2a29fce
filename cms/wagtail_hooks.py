from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_copy, admin_partners, admin_rooms  # noqa: F401
from .models import Country, Office, Region, Topic
from .selectors import system_health


class HealthPanel(Component):
    """Scheduler, workers and the task queue at a glance; problems first."""

    name = "tsunagu_health"
    order = 50
    template_name = "cms/admin/health_panel.html"

    def get_context_data(self, parent_context: Any = None) -> dict:
        return {"health": system_health()}


@hooks.register("construct_homepage_panels")
def add_health_panel(request: HttpRequest, panels: list) -> None:
    panels.append(HealthPanel())


class OfficeViewSet(SnippetViewSet):
    model = Office
    icon = "site"
    list_display = ["code", "name_ja", "name_en", "time_zone"]
    menu_label = _("Offices")


class RegionViewSet(SnippetViewSet):
    model = Region
    icon = "globe"
    list_display = ["code", "name_ja", "name_en"]


class CountryViewSet(SnippetViewSet):
    model = Country
    icon = "globe"
    list_display = ["code", "name_ja", "name_en", "region"]
    list_filter = ["region"]


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["slug", "name_ja", "name_en"]


class ReferenceDataGroup(SnippetViewSetGroup):
    items = (OfficeViewSet, RegionViewSet, CountryViewSet, TopicViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("Newsroom")
    menu_name = "newsroom"


register_snippet(ReferenceDataGroup)
