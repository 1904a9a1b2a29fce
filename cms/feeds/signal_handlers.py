"""Changes to public content start a new cache generation (``cms.caching``)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import (
    CollectionViewRestriction,
    Locale,
    Page,
    PageViewRestriction,
    Site,
)
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.caching import content_changed
from cms.models import Country, Office, Region, Topic


def on_page_published(sender, instance, **kwargs) -> None:
    content_changed()


def on_page_unpublished(sender, instance, **kwargs) -> None:
    # Also sent before a live page is deleted (Wagtail unpublishes it first).
    content_changed()


def on_page_deleted(sender, instance, **kwargs) -> None:
    content_changed()


def on_page_moved(sender, instance, parent_page_before=None, **kwargs) -> None:
    content_changed()


def on_taxonomy_changed(sender, **kwargs) -> None:
    content_changed()


def on_source_saved(sender, update_fields=None, **kwargs) -> None:
    # Fetches write their state with update(); a save is an editor's change,
    # possibly of what the source lets us republish.
    if update_fields is None or "republish" in update_fields:
        content_changed()


page_published.connect(on_page_published, dispatch_uid="caching_page_published")
page_unpublished.connect(on_page_unpublished, dispatch_uid="caching_page_unpublished")
post_delete.connect(on_page_deleted, sender=Page, dispatch_uid="caching_page_deleted")
post_page_move.connect(on_page_moved, dispatch_uid="caching_page_moved")
# A view restriction added or removed changes what the public may see, as
# much as an unpublish does; a site's host or root page, or a locale, changes
# which pages a site serves (the API caches that per generation).
for _model in (
    Office,
    Region,
    Country,
    Topic,
    PageViewRestriction,
    CollectionViewRestriction,
    Site,
    Locale,
):
    post_save.connect(
        on_taxonomy_changed,
        sender=_model,
        dispatch_uid=f"caching_{_model.__name__}_saved",
    )
    post_delete.connect(
        on_taxonomy_changed,
        sender=_model,
        dispatch_uid=f"caching_{_model.__name__}_deleted",
    )
post_save.connect(
    on_source_saved, sender="scrapers.Source", dispatch_uid="caching_source_saved"
)


def on_translation_state_changed(sender, instance, **kwargs) -> None:
    # Pages, feeds and the API show whether a translation is reviewed; the
    # state changes without a publish (a job, a reviewer's decision).
    page = Page.objects.filter(pk=instance.page_id, live=True).first()
    if page is not None:
        content_changed()


for _signal in (post_save, post_delete):
    _signal.connect(
        on_translation_state_changed,
        sender="translation.TranslationState",
        dispatch_uid=f"caching_translation_state_{_signal is post_save}",
    )
