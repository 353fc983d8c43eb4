"""Times as sources give them: a date of year, month or day precision, or an interval, with the words as written."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sanctiongraph.errors import SourceError, shown

_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class Day:
    """A calendar date known to a precision: '2024', '2022-04' or '2025-02-28'."""

    text: str
    precision: str
    earliest: dt.date
    latest: dt.date


@dataclass(frozen=True)
class TimeValue:
    """A time from a source: an instant (start only) or an interval (start and end)."""

    start: Day
    end: Day | None
    as_written: str | None
    basis: str | None
    earliest: dt.date
    latest: dt.date


def parse_day(value: Any, where: str) -> Day:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; anything else, or an impossible date, is an error."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    match = _DATE.fullmatch(text) if isinstance(text, str) else None
    if not match:
        raise SourceError(where, f"{shown(value)} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if day is not None and month is not None:
            date = dt.date(year, month, day)  # type: ignore[arg-type]
            return Day(text, "day", date, date)
        if month is not None:
            last = calendar.monthrange(year, month)[1]  # type: ignore[arg-type]
            return Day(text, "month", dt.date(year, month, 1), dt.date(year, month, last))  # type: ignore[arg-type]
        return Day(text, "year", dt.date(year, 1, 1), dt.date(year, 12, 31))  # type: ignore[arg-type]
    except (ValueError, calendar.IllegalMonthError):
        raise SourceError(where, f"{shown(text)} is an impossible date") from None


TIME_KEYS = ("as_written", "value", "start", "end", "earliest", "latest", "basis")


def parse_time(value: Any, where: str) -> TimeValue:
    """Parse a time: a bare date, or a mapping with as_written, value or start/end, earliest/latest and basis."""
    if not isinstance(value, dict):
        day = parse_day(value, where)
        return TimeValue(day, None, None, None, day.earliest, day.latest)
    unknown = sorted(set(value) - set(TIME_KEYS), key=str)
    if unknown:
        raise SourceError(where, f"unknown key {shown(unknown[0])} in a time; allowed: {', '.join(TIME_KEYS)}")
    if ("value" in value) == ("start" in value or "end" in value):
        raise SourceError(where, "a time needs either 'value' or both 'start' and 'end'")
    if "value" in value:
        start, end = parse_day(value["value"], where), None
        earliest, latest = start.earliest, start.latest
    else:
        if "start" not in value or "end" not in value:
            raise SourceError(where, "an interval needs both 'start' and 'end'")
        start, end = parse_day(value["start"], where), parse_day(value["end"], where)
        if end.latest < start.earliest:
            raise SourceError(where, f"interval ends ({end.text}) before it starts ({start.text})")
        earliest, latest = start.earliest, end.latest
    if "earliest" in value:
        earliest = parse_day(value["earliest"], where).earliest
    if "latest" in value:
        latest = parse_day(value["latest"], where).latest
    if latest < earliest:
        raise SourceError(where, f"latest day {latest} is before earliest day {earliest}")
    for key in ("as_written", "basis"):
        if key in value and not isinstance(value[key], str):
            raise SourceError(where, f"'{key}' of a time must be text")
    return TimeValue(start, end, value.get("as_written"), value.get("basis"), earliest, latest)
