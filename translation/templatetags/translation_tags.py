from django import template
from wagtail.models import Page

from ..backends import backend_get
from ..models import TranslationState
from ..selectors import translation_state_get

register = template.Library()


@register.inclusion_tag("translation/notice.html")
def translation_notice(page: Page) -> dict:
    """A plain notice on a page whose text is not (yet) a reviewed translation."""
    state = translation_state_get(page=page)
    machine = state == TranslationState.State.MACHINE_TRANSLATED
    return {
        "awaiting": state == TranslationState.State.AWAITING,
        "machine": machine,
        # The local DeepL stand-in only marks the original: say so plainly.
        "stand_in": machine and backend_get().stand_in,
        "language": page.locale.language_code,
    }
