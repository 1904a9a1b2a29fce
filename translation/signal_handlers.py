from wagtail.signals import page_published

from .services import translation_state_note_publish


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    translation_state_note_publish(
        page=instance, user=revision.user if revision else None
    )


page_published.connect(on_page_published, dispatch_uid="translation_state_on_publish")
