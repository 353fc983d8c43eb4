"""Dates and relative time expressions ("last Friday", "this year", "the first seven weeks of 2025"), normalised
against the publication date by dateparser, with the words as written."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from dateparser.date import DateDataParser
from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from sanctiongraph.annotate.language import char_span, english
from sanctiongraph.builder.source_text import Span

MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december"]
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_UNITS = ["week", "month", "year", "weekend", "quarter", *WEEKDAYS]
_YEAR = {"SHAPE": "dddd"}
_MONTH = {"TEXT": {"IN": [month.title() for month in MONTHS]}}  # capitalised: "may" is a verb
_DAY = {"TEXT": {"IN": [str(day) for day in range(1, 32)]}}
_PATTERNS: dict[str, list[list[dict[str, Any]]]] = {
    "relative": [[{"LOWER": {"IN": ["last", "this", "next", "past", "previous"]}}, {"LOWER": {"IN": _UNITS}}],
                 [{"LOWER": {"IN": ["yesterday", "today", "tomorrow"]}}]],
    "date": [[{"LOWER": {"IN": MONTHS}}, _YEAR], [{"LIKE_NUM": True}, {"LOWER": {"IN": MONTHS}}, _YEAR],
             [{"LOWER": {"IN": MONTHS}}, {"LIKE_NUM": True}, {"TEXT": ",", "OP": "?"}, _YEAR], [_YEAR]],
    "day": [[_MONTH, _DAY], [_DAY, _MONTH]],  # "March 4", "4 March": the year is the publication's, or the one before
    "first": [[{"LOWER": "the"}, {"LOWER": "first"}, {"LIKE_NUM": True, "OP": "?"},
               {"LOWER": {"IN": ["day", "days", "week", "weeks", "month", "months"]}}, {"LOWER": "of"}, _YEAR]],
}
_DAYS = {"day": 1, "week": 7}
_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
            "eleven": 11, "twelve": 12}
FIRST_YEAR, LAST_YEAR = 1900, 2100  # a four-digit number in this range is read as a year


@dataclass(frozen=True)
class TimeMention:
    """A time expression: its words, and its value as the annotation format writes a time."""

    span: Span
    as_written: str
    value: dict[str, str | int]  # value, or start and end; basis for relative ones


@lru_cache(maxsize=1)
def _matcher() -> Matcher:
    matcher = Matcher(english().vocab)
    for name, patterns in _PATTERNS.items():
        matcher.add(name, patterns)
    return matcher


def find_times(doc: Doc, published: dt.date) -> list[TimeMention]:
    """Every time expression of doc that resolves against the publication date."""
    matches = {(start, end): english().vocab.strings[key] for key, start, end in _matcher()(doc)}
    parser = DateDataParser(languages=["en"], settings={
        "RELATIVE_BASE": dt.datetime.combine(published, dt.time()), "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True})
    found = []
    for span in filter_spans([doc[s:e] for s, e in matches]):
        kind, words = matches[(span.start, span.end)], span.text
        if kind == "date" and len(span) == 1 and not FIRST_YEAR <= int(words) <= LAST_YEAR:
            continue
        value = _first_period(span.text) if kind == "first" else _resolved(parser, words, kind, published)
        if value is not None:
            found.append(TimeMention(char_span(doc, span.start, span.end), words, value))
    return found


def _resolved(parser: DateDataParser, words: str, kind: str, published: dt.date) -> dict[str, str | int] | None:
    data = parser.get_date_data(words)
    if data.date_obj is None:
        return None
    day = data.date_obj.date()
    value: dict[str, str | int]
    if data.period == "week":
        monday = day - dt.timedelta(days=day.weekday())
        value = {"start": monday.isoformat(), "end": (monday + dt.timedelta(days=6)).isoformat()}
    elif data.period == "year":
        value = {"value": day.year}
    elif data.period == "month":
        value = {"value": f"{day.year:04d}-{day.month:02d}"}
    else:
        value = {"value": day.isoformat()}
    if kind == "relative":
        value["basis"] = f"relative to the publication date {published.isoformat()} (dateparser)"
    elif kind == "day":
        value["basis"] = f"the last such day up to the publication date {published.isoformat()} (dateparser)"
    return value


def _first_period(words: str) -> dict[str, str | int] | None:
    """'the first seven weeks of 2025': from 1 January for that many days, weeks or months."""
    parts = words.lower().split()
    year = int(parts[-1])
    count_word = parts[2] if len(parts) == 6 else "one"
    count = int(count_word) if count_word.isdigit() else _NUMBERS.get(count_word, 1)
    unit = parts[-3].rstrip("s")
    start = dt.date(year, 1, 1)
    if unit == "month":
        month = min(count, 12)
        end = dt.date(year, month, calendar.monthrange(year, month)[1])
    else:
        end = start + dt.timedelta(days=_DAYS[unit] * count - 1)
    return {"start": start.isoformat(), "end": end.isoformat(), "basis": f"{count} {unit}(s) counted from 1 January {year}"}
