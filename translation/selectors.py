from wagtail.models import Page
from wagtail_localize.models import Translation

from .models import TranslationState


def translation_state_get(*, page: Page) -> str:
    """The page's translation state; a page without a row is derived from
    wagtail-localize: a translation target awaits translation, anything else is
    an original."""
    stored = (
        TranslationState.objects.filter(page_id=page.pk)
        .values_list("state", flat=True)
        .first()
    )
    if stored:
        return stored
    is_target = Translation.objects.filter(
        source__object_id=page.translation_key, target_locale_id=page.locale_id
    ).exists()
    return (
        TranslationState.State.AWAITING
        if is_target
        else TranslationState.State.ORIGINAL
    )
