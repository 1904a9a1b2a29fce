"""Small pieces of our admin screens: listing columns, help texts."""

from typing import Any

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from wagtail.admin.ui.tables import BooleanColumn


class YesNo:
    """A truth value that reads as "はい" or "いいえ"."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __str__(self) -> str:
        return _("Yes") if self.value else _("No")


class YesNoColumn(BooleanColumn):
    """A tick or a cross whose title is read out in the admin's language:
    Wagtail's own column titles its icon with Python's ``True``/``False``."""

    def get_value(self, instance: Any) -> YesNo | None:
        value = super().get_value(instance)
        return None if value is None else YesNo(value)


def code_list(names: list[str] | tuple[str, ...]) -> SafeString:
    """Names to type as they are (CSV columns), each in <code>, comma-separated:
    they stay in English in the Japanese admin, marked as such."""
    return format_html_join(", ", "<code>{}</code>", ((name,) for name in names))
