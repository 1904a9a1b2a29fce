"""The publishers' admin: the deliveries menu item and views, the dashboard
panel, and log actions for operators' decisions."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_settings  # noqa: F401 (registers its viewsets)
from .admin_digest import admin_urls as digest_admin_urls
from .admin_views import DeliveriesPanel, admin_urls, deliveries_visible
from .newsletter import admin as _newsletter_admin  # noqa: F401 (registers it)


@hooks.register("register_log_actions")
def register_delivery_actions(actions) -> None:
    actions.register_action(
        "tsunagu.delivery.retry", _("Retry delivery"), _("Delivery retried")
    )
    actions.register_action(
        "tsunagu.delivery.skip", _("Skip delivery"), _("Delivery skipped")
    )


hooks.register("register_admin_urls", admin_urls)
hooks.register("register_admin_urls", digest_admin_urls)


class DeliveriesMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        from cms.selectors import offices_for_user

        return bool(offices_for_user(request.user))


@hooks.register("register_admin_menu_item")
def register_deliveries_menu_item() -> MenuItem:
    return DeliveriesMenuItem(
        _("Deliveries"),
        reverse("publishers_deliveries"),
        icon_name="resubmit",
        order=280,
        name="deliveries",
    )


@hooks.register("construct_homepage_panels")
def add_deliveries_panel(request: HttpRequest, panels: list) -> None:
    if deliveries_visible(request.user).exists() or request.user.is_superuser:
        panels.append(DeliveriesPanel(request.user))
