from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_copy, admin_partners, admin_rooms, dashboard  # noqa: F401
from .models import Country, Office, Region, Topic

# The editors' "waiting for you" panel; the machinery on its own page.
hooks.register("construct_homepage_panels", dashboard.add_waiting_panel)
hooks.register("register_admin_urls", dashboard.system_status_urls)
hooks.register("register_settings_menu_item", dashboard.system_status_menu_item)


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
