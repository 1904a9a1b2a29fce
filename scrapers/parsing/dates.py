"""Dates as feeds and list pages write them, made timezone-aware.

A date without a zone is read in the office's zone (``default_tz``): a city
hall writes its own local time. Feeds carry RFC 822 or ISO 8601; list pages
carry free text, of which the common forms are read here: numeric
(2026-03-12, 2026/3/12, 2026.03.12, 12.03.2026, 12/03/2026), East Asian
(2026年3月12日, 2026년 3월 12일, 令和8年3月12日) and day-month-year or
month-day-year with month names in English, French, German, Spanish, Italian
and Portuguese ("12 mars 2026", "12. März 2026", "March 12, 2026").
"""

import logging
import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_tz

logger = logging.getLogger(__name__)

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january janvier januar janner enero gennaio janeiro",
        "february fevrier februar feber febrero febbraio fevereiro",
        "march mars marz marzo marco",
        "april avril abril aprile",
        "may mai mayo maggio maio",
        "june juin juni junio giugno junho",
        "july juillet juli julio luglio julho",
        "august aout agosto",
        "september septembre setiembre septiembre settembre setembro",
        "october octobre oktober octubre ottobre outubro",
        "november novembre noviembre novembro",
        "december decembre dezember diciembre dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number
# Abbreviations that are not simply the first letters of a name above.
_MONTHS.update({"sept": 9, "juil": 7, "janv": 1, "fevr": 2, "mrz": 3, "dic": 12})

_ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925}

_TIME = (
    r"(?:[T\s,|\-–—]*(?:à|a las|um|alle|às|at|@)?\s*"
    r"(\d{1,2})\s*[:hH時시]\s*(\d{2})?(?:\s*[:分분]\s*(\d{2}))?"
    r"\s*(am|pm|a\.m\.|p\.m\.)?)?"
)
# RFC 822 as RSS writes it: "Tue, 24 Nov 2026 09:30:00 +0100"; the zone is
# optional there, and email.utils reads a missing one as UTC, so look for it.
_RFC822 = re.compile(r"\d{1,2}\s+[A-Za-z]{3,9}\.?\s+\d{2,4}\s+\d{1,2}:\d{2}")
_RFC822_ZONE = re.compile(
    r"(?:[+-]\d{4}|\b(?:UT|UTC|GMT|Z|[ECMP][SD]T|[A-IK-Z])\b)\s*$", re.I
)
_ZONE = re.compile(
    r"\s*(?:(GMT|UTC|UT|Z)\b\s*)?(?:([+-])(\d{2}):?(\d{2})?)?(?![\d:])", re.I
)
_EAST_ASIAN = re.compile(
    r"(令和|平成|昭和)?\s*(\d{1,4}|元)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?"
    r"(?:\s*[（(][^）)]{1,3}[）)])?" + _TIME
)
_YMD = re.compile(
    r"(?<!\d)(\d{4})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})(?!\d)\.?" + _TIME
)
_DMY_NUMERIC = re.compile(
    r"(?<!\d)(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d)" + _TIME
)
_WORD = r"(?<![^\W\d_])([^\W\d_]{3,12})\.?"
_DAY = r"(\d{1,2})(?:er|st|nd|rd|th|º|°|\.)?"
_DMY_NAMED = re.compile(
    _DAY + r"\s*(?:de\s+)?" + _WORD + r",?\s*(?:de\s+)?(\d{4})" + _TIME, re.I
)
_MDY_NAMED = re.compile(_WORD + r"\s+" + _DAY + r",?\s+(\d{4})" + _TIME, re.I)


# Before this, a date is a placeholder ("0000-00-00", year 1) or a typo, not
# when a government published something on the web.
EARLIEST_YEAR = 1900


def storable(value: datetime | None) -> datetime | None:
    """``value`` if it is a moment the database can hold (in UTC, from
    EARLIEST_YEAR to 9999); None for one that only looked like a date."""
    if value is None:
        return None
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return value if in_utc.year >= EARLIEST_YEAR else None


def aware(value: datetime, default_tz: tzinfo | None) -> datetime:
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    return value.replace(tzinfo=default_tz or UTC)


def _fold(text: str) -> str:
    """Lower case without accents: "Février" and "fevrier" are one month."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _month(word: str) -> int | None:
    word = _fold(word).rstrip(".")
    if word in _MONTHS:
        return _MONTHS[word]
    if len(word) >= 3:
        found = {n for name, n in _MONTHS.items() if name.startswith(word)}
        if len(found) == 1:
            return found.pop()
    return None


def _clock(groups: tuple[str | None, ...]) -> time:
    hour, minute, second, meridiem = groups
    if hour is None:
        return time()
    h, m, s = int(hour), int(minute or 0), int(second or 0)
    if meridiem:
        pm = meridiem.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    if h > 23 or m > 59 or s > 59:
        return time()
    return time(h, m, s)


def _make(year: int, month: int, day: int, clock: time) -> datetime | None:
    try:
        return datetime.combine(date(year, month, day), clock)
    except ValueError:
        return None


def parse_machine_date(value: str, *, default_tz: tzinfo | None) -> datetime | None:
    """RFC 822 (RSS) or ISO 8601 (Atom, JSON Feed, ``<time datetime>``)."""
    return storable(_machine_date(value, default_tz=default_tz))


def _machine_date(value: str, *, default_tz: tzinfo | None) -> datetime | None:
    value = value.strip()
    if not value:
        return None
    iso = value.replace("Z", "+00:00").replace("z", "+00:00")
    if len(iso) >= 10 and iso[4] == "-":
        try:
            return aware(datetime.fromisoformat(iso), default_tz)
        except ValueError:
            pass
    parts = parsedate_tz(value) if _RFC822.search(value) else None
    if parts and parts[0] > 0:
        try:
            naive = datetime(*parts[:6])  # type: ignore[misc]
        except ValueError:
            return None
        if not _RFC822_ZONE.search(value):
            return aware(naive, default_tz)
        return naive.replace(tzinfo=timezone(timedelta(seconds=parts[9] or 0)))
    return None


def parse_date(
    value: str,
    *,
    default_tz: tzinfo | None,
    month_first: bool = False,
) -> datetime | None:
    """A date from a feed field or a list page's text, or None.

    ``month_first`` settles 03/12/2026 (an American page) when neither number
    is above 12; see ``numeric_order`` for deciding it per page.
    """
    if not value or not value.strip():
        return None
    text = " ".join(value.split())
    parsed = parse_machine_date(text, default_tz=default_tz)
    if parsed:
        return parsed
    found = _first_date(text, month_first=month_first)
    if found is None:
        return None
    naive, end = found
    if naive is None:
        return None
    return storable(aware(naive, _zone_after(text, end) or default_tz))


def _zone_after(text: str, end: int) -> tzinfo | None:
    """A zone written right after the date and time ("... 19:42:40 -0300")."""
    match = _ZONE.match(text, end)
    if not match or not (match.group(1) or match.group(2)):
        return None
    name, sign, hours, minutes = match.group(1, 2, 3, 4)
    if not sign:
        return UTC if name else None
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset > timedelta(hours=14):
        return None
    return timezone(-offset if sign == "-" else offset)


def _first_date(text: str, *, month_first: bool) -> tuple[datetime | None, int] | None:
    """The first date in the text (None if impossible, like 31 February) and
    where its match ends; None when no date form matches."""
    match = _EAST_ASIAN.search(text)
    if match:
        era, year, month, day = match.group(1, 2, 3, 4)
        number = 1 if year == "元" else int(year)
        if era:
            number += _ERAS[era]
        if number >= 1900:
            clock = _clock(match.group(5, 6, 7, 8))
            return _make(number, int(month), int(day), clock), match.end()
    match = _YMD.search(text)
    if match:
        year, _sep, month, day = match.group(1, 2, 3, 4)
        clock = _clock(match.group(5, 6, 7, 8))
        return _make(int(year), int(month), int(day), clock), match.end()
    match = _DMY_NUMERIC.search(text)
    if match:
        first, separator, second, year = match.group(1, 2, 3, 4)
        a, b = int(first), int(second)
        if separator != "." and (b > 12 or (month_first and a <= 12)):
            day, month = b, a
        else:
            day, month = a, b
        return _make(
            int(year), month, day, _clock(match.group(5, 6, 7, 8))
        ), match.end()
    for match in _DMY_NAMED.finditer(text):
        month = _month(match.group(2))
        if month:
            day, year = int(match.group(1)), int(match.group(3))
            return _make(year, month, day, _clock(match.group(4, 5, 6, 7))), match.end()
    for match in _MDY_NAMED.finditer(text):
        month = _month(match.group(1))
        if month:
            day, year = int(match.group(2)), int(match.group(3))
            return _make(year, month, day, _clock(match.group(4, 5, 6, 7))), match.end()
    return None


def numeric_order(texts: list[str], *, language: str | None) -> bool:
    """Whether a page writes numeric dates month first (03/12/2026 = March 12).

    Any date with a first number above 12 settles it for day first, any with
    the second above 12 for month first; otherwise American English pages are
    month first and everyone else day first.
    """
    for text in texts:
        match = _DMY_NUMERIC.search(text or "")
        if not match or match.group(2) == ".":
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12:
            return False
        if second > 12:
            return True
    return (language or "").lower() in {"en-us", "en-ph"}
