"""Figures with their units and what they count ("591 workers", "21 percent", "about 30 towns", "hundreds of
miners"), read by quantulum3, with approximate values and lower bounds where the text is vague."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.matcher import Matcher
from spacy.tokens import Doc

from sanctiongraph.annotate.language import char_span, english
from sanctiongraph.builder.source_text import Sentence, Span

with warnings.catch_warnings():  # quantulum3 says its optional classifier (scikit-learn) is not installed: not used
    warnings.simplefilter("ignore")
    from quantulum3 import parser as quantities

UNITS = {"dimensionless": "count", "percentage": "percent"}  # quantulum3's unit names -> the unit vocabulary
_VAGUE = {"dozens": 24, "scores": 40, "hundreds": 200, "thousands": 2000, "millions": 2_000_000, "billions": 2_000_000_000}
_APPROXIMATE = {"about", "around", "nearly", "almost", "roughly", "approximately", "some", "up to", "over",
                "more than", "at least", "less than", "fewer than", "under", "close to"}
_DECREASE = {"shrinking", "shrank", "shrunk", "fell", "falling", "fall", "dropped", "drop", "declined", "decline",
             "down", "slumped", "slump", "lost", "decreased", "decrease", "cut"}
_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))\s+"
                      r"(\w+est|largest|place)\b", re.IGNORECASE)
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
_COUNTED = re.compile(r"(?:\s+of)?\s+([A-Za-z][\w’'-]*)")
_NUMERAL = re.compile(r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
                      r"hundred|thousand|million|billion|dozen)", re.IGNORECASE)
APPROXIMATE_WINDOW = 16  # characters before a figure in which "about", "more than" are looked for
DECREASE_WINDOW = 6  # tokens before a figure in which a word of decrease makes a change negative


@dataclass(frozen=True)
class Figure:
    span: Span
    as_written: str
    fields: dict[str, Any]  # value or lowerBound, unit, approximate, valueAsWritten
    unit_found: str  # the unit quantulum3 read, for the reviewer when it is not in the vocabulary


@lru_cache(maxsize=1)
def _vague_matcher() -> Matcher:
    matcher = Matcher(english().vocab)
    matcher.add("vague", [[{"LOWER": {"IN": list(_VAGUE)}}, {"LOWER": "of"}, {"LOWER": {"IN": list(_VAGUE)}}],
                          [{"LOWER": {"IN": list(_VAGUE)}}]], greedy="LONGEST")
    return matcher


def find_figures(doc: Doc, sentences: list[Sentence], units: set[str], skip: list[Span]) -> list[Figure]:
    """The figures of each sentence, leaving out those inside the spans to skip (the time expressions)."""
    text = doc.text
    found: list[Figure] = []
    for sentence in sentences:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = quantities.parse(sentence.text)
        for quantity in parsed:
            start, end = (sentence.span.start + quantity.span[0], sentence.span.start + quantity.span[1])
            if (any(s.start <= start < s.end for s in skip) or _ORDINAL.match(text, start)
                    or not _NUMERAL.search(quantity.surface)):
                continue
            unit = UNITS.get(quantity.unit.name, quantity.unit.name)
            value: float = quantity.value
            if unit == "percent" and _decreasing(doc, start):
                value = -value
            found.append(_figure(text, Span(start, end), {"value": _number(value)}, unit, units))
        for match in _ORDINAL.finditer(sentence.text):
            span = Span(sentence.span.start + match.start(), sentence.span.start + match.end())
            rank = _ORDINALS.index(match[1].lower()) + 1 if match[1].lower() in _ORDINALS else int(match[1][:-2])
            found.append(Figure(span, match[0], {"value": rank, "unit": "rank", "valueAsWritten": match[0]}, "rank"))
    for _, start, end in _vague_matcher()(doc):
        words = [t.lower_ for t in doc[start:end] if t.lower_ != "of"]
        bound = _VAGUE[words[0]] * (_VAGUE[words[-1]] // 2 if len(words) > 1 else 1)
        found.append(_figure(text, char_span(doc, start, end), {"lowerBound": bound}, "count", units))
    return sorted(found, key=lambda f: f.span.start)


def _figure(text: str, span: Span, fields: dict[str, Any], unit: str, units: set[str]) -> Figure:
    start, end = span.start, span.end
    window = max(0, start - APPROXIMATE_WINDOW)
    before = text[window:start].lower().split()
    for words in (before[-2:], before[-1:]):
        if " ".join(words) in _APPROXIMATE:
            start = window + text[window:start].lower().rfind(words[0])
            fields["approximate"] = True
            break
    counted = _COUNTED.match(text, end)
    if counted and counted[1].lower() not in STOP_WORDS and unit == "count":
        end = counted.end()
    if "lowerBound" in fields:
        fields["approximate"] = True
    if unit in units:
        fields["unit"] = unit
    fields["valueAsWritten"] = text[start:end]
    return Figure(Span(start, end), text[start:end], dict(sorted(fields.items())), unit)


def _decreasing(doc: Doc, start: int) -> bool:
    token = next((t.i for t in doc if t.idx >= start), len(doc))
    return any(t.lower_ in _DECREASE for t in doc[max(0, token - DECREASE_WINDOW):token])


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
