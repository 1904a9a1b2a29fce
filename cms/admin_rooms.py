"""Admin hooks and views that keep every role in its room (see
``cms.permissions``): the page chooser and the page-types report show only
pages the user may see, and Wagtail's move confirmation asks the page
permissions before it shows anything."""

from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from wagtail import hooks
from wagtail.admin.auth import permission_denied, require_admin_access
from wagtail.admin.views.reports import page_types_usage
from wagtail.models import Page

from .permissions import pages_in_rooms
from .selectors import user_is_hq


def pages_visible(user, pages: QuerySet[Page]) -> QuerySet[Page]:
    """HQ sees every page; others their rooms' pages and what readers see
    (live pages whose title is the live one: a pending draft's is not)."""
    if user_is_hq(user):
        return pages
    # One ``pk IN (...)`` filter: the search backends take that, not ORs.
    visible = Page.objects.filter(
        Q(pk__in=pages_in_rooms(user).values("pk"))
        | Q(live=True, has_unpublished_changes=False)
        | Q(depth__lte=2)
    )
    return pages.filter(pk__in=visible.values("pk"))


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_visible(pages: QuerySet[Page], request: HttpRequest) -> QuerySet:
    return pages_visible(request.user, pages)


class PageTypesUsageReportView(page_types_usage.PageTypesUsageReportView):
    """Wagtail's report names the last edited page of each type, whoever's
    it is: here, the last one the user may see."""

    def decorate_paginated_queryset(self, page_types):
        page_types = super().decorate_paginated_queryset(page_types)
        user = self.request.user
        if user_is_hq(user):
            return page_types
        for item in page_types:
            item.last_edited_page = (
                pages_visible(user, Page.objects.filter(content_type=item))
                .order_by(F("latest_revision_created_at").desc(nulls_last=True), "-pk")
                .specific()
                .first()
            )
        return page_types


def page_types_usage_urls() -> list:
    """In front of Wagtail's own (cms/urls.py mounts them before the admin)."""
    view = require_admin_access(PageTypesUsageReportView.as_view())
    results = require_admin_access(PageTypesUsageReportView.as_view(results_only=True))
    return [
        path(
            "admin/reports/page-types-usage/",
            view,
            name="cms_page_types_usage",
        ),
        path(
            "admin/reports/page-types-usage/results/",
            results,
            name="cms_page_types_usage_results",
        ),
    ]


@hooks.register("before_move_page")
def move_only_within_rights(
    request: HttpRequest, page: Page, destination: Page
) -> HttpResponse | None:
    # Wagtail's confirmation page shows the page before the POST checks.
    if not page.permissions_for_user(request.user).can_move_to(destination):
        return permission_denied(request)
    return None
