"""Publishing, unpublishing and moving pages make deliveries (the outbox);
each handler only calls a service."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from .services import (
    outbox_page_published,
    outbox_page_refreshed,
    outbox_page_unpublished,
    outbox_translation_state_changed,
)


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    outbox_page_published(page=instance, revision=revision)


def on_page_unpublished(sender, instance, **kwargs) -> None:
    # Also sent before a live page is deleted (Wagtail unpublishes it first).
    outbox_page_unpublished(page=instance)


def on_page_moved(sender, instance, parent_page_before=None, **kwargs) -> None:
    outbox_page_refreshed(page=instance, moved_from=parent_page_before)


def on_translation_state_changed(sender, instance, origin=None, **kwargs) -> None:
    # Whether a translation is reviewed shows on the page and in feeds.
    outbox_translation_state_changed(page_id=instance.page_id, origin=origin)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="outbox_published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="outbox_unpublished")
    post_page_move.connect(on_page_moved, dispatch_uid="outbox_moved")
    for signal in (post_save, post_delete):
        signal.connect(
            on_translation_state_changed,
            sender="translation.TranslationState",
            dispatch_uid=f"outbox_translation_state_{signal is post_save}",
        )
