from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Revision
from wagtail.signals import page_published, workflow_approved

from .glossary import glossary_term_changed
from .models import GlossaryTerm
from .services import translation_request_for_revision, translation_state_note_publish


def on_page_published(sender, instance, revision=None, **kwargs) -> None:
    translation_state_note_publish(
        page=instance, user=revision.user if revision else None
    )


def on_workflow_approved(sender, instance, user=None, **kwargs) -> None:
    """The reviewer who approved is who reviewed (the published revision's
    author is the translation service)."""
    page = instance.content_object
    if isinstance(page, Page):
        translation_state_note_publish(page=page, user=user)


def on_glossary_term_changed(sender, instance, **kwargs) -> None:
    glossary_term_changed(source_language=instance.source_language)


def on_revision_saved(sender, instance, created=False, **kwargs) -> None:
    """A page's draft was created or edited: its translation follows, once
    the transaction commits (a draft rolled back asks for nothing)."""
    if created and instance.base_content_type.model_class() is not None:
        page = instance.content_object
        if isinstance(page, Page):
            transaction.on_commit(
                lambda: (
                    translation_request_for_revision(page=page)
                    if Page.objects.filter(pk=page.pk).exists()
                    else None
                )
            )


page_published.connect(on_page_published, dispatch_uid="translation_state_on_publish")
workflow_approved.connect(
    on_workflow_approved, dispatch_uid="translation_state_on_approval"
)
post_save.connect(
    on_revision_saved, sender=Revision, dispatch_uid="translation_revision"
)
post_save.connect(
    on_glossary_term_changed, sender=GlossaryTerm, dispatch_uid="glossary_saved"
)
post_delete.connect(
    on_glossary_term_changed, sender=GlossaryTerm, dispatch_uid="glossary_deleted"
)
