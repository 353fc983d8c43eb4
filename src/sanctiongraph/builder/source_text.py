"""A source's text: its sentences, and where a quote lies in it (Web Annotation selectors)."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import fuzz

from sanctiongraph.errors import shown

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector
_BOUNDARY = re.compile(r"[.!?…]")
_OPENING = "“"
_CLOSING = "”"
_NEAREST_SCORE = 60  # rapidfuzz's partial_ratio under which no passage of a text is near a quote
_STRAIGHT = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})
_HYPHEN = str.maketrans({c: "-" for c in "‐‑‒–—―−"})
_SPACE = re.compile(r"\s+")
# The ways a quote typed or pasted differs from its text, each with what makes them alike.
KINDS_OF_DIFFERENCE: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("curly against straight quotes", lambda t: t.translate(_STRAIGHT)),
    ("dashes", lambda t: t.translate(_HYPHEN)),
    ("spaces", lambda t: _SPACE.sub(" ", t)),
    ("case", str.casefold),
)


@dataclass(frozen=True)
class Span:
    """A range of characters (Unicode code points, 0-based, end exclusive) of a text."""

    start: int
    end: int


@dataclass(frozen=True)
class Sentence:
    index: int  # 1-based
    span: Span
    text: str


@dataclass(frozen=True)
class Quote:
    """A located quote: the selectors a Web Annotation needs."""

    exact: str
    prefix: str
    suffix: str
    span: Span


class SourceText:
    """The text of one source, split into sentences, in which quotes are looked up."""

    def __init__(self, content: str) -> None:
        self.content = content
        self.digest = "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()
        self.sentences = _split(content)

    def occurrences(self, quote: str) -> list[int]:
        starts, position = [], self.content.find(quote)
        while position != -1:
            starts.append(position)
            position = self.content.find(quote, position + 1)
        return starts

    def locate(self, quote: str, occurrence: int | None = None) -> Quote:
        """Find a quote; raise ValueError (with the reason) when it is absent or ambiguous."""
        if not quote.strip():
            raise ValueError("the quote is empty")
        starts = self.occurrences(quote)
        if not starts:
            raise ValueError(f"quote not found in the text: {shown(quote)}{self.nearest(quote)}")
        if occurrence is None:
            if len(starts) > 1:
                raise ValueError(
                    f"quote occurs {len(starts)} times in the text: {shown(quote)}; "
                    "give a longer quote or say which with 'occurrence: N'"
                )
            occurrence = 1
        if not 1 <= occurrence <= len(starts):
            raise ValueError(f"occurrence {occurrence} asked, but the quote occurs {len(starts)} time(s)")
        start = starts[occurrence - 1]
        end = start + len(quote)
        return Quote(
            exact=quote,
            prefix=self.content[max(0, start - CONTEXT):start],
            suffix=self.content[end:end + CONTEXT],
            span=Span(start, end),
        )

    def nearest(self, quote: str) -> str:
        """"; nearest passage: '…' (…)" for the passage of the text closest to a quote not found in it, or "" when
        none is near: the passage equal to the quote but for KINDS_OF_DIFFERENCE, else rapidfuzz's best partial
        alignment, widened to whole words."""
        text, positions = _alike(self.content)
        key = _alike(quote)[0].strip()
        at = text.find(key) if key else -1
        if at >= 0:
            start, end = positions[at], positions[at + len(key) - 1] + 1
        else:
            found = fuzz.partial_ratio_alignment(quote, self.content, score_cutoff=_NEAREST_SCORE)
            if found is None:
                return ""
            start, end = found.dest_start, found.dest_end
            while start > 0 and not self.content[start - 1].isspace():
                start -= 1
            while end < len(self.content) and not self.content[end].isspace():
                end += 1
        passage = self.content[start:end].strip()
        return f"; nearest passage: {shown(passage)} ({difference(quote, passage)})"

    def sentences_overlapping(self, span: Span) -> list[Sentence]:
        return [s for s in self.sentences if s.span.start < span.end and span.start < s.span.end]


def _split(content: str) -> list[Sentence]:
    """Split into sentences: each line is a paragraph; inside it, split after . ! ? … (and a closing
    quotation mark) when a space and a capital or an opening quote follow, never inside “…”."""
    spans: list[Span] = []
    offset = 0
    for line in content.split("\n"):
        start, depth = None, 0
        for i, char in enumerate(line):
            if start is None:
                if char.isspace():
                    continue
                start = i
            depth += (char == _OPENING) - (char == _CLOSING)
            if depth > 0 or not _BOUNDARY.match(char):
                continue
            end = i + 1
            while end < len(line) and line[end] in _CLOSING + "\"'":
                end += 1
            rest = line[end:]
            if rest[:1] == " " and (rest[1:2].isupper() or rest[1:2] == _OPENING):
                spans.append(Span(offset + start, offset + end))
                start = None
        if start is not None:
            spans.append(Span(offset + start, offset + len(line.rstrip())))
        offset += len(line) + 1
    return [Sentence(i + 1, span, content[span.start:span.end]) for i, span in enumerate(spans)]


def _alike(text: str) -> tuple[str, list[int]]:
    """A text with every kind of KINDS_OF_DIFFERENCE undone, and the position in the text of each of its characters."""
    alike: list[str] = []
    positions: list[int] = []
    for position, char in enumerate(text):
        if char.isspace():
            if alike and alike[-1] == " ":
                continue
            char = " "
        for piece in char.translate(_STRAIGHT).translate(_HYPHEN).casefold():
            alike.append(piece)
            positions.append(position)
    return "".join(alike), positions


def difference(quote: str, passage: str) -> str:
    """How a quote differs from a passage: the kinds of KINDS_OF_DIFFERENCE that make them alike, else the first
    words that differ."""
    def alike(kinds: list[Callable[[str], str]]) -> bool:
        a, b = quote, passage
        for kind in kinds:
            a, b = kind(a), kind(b)
        return a == b

    every = [kind for _, kind in KINDS_OF_DIFFERENCE]
    if alike(every):
        needed = [name for name, kind in KINDS_OF_DIFFERENCE if not alike([k for k in every if k is not kind])]
        return "it differs in " + ", ".join(needed or [name for name, _ in KINDS_OF_DIFFERENCE])
    ours, theirs = quote.split(), passage.split()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes():
        if tag == "delete":
            return f"the quote has {shown(' '.join(ours[i1:i2]))} that the text has not"
        if tag == "insert":
            return f"the text has {shown(' '.join(theirs[j1:j2]))} that the quote has not"
        if tag == "replace":
            return f"the quote has {shown(' '.join(ours[i1:i2]))} where the text has {shown(' '.join(theirs[j1:j2]))}"
    return "it differs in spaces"
