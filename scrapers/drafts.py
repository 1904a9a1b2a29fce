"""From item to draft article: in the item's language tree, in its office's section."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.html import format_html
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from wagtail.coreutils import find_available_slug
from wagtail.models import Locale

from cms.models import ArticlePage, OfficePage
from translation.models import TranslationState
from translation.services import translation_state_set

from .dedupe import html_text
from .models import Item, Source
from .notes import note, notes_merge

logger = logging.getLogger(__name__)


class DraftError(Exception):
    pass


def _site_language(code: str) -> str | None:
    """Our locale for a language code: exact, then by primary subtag (fr-CA →
    fr, zh-CN → zh-hans)."""
    codes = [c for c, _name in settings.WAGTAIL_CONTENT_LANGUAGES]
    code = (code or "").lower()
    if code in codes:
        return code
    primary = code.split("-")[0]
    if primary == "zh" and not code.endswith(("tw", "hk", "hant", "mo")):
        return "zh-hans" if "zh-hans" in codes else None
    return primary if primary in codes else None


def draft_locale(item: Item) -> tuple[Locale, dict[str, Any] | None]:
    """The tree the draft goes to, and a note when it is not the item's own.

    An item in a language without a tree (Swedish for the London office, say)
    goes to the tree of the office's first working language, keeping its real
    language as original_language; one whose language is unknown goes there
    too, and the note says which of the two it was.
    """
    code = item.language or item.source.language
    language = _site_language(code)
    if language is not None:
        return Locale.objects.get(language_code=language), None
    fallback = (item.source.office.working_languages or ["en"])[0]
    if code:
        found = note("language_no_tree", language=code, tree=fallback)
    else:
        found = note("language_unknown", tree=fallback)
    return Locale.objects.get(language_code=fallback), found


def _body(item: Item, source: Source) -> str:
    if source.republish == Source.Republish.FULL:
        body = item.article_html or item.content_html or item.summary_html
    else:
        body = item.summary_html
    if item.link:
        label = _("Read the original at %(source)s") % {"source": source.name}
        body += format_html('<p><a href="{}">{}</a></p>', item.link, label)
    return body


def item_make_draft(
    *, item_id: int, user: AbstractBaseUser | None = None
) -> ArticlePage | None:
    """Make the item's draft article, once; returns it (or None if ignored)."""
    with transaction.atomic():
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("source__office", "source__country")
            .get(pk=item_id)
        )
        if item.page_id:
            return item.page
        if item.state in (Item.State.IGNORED, Item.State.DUPLICATE):
            return None
        source = item.source
        locale, locale_note = draft_locale(item)
        section = OfficePage.objects.filter(office=source.office, locale=locale).first()
        if section is None:
            raise DraftError(
                f"The {source.office} office has no section in the {locale} tree."
            )
        title = Truncator(item.title).chars(255) or source.name
        page = ArticlePage(
            title=title,
            slug=find_available_slug(
                section, slugify(title, allow_unicode=True)[:80] or f"item-{item.pk}"
            ),
            live=False,
            summary=Truncator(html_text(item.summary_html or item.content_html)).chars(
                1000
            ),
            body=_body(item, source),
            office=source.office,
            source_name=source.name,
            source_url=item.link,
            original_language=item.language or source.language,
            original_published_at=item.published_at,
            jurisdiction=source.jurisdiction,
        )
        if source.country_id:
            page.countries = [source.country]
        section.add_child(instance=page)
        page.save_revision(user=user, log_action=True)
        translation_state_set(page=page, state=TranslationState.State.ORIGINAL)
        item.page = page
        item.state = Item.State.DRAFTED
        item.notes = notes_merge(item.notes, [locale_note] if locale_note else [])
        item.save(update_fields=["page", "state", "notes", "last_seen_at"])
    return page


def items_ignore(*, item_ids: list[int]) -> int:
    return Item.objects.filter(pk__in=item_ids, state=Item.State.NEW).update(
        state=Item.State.IGNORED
    )
