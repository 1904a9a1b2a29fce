"""Newsletter subscribers in the Wagtail admin: HQ reviewers and superusers
only. A read-only list (status, organisation, prefecture, interests, consent
version, Mailchimp state) with filters, a CSV export of the subscribed
members, each subscriber's consent history, and "Erase".

Nobody edits a subscriber here: choices change through the person's own
confirmed sign-up, status through their links or Mailchimp, so the consent
audit stays true. Wagtail's own log is not used for subscribers either: its
entries keep the object's name (the e-mail address) after an erasure.

Registered through ``publishers/wagtail_hooks.py`` (it imports this module).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from cms.admin_partners import HQOnlyPermissionPolicy
from cms.spreadsheets import SafeCSVExportMixin
from publishers.backends.newsletter import newsletter_backend

from .models import ConsentRecord, Subscriber
from .services import Erasure, subscriber_erase

Status = Subscriber.Status
#: What HQ may do with subscribers; add, change and delete are nobody's.
ALLOWED = frozenset({"view", "erase"})


class SubscriberPermissionPolicy(HQOnlyPermissionPolicy):
    def user_has_permission(self, user: AbstractBaseUser, action: str) -> bool:
        return action in ALLOWED and self._allowed(user)

    def user_has_any_permission(self, user: AbstractBaseUser, actions) -> bool:
        return bool(ALLOWED & set(actions)) and self._allowed(user)


register_permission_policy(Subscriber, SubscriberPermissionPolicy(Subscriber))


def _interests(subscriber: Subscriber) -> str:
    names = [str(r) for r in subscriber.regions.all()]
    names += [str(t) for t in subscriber.topics.all()]
    return ", ".join(names)


def sync_state(subscriber: Subscriber) -> str:
    """Where the row stands with Mailchimp, in words."""
    if subscriber.status == Status.ERASED:
        return _("Erasure waiting for Mailchimp: %(error)s") % {
            "error": subscriber.sync_error or _("not tried yet")
        }
    if newsletter_backend() is None:
        return ""
    if subscriber.sync_needed:
        if subscriber.sync_error:
            return _("Waiting to be sent (%(error)s)") % {
                "error": subscriber.sync_error
            }
        return _("Waiting to be sent")
    if subscriber.sync_error:
        return subscriber.sync_error
    return subscriber.remote_status or ""


class SubscriberIndexView(SafeCSVExportMixin, generic.IndexView):
    export_formats = ["csv"]
    list_export = [
        "email",
        "organisation",
        "prefecture",
        "regions",
        "topics",
        "language",
        "confirmed_at",
    ]
    export_filename = "newsletter-subscribers"

    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().prefetch_related("regions", "topics")

    def get_queryset(self) -> QuerySet:
        queryset = super().get_queryset()
        if self.is_export:
            # Only people who receive the newsletter; never the others'
            # details, nor the consent audit.
            queryset = queryset.filter(status=Status.SUBSCRIBED)
        return queryset

    def to_row_dict(self, item: Subscriber) -> dict:
        return {
            "email": item.email,
            "organisation": item.organisation,
            "prefecture": item.get_prefecture_display(),
            "regions": ", ".join(str(r) for r in item.regions.all()),
            "topics": ", ".join(str(t) for t in item.topics.all()),
            "language": item.language,
            "confirmed_at": item.confirmed_at,
        }

    def get_list_more_buttons(self, instance: Subscriber) -> list:
        buttons = super().get_list_more_buttons(instance)
        if self.permission_policy.user_has_permission(self.request.user, "erase"):
            buttons.append(
                MenuItem(
                    _("Erase"),
                    url=reverse("newsletter_subscriber_erase", args=[instance.pk]),
                    icon_name="bin",
                    priority=40,
                )
            )
        return buttons


class SubscriberInspectView(generic.InspectView):
    def get_fields(self) -> list[str]:
        return [*super().get_fields(), "sync_state", "consent_history"]

    def get_field_label(self, field_name, field):
        if field_name == "sync_state":
            return _("Mailchimp")
        if field_name == "consent_history":
            return _("Consent history")
        return super().get_field_label(field_name, field)

    def get_field_display_value(self, field_name, field):
        if field_name in ("regions", "topics"):
            return ", ".join(str(o) for o in getattr(self.object, field_name).all())
        return super().get_field_display_value(field_name, field)

    def get_sync_state_display_value(self) -> str:
        return sync_state(self.object) or "—"

    def get_consent_history_display_value(self) -> str:
        records = self.object.consent_records.order_by("at", "pk")
        return format_html_join(
            "",
            "<p>{} — {} ({}; {} {}) {}</p>",
            (
                (
                    record.at.strftime("%Y-%m-%d %H:%M"),
                    record.get_action_display(),
                    record.get_source_display(),
                    _("version"),
                    record.consent_version or "—",
                    record.reason,
                )
                for record in records
            ),
        )

    @property
    def header_more_buttons(self) -> list:
        buttons = list(super().header_more_buttons)
        buttons.append(
            Button(
                _("Erase"),
                url=reverse("newsletter_subscriber_erase", args=[self.object.pk]),
                icon_name="bin",
                priority=40,
            )
        )
        return buttons


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "mail"
    menu_label = gettext_lazy("Newsletter subscribers")
    menu_name = "newsletter-subscribers"
    menu_order = 280
    add_to_admin_menu = True
    index_view_class = SubscriberIndexView
    inspect_view_class = SubscriberInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    # Never used (nobody may add or change), but a model viewset needs a form.
    form_fields = ["organisation"]
    list_display = [
        "email",
        Column("status", label=gettext_lazy("status"), accessor="get_status_display"),
        "organisation",
        Column(
            "prefecture",
            label=gettext_lazy("prefecture"),
            accessor="get_prefecture_display",
        ),
        Column("interests", label=gettext_lazy("interests"), accessor=_interests),
        Column("consent_version", label=gettext_lazy("consent version")),
        Column("sync", label=gettext_lazy("Mailchimp"), accessor=sync_state),
        DateColumn("created_at", label=gettext_lazy("signed up")),
    ]
    list_filter = ["status", "prefecture", "sync_needed"]
    search_fields = ["email", "organisation"]
    search_backend_name = None
    # Secrets of the links and bookkeeping, not information.
    inspect_view_fields_exclude = [
        "email_key",
        "pending_change",
        "unsubscribe_key",
        "confirm_nonce",
        "sync_version",
        "sync_enqueued_at",
    ]


def _may_erase(user: AbstractBaseUser) -> bool:
    policy = SubscriberPermissionPolicy(Subscriber)
    return policy.user_has_permission(user, "erase")


def erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then erase on request; the answer says whether it is done
    or waits for Mailchimp."""
    if not _may_erase(request.user):
        raise PermissionDenied
    subscriber = get_object_or_404(Subscriber, pk=pk)
    index_url = reverse("newsletter_subscribers:index")
    if request.method == "POST":
        outcome = subscriber_erase(subscriber=subscriber, user=request.user)
        if outcome == Erasure.DONE:
            messages.success(
                request,
                _(
                    "The subscriber is erased, here and at Mailchimp. The consent "
                    "records keep only a digest of the address."
                ),
            )
        else:
            messages.warning(
                request,
                _(
                    "The subscriber's details are erased here and no newsletter "
                    "goes to them. Mailchimp could not be reached: the erasure "
                    "there is retried automatically, and the row disappears once "
                    "it is done."
                ),
            )
        return redirect(index_url)
    return TemplateResponse(
        request,
        "publishers/newsletter/admin/erase.html",
        {
            "subscriber": subscriber,
            "index_url": index_url,
            "via_mailchimp": newsletter_backend() is not None,
            "records": subscriber.consent_records.count(),
            "header_title": _("Erase a subscriber"),
            "header_icon": "bin",
        },
    )


@hooks.register("register_admin_viewset")
def register_subscribers() -> SubscriberViewSet:
    return SubscriberViewSet("newsletter_subscribers")


@hooks.register("register_admin_urls")
def newsletter_admin_urls() -> list:
    return [
        path(
            "newsletter/subscribers/<int:pk>/erase/",
            erase_view,
            name="newsletter_subscriber_erase",
        )
    ]


__all__ = ["ConsentRecord", "SubscriberViewSet", "erase_view", "sync_state"]
