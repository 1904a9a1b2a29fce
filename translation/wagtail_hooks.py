from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from . import admin_hooks, admin_translate  # noqa: F401
from .admin_glossary import GlossaryViewSet, glossary_admin_urls


class TranslationMenu(SnippetViewSetGroup):
    """The translation stage's menu: its other snippet viewsets join ``items``."""

    items = (GlossaryViewSet,)
    menu_icon = "openquote"
    menu_label = _("Translation")
    menu_name = "translation"
    menu_order = 270


register_snippet(TranslationMenu)
hooks.register("register_admin_urls", glossary_admin_urls)
