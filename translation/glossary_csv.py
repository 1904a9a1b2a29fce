"""The glossary as CSV: import (all rows or none), export, and the seed.

The columns are the seed's (source_lang, source_term, ja_term, note) with an
optional do_not_translate; the export writes all five and round-trips.
"""

import codecs
import csv
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.spreadsheets import cell_unguard, csv_writer

from .conf import translation_setting
from .glossary import (
    TARGET_LANGUAGE,
    glossary_state,
    text_has_control_characters,
    versions_batch,
)
from .models import GlossaryState, GlossaryTerm

logger = logging.getLogger(__name__)


def seed_path() -> Path:
    """The CSV the first set-up loads: TSUNAGU_TRANSLATION["GLOSSARY_SEED_CSV"]
    (GLOSSARY_SEED_CSV in the environment), by default the seed kept in the
    repository (translation/seed/, with its source note), so that a plain
    clone needs nothing beside it."""
    return Path(translation_setting("GLOSSARY_SEED_CSV"))


COLUMNS = ("source_lang", "source_term", "ja_term", "note", "do_not_translate")
REQUIRED_COLUMNS = COLUMNS[:3]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
TERM_MAX_LENGTH = GlossaryTerm._meta.get_field("source_term").max_length
LANGUAGE_ALIASES = {"zh": "zh-hans", "zh-cn": "zh-hans", "zh-sg": "zh-hans"}
YES = {"1", "true", "yes", "y", "x", "はい"}
NO = {"", "0", "false", "no", "n", "いいえ"}


# -- CSV ----------------------------------------------------------------------


class GlossaryFileError(ValueError):
    """An uploaded file that cannot be read as CSV text."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    source_language: str
    source_term: str
    target_term: str
    # None where the file has no such column: existing terms keep theirs.
    note: str | None
    do_not_translate: bool | None


def glossary_csv_decode(*, data: bytes, size: int | None = None) -> str:
    """The text of an uploaded CSV file (UTF-8 with or without a BOM, or
    UTF-16 with one, as Excel's "Unicode text" saves it). ``size``: the whole
    file's, when ``data`` is only its beginning."""
    size = max(size or 0, len(data))
    if size > MAX_BYTES:
        raise GlossaryFileError(_too_large(size))
    if data.startswith(b"PK\x03\x04"):
        raise GlossaryFileError(
            _(
                "This is an Excel workbook, not a CSV file. In Excel, save it "
                "as “CSV UTF-8 (Comma delimited)”."
            )
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GlossaryFileError(
            _(
                "The file is not UTF-8 text (line %(line)d cannot be read); it "
                "was probably saved as Shift_JIS or another encoding. In Excel, "
                "save it as “CSV UTF-8 (Comma delimited)”."
            )
            % {"line": data[: exc.start].count(b"\n") + 1}
        ) from exc


def glossary_import_csv(*, text: str, replace: bool = False) -> ImportReport:
    """Create and update terms from CSV text; with ``replace``, delete the
    terms the file does not have. Nothing changes unless every row is valid."""
    report = ImportReport()
    rows = _rows_read(text, report.errors)
    if report.errors:
        return report
    try:
        with transaction.atomic(), versions_batch() as touched:
            _rows_apply(rows, replace=replace, report=report, touched=touched)
            if report.errors:
                raise _NothingImported
    except _NothingImported:
        report.created = report.updated = report.removed = report.unchanged = 0
    except IntegrityError:
        report.errors.append(
            _("The glossary changed while the file was imported; try again.")
        )
    return report


class _NothingImported(Exception):
    pass


def _rows_read(text: str, errors: list[str]) -> list[_Row]:
    if len(text) > MAX_BYTES:
        errors.append(_too_large(len(text.encode())))
        return []
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        errors.append(_("The file is not a text file."))
        return []
    if not text.strip():
        errors.append(_("The file is empty."))
        return []
    first_line = text.split("\n", 1)[0]
    # Excel writes semicolons where the comma is the decimal sign (French),
    # and tabs in "Unicode text".
    delimiter = ","
    if "," not in first_line:
        delimiter = next((d for d in (";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[_Row] = []
    try:
        header = next(reader)
        names = [name.strip().lower() for name in header]
        if not _header_check(names, errors):
            return []
        seen: dict[tuple[str, str], int] = {}
        count = 0
        line = reader.line_num + 1
        for cells in reader:
            # A quoted value may span lines: a row starts where the last ended.
            row_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                errors.append(
                    _("The file has more than %(max)d terms; split it.")
                    % {"max": MAX_ROWS}
                )
                break
            row = _row_check(row_line, names, cells, errors)
            if row is None:
                continue
            key = (row.source_language, row.source_term)
            if key in seen:
                errors.append(
                    _(
                        "Line %(line)d: “%(term)s” (%(language)s) is already "
                        "on line %(first)d."
                    )
                    % {
                        "line": row_line,
                        "term": row.source_term,
                        "language": row.source_language,
                        "first": seen[key],
                    }
                )
                continue
            seen[key] = row_line
            rows.append(row)
    except csv.Error as exc:
        errors.append(
            _("Line %(line)d cannot be read as CSV (%(error)s).")
            % {"line": reader.line_num, "error": exc}
        )
    return rows


def _header_check(names: list[str], errors: list[str]) -> bool:
    expected = ", ".join(COLUMNS)
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing and names and _language_code(names[0]) is not None:
        errors.append(
            _(
                "Line 1 must name the columns (%(expected)s, do_not_translate "
                "optional); it holds a term instead."
            )
            % {"expected": ", ".join(COLUMNS[:4])}
        )
        return False
    if missing:
        errors.append(
            _(
                "Line 1: the columns %(missing)s are missing; the columns are "
                "%(expected)s."
            )
            % {"missing": ", ".join(missing), "expected": expected}
        )
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        errors.append(
            _("Line 1: unknown columns %(unknown)s; the columns are %(expected)s.")
            % {"unknown": ", ".join(unknown), "expected": expected}
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        errors.append(
            _("Line 1: the columns %(repeated)s appear twice.")
            % {"repeated": ", ".join(repeated)}
        )
    return not errors


def _row_check(
    line: int, names: list[str], cells: list[str], errors: list[str]
) -> _Row | None:
    found = len(errors)

    def fail(message: str) -> None:
        errors.append(
            _("Line %(line)d: %(problem)s") % {"line": line, "problem": message}
        )

    extra = [cell for cell in cells[len(names) :] if cell.strip()]
    if extra or any(
        cell.strip() for name, cell in zip(names, cells, strict=False) if not name
    ):
        fail(_("more values than columns (a value with a comma needs quotes)."))
        return None
    values = {
        name: cell_unguard(unicodedata.normalize("NFC", cell.strip()))
        for name, cell in zip(names, cells, strict=False)
        if name
    }
    raw_language = values.get("source_lang", "")
    language = _language_code(raw_language)
    if language is None:
        fail(
            _(
                "“%(language)s” is not a language the glossary translates "
                "from; use one of %(codes)s."
            )
            % {"language": raw_language, "codes": ", ".join(_source_languages())}
        )
    dnt_text = values.get("do_not_translate")
    do_not_translate = None
    if dnt_text is not None:
        if dnt_text.lower() in YES:
            do_not_translate = True
        elif dnt_text.lower() in NO:
            do_not_translate = False
        else:
            fail(
                _("do_not_translate must be yes or no (or empty), not “%(value)s”.")
                % {"value": dnt_text}
            )
    source_term = values.get("source_term", "")
    target_term = values.get("ja_term", "")
    for column, value in (("source_term", source_term), ("ja_term", target_term)):
        if len(value) > TERM_MAX_LENGTH:
            fail(
                _("%(column)s is longer than %(max)d characters.")
                % {"column": column, "max": TERM_MAX_LENGTH}
            )
        elif text_has_control_characters(value):
            fail(
                _("%(column)s contains a line break, tab or other control character.")
                % {"column": column}
            )
    if not source_term:
        fail(_("source_term is empty."))
    if len(errors) > found:
        return None
    return _Row(
        line=line,
        source_language=language,
        source_term=source_term,
        target_term=target_term,
        note=values.get("note"),
        do_not_translate=do_not_translate,
    )


def _rows_apply(
    rows: list[_Row], *, replace: bool, report: ImportReport, touched: set[str]
) -> None:
    existing = {
        (term.source_language, term.source_term): term
        for term in GlossaryTerm.objects.all()
    }
    now = timezone.now()
    to_create: list[GlossaryTerm] = []
    to_update: list[GlossaryTerm] = []
    for row in rows:
        term = existing.pop((row.source_language, row.source_term), None)
        do_not_translate = row.do_not_translate
        if do_not_translate is None:
            do_not_translate = bool(term and term.do_not_translate)
        if not row.target_term and not do_not_translate:
            report.errors.append(
                _(
                    "Line %(line)d: ja_term is empty; fill it in, or set "
                    "do_not_translate to keep the term as it is."
                )
                % {"line": row.line}
            )
            continue
        note = row.note if row.note is not None else (term.note if term else "")
        if term is None:
            to_create.append(
                GlossaryTerm(
                    source_language=row.source_language,
                    source_term=row.source_term,
                    target_term=row.target_term,
                    do_not_translate=do_not_translate,
                    note=note,
                )
            )
        elif (term.target_term, term.do_not_translate, term.note) == (
            row.target_term,
            do_not_translate,
            note,
        ):
            report.unchanged += 1
        else:
            term.target_term = row.target_term
            term.do_not_translate = do_not_translate
            term.note = note
            term.updated_at = now
            to_update.append(term)
    if report.errors:
        return
    # Bulk writes send no signals: the languages are collected here and
    # raised once each when the batch ends.
    GlossaryTerm.objects.bulk_create(to_create, batch_size=500)
    GlossaryTerm.objects.bulk_update(
        to_update,
        ["target_term", "do_not_translate", "note", "updated_at"],
        batch_size=500,
    )
    touched.update(term.source_language for term in to_create + to_update)
    report.created, report.updated = len(to_create), len(to_update)
    if replace and existing:
        GlossaryTerm.objects.filter(
            pk__in=[term.pk for term in existing.values()]
        ).delete()
        touched.update(term.source_language for term in existing.values())
        report.removed = len(existing)


def glossary_export_csv() -> str:
    """All terms, in the columns ``glossary_import_csv`` reads."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(COLUMNS)
    for term in GlossaryTerm.objects.order_by("source_language", "source_term"):
        writer.writerow(
            [
                term.source_language,
                term.source_term,
                term.target_term,
                term.note,
                "yes" if term.do_not_translate else "no",
            ]
        )
    return out.getvalue()


def glossary_seed_load(*, path: Path | None = None) -> int:
    """Load the seed (``seed_path()`` unless given) into a glossary that has
    never held a term; returns the terms created. Once editors have the
    glossary, the seed never touches it again, even if they empty it."""
    path = path or seed_path()
    if not path.is_file():
        logger.info("No seed glossary at %s", path)
        return 0
    with transaction.atomic():
        # Locked, so that two set-ups at once cannot both load it.
        state = GlossaryState.objects.select_for_update().get(pk=glossary_state().pk)
        if state.version or GlossaryTerm.objects.exists():
            return 0
        try:
            report = glossary_import_csv(
                text=glossary_csv_decode(data=path.read_bytes())
            )
        except GlossaryFileError as exc:
            report = ImportReport(errors=[str(exc)])
    if not report.ok:
        logger.warning(
            "The seed glossary %s was not loaded: %s", path, " ".join(report.errors)
        )
    return report.created


# -- helpers ------------------------------------------------------------------


def _source_languages() -> list[str]:
    return [
        code
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES
        if code != TARGET_LANGUAGE
    ]


def _language_code(value: str) -> str | None:
    code = value.strip().lower().replace("_", "-")
    code = LANGUAGE_ALIASES.get(code, code)
    languages = _source_languages()
    if code in languages:
        return code
    # en-GB, fr-CA: the language's locale. Chinese variants are not one
    # another's (zh-TW is traditional).
    base = code.split("-", 1)[0]
    if base != "zh" and base in languages:
        return base
    return None


def _too_large(size: int) -> str:
    return _("The file is %(size)s; the limit is %(limit)s. Split it.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(MAX_BYTES),
    }
