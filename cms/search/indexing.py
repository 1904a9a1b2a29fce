"""Writing the index: what an object's entry holds, and how entries are stored."""

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connections, models, router
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils.encoding import force_str
from modelsearch.backends.base import get_model_root
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from modelsearch.utils import get_content_type_pk, get_descendants_content_types_pks

from .models import SearchEntry
from .text import Segment, document_tokens, joined, segments

logger = logging.getLogger(__name__)

# A field's section in SearchEntry.title / .body is SECTION_START, the field
# name in HEADER_BASE-shifted private-use characters, HEADER_END, then the
# field's text. None of these characters survives query normalisation (they
# are neither letters nor digits), so a search never matches a header, a
# search can never run from one field into the next, and a search kept to some
# fields can find their sections with a regular expression.
SECTION_START = "\x1e"
HEADER_END = "\x1f"
HEADER_BASE = 0xF0000  # Supplementary Private Use Area-A


# A PostgreSQL tsvector holds at most 1 MB (each token costs its length and
# about 5 bytes more). A newsroom article needs some 30 kB; past this budget (a
# text of over 100,000 characters) the rest of the document can no longer be
# found by the words only it holds, and a warning says so.
TOKENS_BUDGET_BYTES = 800_000


def section_header(field_name: str) -> str:
    name = "".join(chr(HEADER_BASE + ord(char)) for char in field_name)
    return SECTION_START + name + HEADER_END


def is_title_like(field: SearchField) -> bool:
    """Title-like fields rank first: Wagtail's titles, and any boosted field."""
    return field.field_name == "title" or (field.boost or 0) > 1


def _pieces(value: Any) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _pieces(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _pieces(item)
    else:
        yield force_str(value)


def _related_pieces(obj: models.Model, field: RelatedFields) -> Iterator[str]:
    value = field.get_value(obj)
    if value is None:
        return
    if isinstance(value, models.Manager):
        related = list(value.all())
    else:
        related = [value() if callable(value) else value]
    for item in related:
        for sub_field in field.fields:
            if isinstance(sub_field, RelatedFields):
                yield from _related_pieces(item, sub_field)
            elif isinstance(sub_field, (SearchField, AutocompleteField)):
                yield from _pieces(sub_field.get_value(item))


Sections = dict[str, list[Segment]]


def object_sections(obj: models.Model) -> tuple[Sections, Sections]:
    """The object's (title sections, body sections): field name -> segments.

    Related objects' text goes into the section of the relation's name; an
    AutocompleteField gets its own section only when no SearchField has its name.
    """
    title: Sections = {}
    body: Sections = {}
    fields = obj.get_search_fields()
    searchable = {f.field_name for f in fields if isinstance(f, SearchField)}
    for field in fields:
        if isinstance(field, SearchField):
            target = title if is_title_like(field) else body
            pieces: Iterable[str] = _pieces(field.get_value(obj))
        elif isinstance(field, AutocompleteField):
            if field.field_name in searchable:
                continue
            target = title if field.field_name == "title" else body
            pieces = _pieces(field.get_value(obj))
        elif isinstance(field, RelatedFields):
            target = body
            pieces = _related_pieces(obj, field)
        else:
            continue
        parts = target.setdefault(field.field_name, [])
        for piece in pieces:
            parts.extend(segments(piece))
    return title, body


def _stored(sections: Sections) -> str:
    return "".join(
        section_header(name) + joined(parts)
        for name, parts in sections.items()
        if parts
    )


def _within_budget(tokens: list[str]) -> list[str]:
    used = 0
    for count, token in enumerate(tokens):
        used += len(token) + 5
        if used > TOKENS_BUDGET_BYTES:
            return tokens[:count]
    return tokens


def entry_for(obj: models.Model, *, content_type_id: int, using: str) -> SearchEntry:
    title, body = object_sections(obj)
    all_parts = [part for s in (title, body) for parts in s.values() for part in parts]
    object_id = object_key(obj.pk, model=type(obj), using=using)
    tokens = document_tokens(all_parts)
    kept = _within_budget(tokens)
    if len(kept) < len(tokens):
        logger.warning(
            "Search index keeps the first %d of %d tokens (object_id=%s, model=%s)",
            len(kept),
            len(tokens),
            object_id,
            type(obj)._meta.label,
        )
    return SearchEntry(
        content_type_id=content_type_id,
        object_id=object_id,
        title=_stored(title),
        body=_stored(body),
        tokens=" ".join(kept),
    )


def object_key(pk: Any, *, model: type[models.Model], using: str) -> str:
    """SearchEntry.object_id: the primary key as the database writes it.

    So that CAST(pk AS text) in SQL gives the same string (a UUID is 32 hex
    digits on SQLite but has dashes on PostgreSQL).
    """
    return str(model._meta.pk.get_db_prep_value(pk, connections[using]))


def tree_content_type_ids(model: type[models.Model]) -> list[int]:
    """Content types of every model sharing the model's table of primary keys."""
    return get_descendants_content_types_pks(get_model_root(model))


def entries_write(*, model: type[models.Model], objects: Iterable[Any]) -> int:
    """Insert or update the entries of objects of one model; returns the count."""
    if not model.get_search_fields():
        return 0
    using = router.db_for_write(SearchEntry)
    content_type_id = get_content_type_pk(model)
    rows = {}
    for obj in objects:
        entry = entry_for(obj, content_type_id=content_type_id, using=using)
        rows[entry.object_id] = entry
    if not rows:
        return 0
    SearchEntry.objects.using(using).bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["content_type", "object_id"],
        update_fields=["title", "body", "tokens"],
    )
    logger.debug("Indexed %d %s objects", len(rows), model._meta.label)
    return len(rows)


def entry_delete(*, obj: models.Model) -> None:
    model = type(obj)
    using = router.db_for_write(SearchEntry)
    SearchEntry.objects.using(using).filter(
        content_type_id__in=tree_content_type_ids(model),
        object_id=object_key(obj.pk, model=model, using=using),
    ).delete()


def entries_delete_all() -> None:
    SearchEntry.objects.using(router.db_for_write(SearchEntry)).all().delete()


def stale_entries_delete(*, indexed_models: Iterable[type[models.Model]]) -> None:
    """Drop the entries of deleted objects and of models no longer indexed."""
    using = router.db_for_write(SearchEntry)
    entries = SearchEntry.objects.using(using)
    indexed_models = list(indexed_models)
    for root in {get_model_root(model) for model in indexed_models}:
        existing = root._default_manager.using(using).annotate(
            key=Cast("pk", TextField())
        )
        entries.filter(content_type_id__in=tree_content_type_ids(root)).exclude(
            object_id__in=existing.values("key")
        ).delete()
    indexed = {get_content_type_pk(model) for model in indexed_models}
    entries.exclude(content_type_id__in=indexed).delete()
