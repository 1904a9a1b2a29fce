"""The outbox in the admin: every delivery with its state (filter by state,
channel and office), retry and skip for those that wait for an operator,
the dashboard panel of failing deliveries, and each page's channels in its
editor.

Editors see their offices' pages' deliveries; HQ reviewers and superusers
see all of them. Retrying or skipping needs the right to edit the page (or
HQ rights, for a page that no longer exists).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.models import Office
from cms.selectors import offices_for_user, user_is_hq

from .channels import channels_all
from .models import Delivery
from .panels import explanation
from .selectors import deliveries_failing
from .services import delivery_retry, delivery_skip

State = Delivery.State
PER_PAGE = 50
# What an operator can act on.
ACTIONABLE = (State.FAILED, State.UNKNOWN, State.PENDING)


def deliveries_visible(user: AbstractBaseUser) -> QuerySet[Delivery]:
    if not user.is_authenticated:
        return Delivery.objects.none()
    if user_is_hq(user):
        return Delivery.objects.all()
    offices = offices_for_user(user)
    return Delivery.objects.filter(page__articlepage__office__in=offices)


def can_act(user: AbstractBaseUser, delivery: Delivery) -> bool:
    if delivery.state not in ACTIONABLE:
        return False
    if user_is_hq(user):
        return True
    page = delivery.page
    return page is not None and page.permissions_for_user(user).can_edit()


class DeliveriesView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "publishers/admin/deliveries.html"
    page_title = gettext_lazy("Deliveries")
    header_icon = "resubmit"

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (user_is_hq(request.user) or offices_for_user(request.user)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def deliveries(self) -> QuerySet[Delivery]:
        rows = deliveries_visible(self.request.user).select_related("page")
        get = self.request.GET
        if (state := get.get("state", "")) == "failing":
            rows = rows.filter(pk__in=deliveries_failing().values("pk"))
        elif state in State.values:
            rows = rows.filter(state=state)
        if channel := get.get("channel", ""):
            rows = rows.filter(channel=channel)
        if office := get.get("office", ""):
            rows = rows.filter(page__articlepage__office__code=office)
        if page_id := get.get("page", ""):
            rows = rows.filter(page_key=int(page_id) if page_id.isdigit() else 0)
        return rows.order_by("-updated_at", "-pk")

    def get_context_data(self, **kwargs) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(self.deliveries(), PER_PAGE).get_page(
            self.request.GET.get("p")
        )
        user = self.request.user
        context.update(
            deliveries=page,
            rows=[
                {
                    "delivery": delivery,
                    "explanation": explanation(delivery),
                    "can_act": can_act(user, delivery),
                }
                for delivery in page
            ],
            states=[("failing", _("Failing")), *State.choices],
            channels=list(channels_all()),
            offices=Office.objects.all()
            if user_is_hq(user)
            else offices_for_user(user),
            filters={
                name: self.request.GET.get(name, "")
                for name in ("state", "channel", "office", "page")
            },
            here=self.request.get_full_path(),
        )
        return context


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    delivery = get_object_or_404(deliveries_visible(request.user), pk=pk)
    if not can_act(request.user, delivery):
        raise PermissionDenied
    if action(delivery=delivery, user=request.user):
        messages.success(request, done % {"title": delivery.page_title})
    else:
        messages.warning(request, _("This delivery has changed state meanwhile."))
    return redirect(get_valid_next_url_from_request(request) or "publishers_deliveries")


@require_POST
def delivery_retry_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, delivery_retry, _("“%(title)s” will be delivered again now.")
    )


@require_POST
def delivery_skip_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, delivery_skip, _("“%(title)s” will not be delivered there.")
    )


def admin_urls() -> list:
    return [
        path("deliveries/", DeliveriesView.as_view(), name="publishers_deliveries"),
        path(
            "deliveries/<int:pk>/retry/",
            delivery_retry_view,
            name="publishers_delivery_retry",
        ),
        path(
            "deliveries/<int:pk>/skip/",
            delivery_skip_view,
            name="publishers_delivery_skip",
        ),
    ]


# -- the dashboard -------------------------------------------------------------


class DeliveriesPanel(Component):
    """Each channel's deliveries at a glance, failing ones listed first."""

    name = "tsunagu_deliveries"
    order = 60
    template_name = "publishers/admin/dashboard_panel.html"

    def __init__(self, user: AbstractBaseUser) -> None:
        self.user = user

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        visible = deliveries_visible(self.user)
        since = timezone.now() - timezone.timedelta(hours=24)
        counts = visible.values("channel").annotate(
            done=Count("pk", filter=Q(state=State.DONE, done_at__gte=since)),
            waiting=Count("pk", filter=Q(state__in=[State.PENDING, State.SENDING])),
            unknown=Count("pk", filter=Q(state=State.UNKNOWN)),
            failed=Count("pk", filter=Q(state=State.FAILED)),
        )
        failing_rows = visible.filter(pk__in=deliveries_failing().values("pk"))
        failing = list(failing_rows.order_by("-updated_at", "-pk")[:10])
        from cms.models import DigestIssuePage

        from .newsletter.selectors import subscriber_counts

        latest_issue = DigestIssuePage.objects.order_by("-week_start", "-pk").first()
        return {
            "subscribers": subscriber_counts() if user_is_hq(self.user) else None,
            "latest_issue": latest_issue,
            "latest_issue_delivery": Delivery.objects.filter(
                page_key=latest_issue.pk, channel="newsletter"
            ).first()
            if latest_issue
            else None,
            "counts": sorted(counts, key=lambda row: row["channel"]),
            "failing": failing,
            "failing_total": failing_rows.count(),
            "list_url": reverse("publishers_deliveries"),
        }


__all__ = ["DeliveriesPanel", "admin_urls"]
