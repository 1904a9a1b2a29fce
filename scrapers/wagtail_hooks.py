from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.selectors import offices_for_user

from .forms import SourceForm
from .models import Source
from .panels import SourceHealthPanel
from .permissions import OfficeSourcePermissionPolicy, sources_for_user
from .views import SourceImportView, SourceTryView, TriageView, source_fetch_now

register_permission_policy(Source, OfficeSourcePermissionPolicy(Source))


class _OfficeScoped:
    """Single-object views see only the sources of the user's offices."""

    def get_queryset(self):
        return sources_for_user(self.request.user)


class EditView(_OfficeScoped, snippet_views.EditView):
    pass


class DeleteView(_OfficeScoped, snippet_views.DeleteView):
    pass


class _OfficeScopedObject:
    """History and usage list other rows (log entries, references), so their
    ``get_queryset`` is not the sources: the source they are about is looked
    up in ``get_base_object_queryset``, among the user's offices' sources."""

    def get_base_object_queryset(self):
        return sources_for_user(self.request.user)


class HistoryView(_OfficeScopedObject, snippet_views.HistoryView):
    pass


class UsageView(_OfficeScopedObject, snippet_views.UsageView):
    pass


class IndexView(snippet_views.IndexView):
    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(
                _("Try a source"),
                url=reverse("scrapers_source_try"),
                icon_name="search",
            ),
            HeaderButton(
                _("Import CSV"),
                url=reverse("scrapers_source_import"),
                icon_name="upload",
            ),
        ]


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "rss"
    menu_label = _("Sources")
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = IndexView
    edit_view_class = EditView
    delete_view_class = DeleteView
    history_view_class = HistoryView
    usage_view_class = UsageView
    list_display = [
        "name",
        "office",
        "kind",
        "health",
        "last_fetch_at",
        "next_fetch_at",
        "items_found",
    ]
    list_filter = ["office", "kind", "enabled"]
    search_fields = ["name", "url"]
    edit_handler = ObjectList(
        [
            SourceHealthPanel(),
            FieldPanel("office"),
            FieldPanel("name"),
            FieldPanel("url"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("language")]),
            MultiFieldPanel(
                [FieldPanel("country"), FieldPanel("region_name"), FieldPanel("city")],
                heading=_("Jurisdiction"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("enabled"),
                    FieldPanel("fetch_interval_minutes"),
                    FieldPanel("republish"),
                    FieldPanel("fetch_full_article"),
                    FieldPanel("auto_draft"),
                    FieldPanel("max_new_items"),
                ],
                heading=_("Fetching"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("rule_item"),
                    FieldPanel("rule_link"),
                    FieldPanel("rule_title"),
                    FieldPanel("rule_date"),
                    FieldPanel("rule_summary"),
                ],
                heading=_("Rule for an HTML list page (CSS selectors)"),
            ),
        ],
        base_form_class=SourceForm,
    )

    def get_queryset(self, request: HttpRequest):
        return sources_for_user(request.user).select_related("office")


register_snippet(SourceViewSet)


@hooks.register("register_admin_urls")
def scrapers_admin_urls() -> list:
    return [
        path("sources/try/", SourceTryView.as_view(), name="scrapers_source_try"),
        path(
            "sources/import/", SourceImportView.as_view(), name="scrapers_source_import"
        ),
        path("sources/<int:pk>/fetch/", source_fetch_now, name="scrapers_source_fetch"),
        path("triage/", TriageView.as_view(), name="scrapers_triage"),
    ]


class TriageMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return offices_for_user(request.user).exists()


@hooks.register("register_admin_menu_item")
def triage_menu_item() -> MenuItem:
    return TriageMenuItem(
        _("Triage"), reverse("scrapers_triage"), icon_name="tasks", order=260
    )


class SourcesPanel(Component):
    """The sources of the editor's offices, failing ones first."""

    name = "tsunagu_sources"
    order = 60
    template_name = "scrapers/admin/sources_panel.html"
    shown = 12

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict:
        sources = sources_for_user(self.request.user).select_related("office")
        ordered = sources.order_by("-consecutive_failures", "next_fetch_at")
        return {
            "sources": ordered[: self.shown],
            "total": sources.count(),
            "failing": sources.filter(consecutive_failures__gt=0).count(),
        }


@hooks.register("construct_homepage_panels")
def add_sources_panel(request: HttpRequest, panels: list) -> None:
    if offices_for_user(request.user).exists():
        panels.append(SourcesPanel(request))
