from django import template
from wagtail.models import Page

from ..models import TranslationState
from ..selectors import translation_state_get

register = template.Library()


@register.inclusion_tag("translation/notice.html")
def translation_notice(page: Page) -> dict:
    """A plain notice on a page whose text is not (yet) a reviewed translation."""
    state = translation_state_get(page=page)
    return {
        "awaiting": state == TranslationState.State.AWAITING,
        "machine": state == TranslationState.State.MACHINE_TRANSLATED,
        "language": page.locale.language_code,
    }
