"""Partner webhooks and channel defaults in the admin (Settings), for HQ
reviewers and superusers only (the same policy as partner API keys)."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from cms.admin_partners import HQOnlyPermissionPolicy
from cms.admin_ui import YesNoColumn

from .models import ChannelDefault, PartnerWebhook

register_permission_policy(PartnerWebhook, HQOnlyPermissionPolicy(PartnerWebhook))
register_permission_policy(ChannelDefault, HQOnlyPermissionPolicy(ChannelDefault))


class PartnerWebhookViewSet(ModelViewSet):
    model = PartnerWebhook
    icon = "link-external"
    menu_label = _("Partner webhooks")
    menu_name = "partner-webhooks"
    add_to_settings_menu = True
    panels = [
        FieldPanel("organisation"),
        FieldPanel("url"),
        FieldPanel("locales"),
        FieldPanel("active"),
        FieldPanel("timeout_seconds"),
        FieldPanel("contact"),
        FieldPanel("secret"),
    ]
    list_display = [
        "organisation",
        Column("url", label=_("URL")),
        Column("locales", label=_("languages")),
        YesNoColumn("active", label=_("active")),
    ]
    list_filter = ["active"]
    search_fields = ["organisation", "url"]

    def get_edit_handler(self) -> ObjectList:
        return ObjectList(self.panels).bind_to_model(self.model)


class ChannelDefaultViewSet(ModelViewSet):
    model = ChannelDefault
    icon = "resubmit"
    menu_label = _("Channel defaults")
    menu_name = "channel-defaults"
    add_to_settings_menu = True
    panels = [
        FieldPanel("page_type"),
        FieldPanel("office"),
        FieldPanel("channel"),
        FieldPanel("enabled"),
    ]
    list_display = [
        Column("channel", label=_("channel")),
        Column("office", label=_("office")),
        Column("page_type", label=_("page type")),
        YesNoColumn("enabled", label=_("used")),
    ]
    list_filter = ["channel", "office"]

    def get_edit_handler(self) -> ObjectList:
        return ObjectList(self.panels).bind_to_model(self.model)


@hooks.register("register_admin_viewset")
def register_partner_webhooks() -> PartnerWebhookViewSet:
    return PartnerWebhookViewSet("partner_webhooks")


@hooks.register("register_admin_viewset")
def register_channel_defaults() -> ChannelDefaultViewSet:
    return ChannelDefaultViewSet("channel_defaults")
