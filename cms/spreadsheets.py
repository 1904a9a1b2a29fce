"""CSV that spreadsheets open safely: every CSV export of Tsunagu writes
through ``csv_writer`` (or, for Wagtail's listing exports,
``SafeCSVExportMixin``), and every CSV import reads cells back through
``cell_unguard``.

A spreadsheet takes a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return for a formula (CSV injection, OWASP): a scraped
headline ``=HYPERLINK(...)`` or a subscriber's organisation would run in
the editor's spreadsheet. Such a text cell gets an apostrophe in front,
which spreadsheets hide; numbers are left as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_guard(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def cell_unguard(value: str) -> str:
    """What ``cell_guard`` changed, back (an import of our own export)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


class SafeWriter:
    """``csv.writer`` (rows as sequences) or ``csv.DictWriter`` (rows as
    mappings, with ``fieldnames``) whose text cells are guarded."""

    def __init__(
        self, out: Any, *, fieldnames: Iterable[str] | None = None, **kwargs: Any
    ) -> None:
        self._dict = fieldnames is not None
        self._writer = (
            csv.DictWriter(out, fieldnames=list(fieldnames), **kwargs)
            if fieldnames is not None
            else csv.writer(out, **kwargs)
        )

    def writerow(self, row: Iterable[Any] | Mapping[str, Any]) -> Any:
        if self._dict:
            assert isinstance(row, Mapping)
            return self._writer.writerow(
                {key: cell_guard(value) for key, value in row.items()}
            )
        return self._writer.writerow([cell_guard(value) for value in row])

    def writerows(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(
    out: Any, *, fieldnames: Iterable[str] | None = None, **kwargs: Any
) -> SafeWriter:
    return SafeWriter(out, fieldnames=fieldnames, **kwargs)


class _Echo:
    def write(self, value: str) -> str:
        return value


class SafeCSVExportMixin:
    """For Wagtail index views with ``list_export``: their CSV through
    ``csv_writer``. (Wagtail's XLSX export already stores formulas as text.)"""

    def stream_csv(self, queryset):
        writer = csv_writer(_Echo(), fieldnames=self.list_export)
        yield writer.writerow(
            {field: self.get_heading(queryset, field) for field in self.list_export}
        )
        for item in queryset:
            yield self.write_csv_row(writer, self.to_row_dict(item))
