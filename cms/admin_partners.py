"""Partner keys in the admin (Settings > Partner API keys): only superusers and
HQ reviewers see or manage them. A new key is shown once, on the page that
answers its creation, and never stored: the row keeps a hash."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from .models import PartnerKey
from .newsroom.setup import HQ_REVIEWERS_GROUP


class HQOnlyPermissionPolicy(BasePermissionPolicy):
    """Every action for superusers and HQ reviewers; nothing for anyone else."""

    def _allowed(self, user: AbstractBaseUser) -> bool:
        return bool(
            user.is_authenticated
            and user.is_active
            and (
                user.is_superuser
                or user.groups.filter(name=HQ_REVIEWERS_GROUP).exists()
            )
        )

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
    panels = [
        FieldPanel("organisation"),
        FieldPanel("contact"),
        FieldPanel("rate_limit_per_minute"),
        FieldPanel("active"),
        FieldPanel("notes"),
    ]
    list_display = [
        "organisation",
        Column("key_start", label=_("key starts with")),
        BooleanColumn("active", label=_("active")),
        Column("rate_limit_per_minute", label=_("requests per minute")),
        Column("use_count", label=_("requests")),
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
