"""The search index: one row per indexed object, filled by cms.search.backend."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

# Also written out in the migrations that create the full-text index, one for
# each database (0002 on SQLite, 0003 on PostgreSQL).
TABLE = "tsunagu_search_entry"
SQLITE_FTS_TABLE = "tsunagu_search_entry_fts"


class TokensField(models.TextField):
    """Space-separated tokens: text on SQLite (FTS5 reads it), a tsvector on
    PostgreSQL (written in tsvector's input syntax, so no text-search parser or
    configuration ever touches the tokens)."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        if connection.vendor == "postgresql":
            return "tsvector"
        return super().db_type(connection)

    def get_placeholder_sql(
        self, value: Any, compiler: Any, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        if hasattr(value, "as_sql"):
            sql, params = compiler.compile(value)
        else:
            sql, params = "%s", (value,)
        if connection.vendor == "postgresql":
            return f"{sql}::tsvector", tuple(params)
        return sql, tuple(params)

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or connection.vendor != "postgresql":
            return value
        # tsvector's output quotes every lexeme: 'c0a1' 'w61'
        return value.replace("'", "")


class SearchEntry(models.Model):
    """The normalised text of one object, and its full-text tokens.

    ``title`` holds the title-like fields (named ``title`` or boosted) and
    ``body`` the others, each as sections: a field's section starts with a
    header that no query can match (see cms.search.indexing), so a search can
    be kept to some fields. ``tokens`` is what the database's full-text index
    reads: one ASCII word per distinct token (cms.search.text).
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, related_name="+"
    )
    # Text, as primary keys are not always integers (modelsearch does the same).
    object_id = models.CharField(max_length=64)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    tokens = TokensField(blank=True)

    # Not a reference an editor cares about ("used by" listings).
    wagtail_reference_index_ignore = True

    class Meta:
        db_table = TABLE
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="tsunagu_search_entry_object"
            )
        ]
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id}"
