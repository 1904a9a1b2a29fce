from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from wagtail.models import Page

from .models import TranslationState
from .selectors import translation_state_get


def translation_state_set(
    *, page: Page, state: str, user: AbstractBaseUser | None = None
) -> TranslationState:
    reviewed = state == TranslationState.State.REVIEWED
    row, _created = TranslationState.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "state": state,
            "reviewed_by": user if reviewed else None,
            "reviewed_at": timezone.now() if reviewed else None,
        },
    )
    return row


def translation_state_note_publish(
    *, page: Page, user: AbstractBaseUser | None = None
) -> None:
    """A translation published in the Japanese tree has been reviewed: only HQ
    reviewers publish there, directly or by approving the review workflow."""
    if page.locale.language_code != settings.LANGUAGE_CODE:
        return
    state = translation_state_get(page=page)
    if state in (
        TranslationState.State.AWAITING,
        TranslationState.State.MACHINE_TRANSLATED,
    ):
        translation_state_set(
            page=page, state=TranslationState.State.REVIEWED, user=user
        )
