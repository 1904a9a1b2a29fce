from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel


class SourceHealthPanel(Panel):
    """How the source is doing: shown read-only on its edit page."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "scrapers/admin/source_health_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context: Any = None) -> dict:
            context = super().get_context_data(parent_context)
            context["source"] = self.instance
            return context

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("heading", _("Health"))
        super().__init__(**kwargs)
