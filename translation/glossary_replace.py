"""Replacing one language pair's terms from a CSV file: previewed, kept,
undoable.

Replacing deletes what the file lacks, so it is scoped (one source language
into Japanese, HQ's glossary managers only: the ``replace_glossaryterm``
permission), shown as a diff (added, changed, removed) before it applies,
and the terms it replaces are kept as a ``GlossarySnapshot`` that one click
restores. Both raise the language's glossary version, which sends the
glossary to the service again (on commit).
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from .glossary import versions_batch
from .glossary_csv import _rows_read
from .models import GlossarySnapshot, GlossaryTerm

# source term → (Japanese, do not translate, note)
Terms = dict[str, tuple[str, bool, str]]


@dataclass
class GlossaryDiff:
    language: str
    added: list[tuple[str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    snapshot: GlossarySnapshot | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def glossary_can_replace(user: AbstractBaseUser) -> bool:
    return user.has_perm("translation.replace_glossaryterm")


def _current(language: str) -> Terms:
    return {
        term.source_term: (term.target_term, term.do_not_translate, term.note)
        for term in GlossaryTerm.objects.filter(source_language=language)
    }


def _from_file(text: str, language: str, errors: list[str]) -> Terms:
    current = _current(language)
    terms: Terms = {}
    for row in _rows_read(text, errors):
        if row.source_language != language:
            errors.append(
                _(
                    "Line %(line)d: this replaces the %(language)s terms only; "
                    "the line is for %(other)s."
                )
                % {
                    "line": row.line,
                    "language": language,
                    "other": row.source_language,
                }
            )
            continue
        old = current.get(row.source_term)
        do_not_translate = (
            row.do_not_translate
            if row.do_not_translate is not None
            else bool(old and old[1])
        )
        if not row.target_term and not do_not_translate:
            errors.append(
                _(
                    "Line %(line)d: ja_term is empty; fill it in, or set "
                    "do_not_translate to keep the term as it is."
                )
                % {"line": row.line}
            )
            continue
        note = row.note if row.note is not None else (old[2] if old else "")
        terms[row.source_term] = (row.target_term, do_not_translate, note)
    return terms


def _diff(language: str, old: Terms, new: Terms) -> GlossaryDiff:
    diff = GlossaryDiff(language=language)
    for term, value in sorted(new.items()):
        if term not in old:
            diff.added.append((term, value[0]))
        elif old[term] != value:
            diff.changed.append((term, old[term][0], value[0]))
    diff.removed = [(term, old[term][0]) for term in sorted(set(old) - set(new))]
    return diff


def glossary_replace_preview(*, text: str, language: str) -> GlossaryDiff:
    """What replacing ``language``'s terms with the file would do."""
    errors: list[str] = []
    new = _from_file(text, language, errors)
    diff = _diff(language, _current(language), new)
    diff.errors = errors
    return diff


def glossary_replace(
    *, text: str, language: str, user: AbstractBaseUser | None
) -> GlossaryDiff:
    """Replace ``language``'s terms with the file's, keeping the old ones."""
    errors: list[str] = []
    new = _from_file(text, language, errors)
    if errors:
        diff = _diff(language, _current(language), new)
        diff.errors = errors
        return diff
    return _terms_set(language, new, user=user, reason=_("a CSV import"))


def glossary_restore(
    *, snapshot: GlossarySnapshot, user: AbstractBaseUser | None
) -> GlossaryDiff:
    """Put a language's terms back as the snapshot has them (what they are
    now is kept in turn, so the restore can be undone too)."""
    terms: Terms = {
        item["source_term"]: (
            item["target_term"],
            bool(item["do_not_translate"]),
            item["note"],
        )
        for item in snapshot.terms
    }
    return _terms_set(snapshot.source_language, terms, user=user, reason=_("a restore"))


def _terms_set(
    language: str, new: Terms, *, user: AbstractBaseUser | None, reason: str
) -> GlossaryDiff:
    with transaction.atomic(), versions_batch() as touched:
        old = _current(language)
        diff = _diff(language, old, new)
        if diff.empty:
            return diff
        diff.snapshot = GlossarySnapshot.objects.create(
            source_language=language,
            terms=[
                {
                    "source_term": term,
                    "target_term": value[0],
                    "do_not_translate": value[1],
                    "note": value[2],
                }
                for term, value in sorted(old.items())
            ],
            reason=reason[:100],
            created_by=user if user is not None and user.is_authenticated else None,
        )
        GlossaryTerm.objects.filter(
            source_language=language, source_term__in=[t for t, _j in diff.removed]
        ).delete()
        changed = {term for term, _old, _new in diff.changed}
        for term in GlossaryTerm.objects.filter(
            source_language=language, source_term__in=changed
        ):
            term.target_term, term.do_not_translate, term.note = new[term.source_term]
            term.save()
        GlossaryTerm.objects.bulk_create(
            [
                GlossaryTerm(
                    source_language=language,
                    source_term=term,
                    target_term=new[term][0],
                    do_not_translate=new[term][1],
                    note=new[term][2],
                )
                for term, _japanese in diff.added
            ]
        )
        # The version rises once for the language when the batch ends, and
        # the glossary goes to the service when the transaction commits.
        touched.add(language)
    return diff
