"""Sources from a CSV file: all rows or none, every problem reported by row."""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from cms.models import Office
from cms.spreadsheets import cell_unguard

from .models import Source

REQUIRED_COLUMNS = ("office", "name", "url")
SELECTOR_COLUMNS = {
    "item_selector": "rule_item",
    "link_selector": "rule_link",
    "title_selector": "rule_title",
    "date_selector": "rule_date",
    "summary_selector": "rule_summary",
}
MAX_ROWS = 5000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp932", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("The file is not text in UTF-8.")


def sources_import_csv(*, data: bytes, offices: QuerySet[Office]) -> ImportReport:
    """Create or update sources (matched by office and URL) from CSV bytes.

    ``offices`` are those the importing user may file sources under; a row for
    any other office is an error. Nothing is saved unless every row is valid.
    """
    report = ImportReport()
    try:
        reader = csv.DictReader(io.StringIO(_decode(data)))
        columns = [c.strip().lower() for c in reader.fieldnames or []]
    except (ValueError, csv.Error) as exc:
        report.errors.append(str(exc))
        return report
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        report.errors.append(f"Missing columns: {', '.join(missing)}.")
        return report
    allowed = {office.code: office for office in offices}
    sources: list[tuple[int, Source]] = []
    for number, raw in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            report.errors.append(f"More than {MAX_ROWS} rows; split the file.")
            break
        row = {
            (k or "").strip().lower(): cell_unguard((v or "").strip())
            for k, v in raw.items()
        }
        if not any(row.values()):
            continue
        office = allowed.get(row.get("office", "").lower())
        if office is None:
            report.errors.append(
                f"Row {number}: office {row.get('office')!r} is not one you manage."
            )
            continue
        source = Source.objects.filter(office=office, url=row["url"]).first() or Source(
            office=office, url=row["url"]
        )
        source.name = row["name"]
        if row.get("kind"):
            source.kind = row["kind"].lower()
        if "language" in row:
            source.language = row["language"]
        for column, attribute in SELECTOR_COLUMNS.items():
            if column in row:
                setattr(source, attribute, row[column])
        try:
            source.full_clean(validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = "" if name == "__all__" else f"{name}: "
                report.errors.append(f"Row {number}: {label}{' '.join(messages)}")
            continue
        sources.append((number, source))
    seen: dict[tuple[int, str], int] = {}
    for number, source in sources:
        key = (source.office_id, source.url)
        if key in seen:
            report.errors.append(f"Row {number}: the same URL as row {seen[key]}.")
        seen[key] = number
    if report.errors:
        return report
    with transaction.atomic():
        for _number, source in sources:
            if source.pk:
                report.updated += 1
            else:
                report.created += 1
            source.save()
    return report
