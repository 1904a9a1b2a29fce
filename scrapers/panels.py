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


class DraftSourceItemsPanel(Panel):
    """On an article's editor: the scraped items it was drafted from (in any
    of its translations), their language and every note they carry, so a
    full text that was not fetched or a language without a tree is seen
    where the draft is edited.

    Kept light (the item model is imported when shown): page models import
    this module.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "scrapers/admin/draft_items_panel.html"

        def is_shown(self) -> bool:
            return bool(self.instance and self.instance.pk and self._items())

        def _items(self) -> list:
            if not hasattr(self, "_cached_items"):
                from .models import Item

                self._cached_items = list(
                    Item.objects.filter(
                        page__translation_key=self.instance.translation_key
                    ).select_related("source")[:20]
                )
            return self._cached_items

        def get_context_data(self, parent_context: Any = None) -> dict:
            context = super().get_context_data(parent_context)
            context["items"] = self._items()
            return context

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("heading", _("Scraped from"))
        super().__init__(**kwargs)
