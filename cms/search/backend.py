"""A Wagtail search backend that finds Japanese, Chinese and Korean words.

Wagtail's database backends hand text to SQLite FTS5 or PostgreSQL's parser,
which both take 多文化共生 for one word, so 多文化 finds nothing. This backend
keeps its own index (cms.search.models.SearchEntry): normalised text for exact
substring checks, and bigram tokens for the database's full-text index, built
the same way on SQLite and PostgreSQL so both give the same results.

Settings: ``WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "cms.search.backend"}}``.
"""

import logging
from collections import OrderedDict
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    FloatField,
    OuterRef,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from modelsearch.backends.base import (
    BaseIndex,
    BaseSearchBackend,
    BaseSearchQueryCompiler,
    BaseSearchResults,
    FilterFieldError,
)
from modelsearch.index import get_indexed_models
from modelsearch.utils import get_descendants_content_types_pks

from . import fulltext, indexing
from .models import SearchEntry
from .query import (
    EMPTY,
    EVERYTHING,
    NOTHING,
    Node,
    QueryTooLong,
    Scope,
    check_size,
    parse,
    text_condition,
    title_score,
    token_query,
)

logger = logging.getLogger(__name__)

# "Newest first" after title matches, from the first of these the model has.
RECENCY_FIELDS = ("first_published_at", "created_at", "date_joined")
_SCORE_ALIAS = "_tsunagu_search_score"


def _recency_field(model: type[models.Model]) -> str | None:
    concrete = {field.name for field in model._meta.concrete_fields}
    return next((name for name in RECENCY_FIELDS if name in concrete), None)


def _has_integer_pk(model: type[models.Model]) -> bool:
    pk = model._meta.pk
    while pk.is_relation:  # a page type's page_ptr, for instance
        pk = pk.target_field
    return isinstance(pk, models.IntegerField)


class SearchQueryCompiler(BaseSearchQueryCompiler):
    DEFAULT_OPERATOR = "and"
    HANDLES_ORDER_BY_EXPRESSIONS = True
    autocomplete = False

    def _scope(self) -> Scope:
        if self.fields is not None:
            return Scope(frozenset(self.fields))
        if self.autocomplete:
            # Wagtail's autocomplete looks only at the AutocompleteFields (the
            # page chooser: titles); a model without any is searched whole.
            names = {
                f.field_name
                for f in self.queryset.model.get_autocomplete_search_fields()
            }
            return Scope(frozenset(names) if names else None)
        return Scope()

    def _node(self) -> Node:
        try:
            node = parse(self.query)
            check_size(node)
        except QueryTooLong as error:
            logger.info("Search query too long to run (%s); no results", error)
            return NOTHING
        return node

    def _entries(self) -> QuerySet:
        return SearchEntry.objects.filter(
            content_type_id__in=get_descendants_content_types_pks(self.queryset.model)
        )

    def _matching(self, node: Node, scope: Scope) -> QuerySet:
        entries = self._entries()
        tokens = token_query(node)
        vendor = connections[router.db_for_read(SearchEntry)].vendor
        if tokens is not None and vendor in fulltext.SUPPORTED_VENDORS:
            entries = entries.filter(fulltext.TokenMatch(tokens))
            condition = text_condition(node, scope)
        else:
            # No full-text index here: every term needs its substring check.
            condition = text_condition(node, scope, under_and=False)
        if condition is not None:
            entries = entries.filter(condition)
        return entries

    def _filtered(self, node: Node, scope: Scope) -> QuerySet:
        matching = self._matching(node, scope)
        if _has_integer_pk(self.queryset.model):
            # pk IN (...) lets the database use the primary key index.
            return self.queryset.filter(
                pk__in=matching.values(key=Cast("object_id", BigIntegerField()))
            )
        return self.queryset.alias(_tsunagu_search_key=Cast("pk", TextField())).filter(
            _tsunagu_search_key__in=matching.values("object_id")
        )

    def _score(self, node: Node, scope: Scope) -> Subquery:
        scored = self._entries().filter(object_id=Cast(OuterRef("pk"), TextField()))
        return Subquery(
            scored.annotate(score=title_score(node, scope)).values("score")[:1],
            output_field=FloatField(),
        )

    def results_queryset(
        self, *, score_field: str | None = None, for_count: bool = False
    ) -> QuerySet:
        node = self._node()
        if node is NOTHING or node is EMPTY:
            return self.queryset.none()
        scope = self._scope()
        queryset = self.queryset if node is EVERYTHING else self._filtered(node, scope)
        if for_count:
            return queryset

        score: Any = None
        if node is not EVERYTHING and (score_field or self.order_by_relevance):
            score = self._score(node, scope)
        if score_field:
            no_score = Value(None, output_field=FloatField())
            queryset = queryset.annotate(
                **{score_field: score if score is not None else no_score}
            )
        if self.order_by_relevance:
            # Title hits first, then newest first; pk keeps pages stable.
            ordering: list[Any] = []
            if score is not None:
                queryset = queryset.alias(**{_SCORE_ALIAS: score})
                ordering.append(F(_SCORE_ALIAS).desc())
            if recency := _recency_field(self.queryset.model):
                ordering.append(F(recency).desc(nulls_last=True))
            queryset = queryset.order_by(*ordering, "-pk")
        elif not queryset.query.order_by:
            # Stable pages when the caller gave no order (wagtail/wagtail#3729).
            queryset = queryset.order_by("-pk")
        return queryset


class AutocompleteQueryCompiler(SearchQueryCompiler):
    # Latin terms are word prefixes in both kinds of search; autocomplete
    # differs only in the fields it looks at.
    autocomplete = True


class SearchResults(BaseSearchResults):
    supports_facet = True

    def _do_search(self) -> list[Any]:
        queryset = self.query_compiler.results_queryset(score_field=self._score_field)
        return list(queryset[self.start : self.stop])

    def _do_count(self) -> int:
        queryset = self.query_compiler.results_queryset(for_count=True)
        return queryset[self.start : self.stop].count()

    def facet(self, field_name: str) -> OrderedDict:
        if self.query_compiler._get_filterable_field(field_name) is None:
            model_name = self.query_compiler.queryset.model.__name__
            raise FilterFieldError(
                f'Cannot facet search results with field "{field_name}". Please add '
                f'index.FilterField("{field_name}") to {model_name}.search_fields.',
                field_name=field_name,
            )
        queryset = self.query_compiler.results_queryset(for_count=True)
        counts = (
            queryset.values(field_name).annotate(count=Count("pk")).order_by("-count")
        )
        return OrderedDict((row[field_name], row["count"]) for row in counts)


class SearchIndex(BaseIndex):
    """The one index: all models share SearchEntry."""

    def __str__(self) -> str:
        return SearchEntry._meta.db_table

    def add_items(self, model: type[models.Model], items: Any) -> None:
        indexing.entries_write(model=model, objects=items)

    def delete_item(self, item: models.Model) -> None:
        indexing.entry_delete(obj=item)

    def reset(self) -> None:
        indexing.entries_delete_all()


class SearchRebuilder:
    """`manage.py update_index`, in one transaction: searches see the old index
    until the new one is complete. Entries of objects that no longer exist go;
    the others are rewritten in place."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.using = router.db_for_write(SearchEntry)
        self.atomic = transaction.atomic(using=self.using)

    def start(self) -> SearchIndex:
        self.atomic.__enter__()
        indexing.stale_entries_delete(indexed_models=get_indexed_models())
        return self.index

    def finish(self) -> None:
        fulltext.rebuild(using=self.using)
        self.atomic.__exit__(None, None, None)


class SearchBackend(BaseSearchBackend):
    query_compiler_class = SearchQueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler
    results_class = SearchResults
    index_class = SearchIndex
    rebuilder_class = SearchRebuilder
