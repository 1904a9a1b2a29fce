"""The database-specific part: the full-text prefilter over SearchEntry.tokens.

SQLite asks the FTS5 table of migration 0002, PostgreSQL the GIN index of
migration 0003. The query is built only from tokens of cms.search.text, which
are plain lower-case ASCII words, so nothing a user types ever reaches FTS5's
or tsquery's syntax. Any other database gets no prefilter and
relies on the substring checks alone, which are slower but give the same
results.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Expression, F

from .models import SQLITE_FTS_TABLE, TABLE
from .text import Token

SUPPORTED_VENDORS = frozenset({"sqlite", "postgresql"})


@dataclass(frozen=True, slots=True)
class TokenQuery:
    """AND or OR over tokens and nested token queries."""

    operator: str  # "and" | "or"
    operands: tuple["TokenQuery | Token", ...]


def _render(query: TokenQuery | Token, *, vendor: str) -> str:
    if isinstance(query, Token):
        if vendor == "sqlite":
            return f'"{query.text}"*' if query.prefix else f'"{query.text}"'
        return f"{query.text}:*" if query.prefix else query.text
    if vendor == "sqlite":
        joiner = " AND " if query.operator == "and" else " OR "
    else:
        joiner = " & " if query.operator == "and" else " | "
    return "(" + joiner.join(_render(o, vendor=vendor) for o in query.operands) + ")"


class TokenMatch(Expression):
    """True for the entries that hold the tokens: ``entries.filter(TokenMatch(q))``."""

    output_field = BooleanField()

    def __init__(self, query: TokenQuery) -> None:
        super().__init__()
        self.query = query
        self.id_column: Any = F("id")
        self.tokens_column: Any = F("tokens")

    def get_source_expressions(self) -> list[Any]:
        return [self.id_column, self.tokens_column]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        self.id_column, self.tokens_column = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        match = _render(self.query, vendor=connection.vendor)
        if connection.vendor == "sqlite":
            id_sql, id_params = compiler.compile(self.id_column)
            return (
                f"{id_sql} IN (SELECT rowid FROM {SQLITE_FTS_TABLE} "  # noqa: S608
                f"WHERE {SQLITE_FTS_TABLE} MATCH %s)",
                [*id_params, match],
            )
        if connection.vendor == "postgresql":
            tokens_sql, tokens_params = compiler.compile(self.tokens_column)
            # tsquery's input syntax, like the tsvector's: no parser involved.
            return f"{tokens_sql} @@ %s::tsquery", [*tokens_params, match]
        raise NotImplementedError(f"No full-text index on {connection.vendor}")


def rebuild(*, using: str) -> None:
    """After a full reindex: make the full-text index agree with the entries.

    SQLite's FTS5 table is a table of its own, kept by triggers, so it is
    rebuilt from the entries. PostgreSQL's index cannot drift, but the planner
    needs fresh statistics: with none (after a first bulk load) it scans every
    entry instead of asking the index.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}) "  # noqa: S608
                "VALUES ('rebuild')"
            )
        elif connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {TABLE}")
