"""A source's text: its sentences, and where a quote lies in it (Web Annotation selectors)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sanctiongraph.errors import shown

CONTEXT = 32  # characters of prefix and suffix kept in a TextQuoteSelector
_BOUNDARY = re.compile(r"[.!?…]")
_OPENING = "“"
_CLOSING = "”"


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
            raise ValueError(f"quote not found in the text: {shown(quote)}")
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
