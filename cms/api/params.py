"""Query parameters declared once: each one parses its value (or says plainly
why it cannot) and describes itself for the OpenAPI document, so what the API
accepts and what openapi.json says cannot drift apart."""

import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from wagtail.api.v2.utils import BadRequestError

# The largest value a 64-bit database integer holds.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Param:
    """One query parameter: its name, how to read it, how to describe it."""

    name: str
    description: str
    parse: Callable[[str], Any]
    # The OpenAPI schema; a callable when it depends on data (office codes).
    schema: dict | Callable[[], dict] = field(default_factory=dict)
    # Lists travel as one comma-separated value (style form, explode false).
    is_list: bool = False

    def schema_now(self) -> dict:
        return self.schema() if callable(self.schema) else self.schema

    def openapi(self) -> dict:
        spec = {
            "name": self.name,
            "in": "query",
            "required": False,
            "description": self.description,
            "schema": self.schema_now(),
        }
        if self.is_list:
            spec |= {"style": "form", "explode": False}
        return spec


def params_parse(params: Sequence[Param], query: Any) -> dict[str, Any]:
    """The declared parameters' values from a QueryDict; anything else is a
    400 that names the unknown parameters and lists the known ones."""
    known = {param.name: param for param in params}
    unknown = sorted(set(query.keys()) - set(known))
    if unknown:
        raise BadRequestError(
            f"unknown query parameter: {', '.join(unknown)} "
            f"(this endpoint takes: {', '.join(sorted(known))})"
        )
    values = {}
    for name, param in known.items():
        if name not in query:
            continue
        raws = query.getlist(name)
        if any("\x00" in raw for raw in raws):
            raise BadRequestError(f"{name}: null characters are not allowed")
        raw = ",".join(raws) if param.is_list else raws[-1]
        value = param.parse(raw)
        if value is not None:
            values[name] = value
    return values


def integer(
    name: str,
    description: str,
    *,
    minimum: int,
    maximum: int,
    default: int | None = None,
) -> Param:
    def parse(raw: str) -> int:
        try:
            value = int(raw.strip())
        except ValueError:
            raise BadRequestError(f"{name} must be a whole number") from None
        if not minimum <= value <= maximum:
            raise BadRequestError(
                f"{name} must be between {minimum} and {maximum}"
            ) from None
        return value

    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return Param(name, description, parse, schema)


def choice(name: str, description: str, choices: Sequence[str]) -> Param:
    def parse(raw: str) -> str | None:
        if not raw:
            return None
        if raw not in choices:
            raise BadRequestError(f"{name} must be one of: {', '.join(choices)}")
        return raw

    return Param(name, description, parse, {"type": "string", "enum": list(choices)})


def text(name: str, description: str, *, max_length: int) -> Param:
    def parse(raw: str) -> str | None:
        raw = raw.strip()
        if len(raw) > max_length:
            raise BadRequestError(f"{name} is longer than {max_length} characters")
        return raw or None

    return Param(name, description, parse, {"type": "string", "maxLength": max_length})


def codes(
    name: str,
    description: str,
    known: Callable[[], Sequence[str]],
    *,
    normalise: Callable[[str], str] = str,
) -> Param:
    """A comma-separated list of codes (office=lon,par); an unknown code is a
    400 that lists the known ones. Empty items are ignored."""

    def parse(raw: str) -> list[str] | None:
        wanted = list(dict.fromkeys(normalise(v.strip()) for v in raw.split(",")))
        wanted = [value for value in wanted if value]
        if not wanted:
            return None
        valid = set(known())
        unknown = [value for value in wanted if value not in valid]
        if unknown:
            raise BadRequestError(
                f"unknown {name}: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(valid))})"
            )
        return wanted

    def schema() -> dict:
        return {
            "type": "array",
            "items": {"type": "string", "enum": sorted(known())},
            "minItems": 1,
            "uniqueItems": True,
        }

    return Param(name, description, parse, schema, is_list=True)


# RFC 3339 (what OpenAPI's date and date-time formats mean) and ISO 8601's
# common forms: a date, or a date and time with an optional offset.
_WHEN = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"([Zz]|[+-]\d{2}:?\d{2})?)?"
)


def _moment(raw: str) -> tuple[datetime, bool]:
    """(aware datetime, whether only a date was given). Dates and times
    without an offset are in the site's time zone (settings.TIME_ZONE)."""
    match = _WHEN.fullmatch(raw.strip())
    if not match:
        raise ValueError("not an ISO 8601 date")
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    day_only = hour is None
    moment = datetime.combine(
        date(int(year), int(month), int(day)),
        time(
            int(hour or 0),
            int(minute or 0),
            # A leap second (…:60) counts as the second before it.
            min(int(second or 0), 59),
            int((fraction or "0")[:6].ljust(6, "0")),
        ),
    )
    if offset and offset in "Zz":
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
    elif offset:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError("offset out of range")
        shift = timedelta(hours=hours, minutes=minutes) * sign
        moment = moment.replace(tzinfo=timezone.get_fixed_timezone(shift))
    else:
        moment = timezone.make_aware(moment)
    # In UTC for the database: PostgreSQL refuses offsets past ±15:59 (an
    # ISO offset may reach ±23:59), and a moment past the calendar's ends
    # fails here (OverflowError) instead of there.
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")), day_only


def moment(name: str, description: str, *, end_of_range: bool) -> Param:
    """A date (a whole day: from its start, or up to its end) or a date-time.
    The parsed value is the bound as a lookup: ("gte"|"lt"|"lte", datetime)."""

    def parse(raw: str) -> tuple[str, datetime] | None:
        if not raw.strip():
            return None
        try:
            when, day_only = _moment(raw)
            if end_of_range and day_only:
                return "lt", when + timedelta(days=1)
        except (ValueError, OverflowError):
            raise BadRequestError(
                f"{name} must be an ISO 8601 date (2025-04-01) or date-time "
                f"(2025-04-01T09:00:00+09:00)"
            ) from None
        return ("lte" if end_of_range else "gte"), when

    schema = {
        "anyOf": [
            {"type": "string", "format": "date"},
            {"type": "string", "format": "date-time"},
        ]
    }
    return Param(name, description, parse, schema)


def date_range_check(values: dict, start: str, end: str) -> None:
    if start in values and end in values:
        (_op, low), (end_op, high) = values[start], values[end]
        if low > high or (low == high and end_op == "lt"):
            raise BadRequestError(f"{start} is after {end}")
