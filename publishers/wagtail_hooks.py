"""The publishers' admin: log actions for operators' decisions."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks


@hooks.register("register_log_actions")
def register_delivery_actions(actions) -> None:
    actions.register_action(
        "tsunagu.delivery.retry", _("Retry delivery"), _("Delivery retried")
    )
    actions.register_action(
        "tsunagu.delivery.skip", _("Skip delivery"), _("Delivery skipped")
    )
