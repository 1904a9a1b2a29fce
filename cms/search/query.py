"""Reading the index: a Wagtail search query as conditions on SearchEntry rows.

A query becomes a small tree of terms (``Match``) under AND, OR and NOT. Each
term must really occur in the entry's normalised text (a substring check, so
that 多文化 means 多文化 and not 多文 and 文化 apart); the database's full-text
index first narrows the rows to those holding the terms' tokens. Where the
tokens alone prove a term (one or two CJK characters, one word) the substring
check is left out.
"""

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, FloatField, Q, Value, When
from django.db.models.expressions import Combinable
from modelsearch.query import (
    And,
    Boost,
    Fuzzy,
    MatchAll,
    Not,
    Or,
    Phrase,
    PlainText,
    SearchQuery,
)

from .fulltext import TokenQuery
from .indexing import HEADER_END, SECTION_START, section_header
from .text import Term, Token, query_term

logger = logging.getLogger(__name__)

# Past these a query is refused (no results) rather than cut: cutting would
# find documents that lack the rest of the query. Far above what anyone types;
# they bound the SQL (SQLite refuses LIKE patterns over 50,000 bytes and
# expressions nested over 1,000 deep).
MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
# Tokens per term sent to the full-text index; the substring check covers the
# rest of a long term.
MAX_TOKENS_PER_TERM = 16


class QueryTooLong(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Match:
    term: Term


@dataclass(frozen=True, slots=True)
class AllOf:
    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    children: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Negation:
    child: "Node"


class _Constant:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


EVERYTHING = _Constant("EVERYTHING")
NOTHING = _Constant("NOTHING")
# A part of the query with nothing searchable in it (punctuation): ignored
# beside other parts, no results on its own.
EMPTY = _Constant("EMPTY")

Node = Match | AllOf | AnyOf | Negation | _Constant


def _terms(query_string: str, operator: str) -> Node:
    terms = [
        query_term(raw, max_tokens=MAX_TOKENS_PER_TERM) for raw in query_string.split()
    ]
    unique = list(dict.fromkeys(term for term in terms if term is not None))
    if not unique:
        return EMPTY
    if len(unique) == 1:
        return Match(unique[0])
    nodes = tuple(Match(term) for term in unique)
    return AllOf(nodes) if operator == "and" else AnyOf(nodes)


def _combine(kind: type[AllOf] | type[AnyOf], children: Iterable[Node]) -> Node:
    # AND: NOTHING wins, EVERYTHING drops out; OR: the other way round.
    winner, neutral = (NOTHING, EVERYTHING) if kind is AllOf else (EVERYTHING, NOTHING)
    kept = [child for child in children if child is not EMPTY]
    if not kept:
        return EMPTY
    if winner in kept:
        return winner
    kept = [child for child in kept if child is not neutral]
    if not kept:
        return neutral
    return kept[0] if len(kept) == 1 else kind(tuple(kept))


def parse(query: SearchQuery) -> Node:
    """The query as a tree of terms; raises QueryTooLong past the limits."""
    if isinstance(query, PlainText | Fuzzy):
        if len(query.query_string) > MAX_QUERY_CHARS:
            raise QueryTooLong(len(query.query_string))
        return _terms(query.query_string, query.operator)
    if isinstance(query, Phrase):
        if len(query.query_string) > MAX_QUERY_CHARS:
            raise QueryTooLong(len(query.query_string))
        # The whole phrase is one term: its words must follow each other.
        term = query_term(query.query_string, max_tokens=MAX_TOKENS_PER_TERM)
        return Match(term) if term else EMPTY
    if isinstance(query, MatchAll):
        return EVERYTHING
    if isinstance(query, Boost):
        return parse(query.subquery)
    if isinstance(query, Not):
        child = parse(query.subquery)
        if child is EVERYTHING:
            return NOTHING
        if child is NOTHING:
            return EVERYTHING
        return EMPTY if child is EMPTY else Negation(child)
    if isinstance(query, And):
        return _combine(AllOf, (parse(sub) for sub in query.subqueries))
    if isinstance(query, Or):
        return _combine(AnyOf, (parse(sub) for sub in query.subqueries))
    raise NotImplementedError(
        f"{type(query).__name__} is not supported by this backend"
    )


def leaves(node: Node, *, positive: bool = True) -> Iterable[tuple[Term, bool]]:
    """(term, not negated) for every term of the tree."""
    if isinstance(node, Match):
        yield node.term, positive
    elif isinstance(node, AllOf | AnyOf):
        for child in node.children:
            yield from leaves(child, positive=positive)
    elif isinstance(node, Negation):
        yield from leaves(node.child, positive=not positive)


def check_size(node: Node) -> None:
    count = sum(1 for _ in leaves(node))
    if count > MAX_TERMS:
        raise QueryTooLong(count)


def token_query(node: Node) -> TokenQuery | Token | None:
    """What the full-text index must find for the node; None if it cannot help."""
    if isinstance(node, Match):
        tokens = node.term.tokens
        return tokens[0] if len(tokens) == 1 else TokenQuery("and", tokens)
    if isinstance(node, AllOf):
        parts = [q for q in map(token_query, node.children) if q is not None]
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else TokenQuery("and", tuple(parts))
    if isinstance(node, AnyOf):
        parts = [token_query(child) for child in node.children]
        if any(q is None for q in parts):
            return None
        return TokenQuery("or", tuple(q for q in parts if q is not None))
    # A negation cannot narrow anything down.
    return None


@dataclass(frozen=True, slots=True)
class Scope:
    """Where substring checks look: everywhere, or in some fields' sections."""

    fields: frozenset[str] | None = None

    def _pattern(self, names: Iterable[str], term: Term) -> str:
        headers = "|".join(
            re.escape(section_header(name)[1:-1]) for name in sorted(names)
        )
        # The section's header, then anything but the start of another section.
        # Term text is letters, digits and spaces; re.escape keeps it valid for
        # both Python's re (SQLite) and PostgreSQL's regular expressions.
        return (
            f"{SECTION_START}(?:{headers}){HEADER_END}[^{SECTION_START}]*"
            f"{re.escape(term.text)}"
        )

    def in_title(self, term: Term) -> Q:
        if self.fields is None:
            return Q(title__contains=term.text)
        return Q(title__regex=self._pattern(self.fields, term))

    def anywhere(self, term: Term) -> Q:
        if self.fields is None:
            return Q(title__contains=term.text) | Q(body__contains=term.text)
        # A field named "title" always goes to the title column.
        body_fields = self.fields - {"title"}
        condition = self.in_title(term)
        if body_fields:
            condition |= Q(body__regex=self._pattern(body_fields, term))
        return condition

    def proved_by_tokens(self, node: Node) -> bool:
        if self.fields is not None:
            return False  # tokens are shared by all fields
        if isinstance(node, Match):
            return node.term.exact
        if isinstance(node, AllOf | AnyOf):
            return all(self.proved_by_tokens(child) for child in node.children)
        return False


def text_condition(node: Node, scope: Scope, *, under_and: bool = True) -> Q | None:
    """The substring checks the node still needs after the full-text prefilter.

    A node proved by its tokens needs none if only ANDs lead to it from the
    root, as the prefilter then holds exactly its tokens.
    """
    if under_and and scope.proved_by_tokens(node):
        return None
    if isinstance(node, Match):
        return scope.anywhere(node.term)
    if isinstance(node, AllOf):
        parts = [text_condition(c, scope, under_and=under_and) for c in node.children]
        kept = [part for part in parts if part is not None]
        if not kept:
            return None
        condition = Q()
        for part in kept:
            condition &= part
        return condition
    if isinstance(node, AnyOf):
        condition = Q()
        for child in node.children:
            part = text_condition(child, scope, under_and=False)
            if part is not None:
                condition |= part
        return condition
    if isinstance(node, Negation):
        part = text_condition(node.child, scope, under_and=False)
        return ~part if part is not None else None
    raise ValueError(f"Unexpected node {node!r}")


def title_score(node: Node, scope: Scope) -> Combinable:
    """How many of the (not negated) terms are in the title: the ranking."""
    score: Combinable = Value(0.0)
    for term, positive in leaves(node):
        if positive:
            score = score + Case(
                When(scope.in_title(term), then=Value(1.0)),
                default=Value(0.0),
                output_field=FloatField(),
            )
    return score
