"""Partner keys in the admin (Settings > Partner API keys): only superusers and
HQ reviewers see or manage them. A new key is shown once, on the page that
answers its creation, and never stored: the row keeps a hash."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .admin_ui import YesNoColumn
from .models import PartnerKey, PartnerKeyDailyUse
from .newsroom.setup import HQ_REVIEWERS_GROUP
from .selectors import user_is_hq


class HQOnlyPermissionPolicy(BasePermissionPolicy):
    """Every action for superusers and HQ reviewers; nothing for anyone else."""

    def _allowed(self, user: AbstractBaseUser) -> bool:
        return bool(user.is_active and user_is_hq(user))

    def user_has_permission(self, user: AbstractBaseUser, action: str) -> bool:
        return self._allowed(user)

    def user_has_any_permission(self, user: AbstractBaseUser, actions) -> bool:
        return self._allowed(user)

    def users_with_any_permission(self, actions) -> QuerySet:
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=HQ_REVIEWERS_GROUP))
            .distinct()
        )

    def users_with_permission(self, action: str) -> QuerySet:
        return self.users_with_any_permission([action])


register_permission_policy(PartnerKey, HQOnlyPermissionPolicy(PartnerKey))


# The days the use panel shows, today included.
USE_DAYS_SHOWN = 30
RECENT_DAYS = 7


def _use_since(days: int):
    """Requests per key over the last ``days`` days (today included), as a
    subquery to annotate keys with."""
    since = timezone.localdate() - timedelta(days=days - 1)
    use = (
        PartnerKeyDailyUse.objects.filter(key=OuterRef("pk"), day__gte=since)
        .order_by()
        .values("key")
        .annotate(total=Sum("count"))
        .values("total")
    )
    return Coalesce(Subquery(use), 0)


class PartnerKeyUsePanel(Panel):
    """Requests per day over the last ``USE_DAYS_SHOWN`` days, as a table
    with a bar per day (no script: the numbers are in the table)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/partner_key_use_panel.html"

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context=None) -> dict:
            context = super().get_context_data(parent_context)
            today = timezone.localdate()
            first = today - timedelta(days=USE_DAYS_SHOWN - 1)
            counts = dict(
                PartnerKeyDailyUse.objects.filter(
                    key=self.instance, day__gte=first
                ).values_list("day", "count")
            )
            days = [first + timedelta(days=n) for n in range(USE_DAYS_SHOWN)]
            most = max(counts.values(), default=0)
            context["days"] = [
                {
                    "day": day,
                    "count": counts.get(day, 0),
                    "percent": round(100 * counts.get(day, 0) / most) if most else 0,
                }
                for day in reversed(days)
            ]
            context["total"] = sum(counts.values())
            context["days_shown"] = USE_DAYS_SHOWN
            return context


class PartnerKeyIndexView(generic.IndexView):
    def get_base_queryset(self) -> QuerySet:
        return super().get_base_queryset().annotate(use_recent=_use_since(RECENT_DAYS))


class PartnerKeyCreateView(generic.CreateView):
    def save_instance(self) -> PartnerKey:
        self.new_key = self.form.instance.key_new()
        return super().save_instance()

    def save_action(self) -> TemplateResponse:
        # The key in the answer, not in a message: messages are kept in the
        # session (the database) until shown. (The admin's answers are never
        # cached.)
        return TemplateResponse(
            self.request,
            "cms/admin/partner_key_created.html",
            {
                "key": self.new_key,
                "object": self.object,
                "index_url": self.get_success_url(),
                "edit_url": self.get_edit_url(),
                "header_title": _("New partner key"),
                "header_icon": "key",
            },
        )


class PartnerKeyViewSet(ModelViewSet):
    model = PartnerKey
    icon = "key"
    menu_label = _("Partner API keys")
    menu_name = "partner-keys"
    add_to_settings_menu = True
    add_view_class = PartnerKeyCreateView
    index_view_class = PartnerKeyIndexView
    panels = [
        FieldPanel("organisation"),
        FieldPanel("contact"),
        FieldPanel("rate_limit_per_minute"),
        FieldPanel("active"),
        FieldPanel("notes"),
        PartnerKeyUsePanel(heading=_("Use")),
    ]
    list_display = [
        "organisation",
        Column("key_start", label=_("key starts with")),
        YesNoColumn("active", label=_("active")),
        Column("rate_limit_per_minute", label=_("requests per minute")),
        Column("use_recent", label=_("requests, last 7 days")),
        Column("use_count", label=_("requests in all")),
        DateColumn("last_used_at", label=_("last used")),
        DateColumn("created_at", label=_("created")),
    ]
    list_filter = ["active"]
    search_fields = ["organisation", "contact"]

    def get_edit_handler(self) -> ObjectList:
        return ObjectList(self.panels).bind_to_model(self.model)


@hooks.register("register_admin_viewset")
def register_partner_keys() -> PartnerKeyViewSet:
    return PartnerKeyViewSet("partner_keys")
