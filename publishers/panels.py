"""The page editor's panel of a page's deliveries, and the plain-words
explanation of a delivery's state that the admin's views share.

Kept light (no import of the outbox's services at module level): the page
models import it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.admin.panels import Panel

if TYPE_CHECKING:
    from .models import Delivery


def explanation(delivery: Delivery) -> str:
    """What the row's state means, in plain words."""
    if delivery.withheld_for_restriction:
        return _(
            "Not sent: the page has a view restriction (password, login or "
            "groups), on it or above it. Restricted pages are never sent to "
            "partners, social networks or newsletters."
        )
    if delivery.state == delivery.State.FAILED:
        return _(
            "Waiting for an operator after %(attempts)d attempts: retry it once "
            "the cause is fixed, or skip it."
        ) % {"attempts": delivery.attempts}
    if delivery.state == delivery.State.UNKNOWN:
        return _(
            "The last send got no answer. Before sending again, Tsunagu looks on "
            "the service for what arrived, so it is never sent twice."
        )
    waiting = delivery.state == delivery.State.PENDING and delivery.next_attempt_at
    if waiting and delivery.next_attempt_at > timezone.now():
        return _("Waiting until %(when)s.") % {
            "when": timezone.localtime(delivery.next_attempt_at).strftime(
                "%Y-%m-%d %H:%M"
            )
        }
    return ""


class PageDeliveriesPanel(Panel):
    """A page's deliveries in its editor: the latest per channel and target."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishers/admin/page_panel.html"

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context=None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            from .models import Delivery

            latest: dict[tuple[str, str], Delivery] = {}
            for delivery in Delivery.objects.filter(page_key=self.instance.pk).order_by(
                "-created_at", "-pk"
            )[:200]:
                latest.setdefault((delivery.channel, delivery.target), delivery)
            context["rows"] = [
                {"delivery": d, "explanation": explanation(d)} for d in latest.values()
            ]
            context["list_url"] = (
                reverse("publishers_deliveries") + f"?page={self.instance.pk}"
            )
            return context


class DigestSendPanel(Panel):
    """In a newsletter issue's editor: the way to test and send it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "publishers/admin/digest_panel.html"

        def is_shown(self) -> bool:
            return self.instance is not None and self.instance.pk is not None

        def get_context_data(self, parent_context=None) -> dict[str, Any]:
            context = super().get_context_data(parent_context)
            context["send_url"] = reverse(
                "publishers_digest_send", args=[self.instance.pk]
            )
            return context
