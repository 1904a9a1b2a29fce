from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published

from .glossary import glossary_term_changed
from .models import GlossaryTerm
from .services import translation_state_note_publish


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    translation_state_note_publish(
        page=instance, user=revision.user if revision else None
    )


def on_glossary_term_changed(sender, instance, **kwargs) -> None:
    glossary_term_changed(source_language=instance.source_language)


page_published.connect(on_page_published, dispatch_uid="translation_state_on_publish")
post_save.connect(
    on_glossary_term_changed, sender=GlossaryTerm, dispatch_uid="glossary_saved"
)
post_delete.connect(
    on_glossary_term_changed, sender=GlossaryTerm, dispatch_uid="glossary_deleted"
)
