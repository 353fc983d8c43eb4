"""The sentences of a text, by pysbd's rule-based segmenter, with their character offsets."""

from __future__ import annotations

import pysbd

from sanctiongraph.builder.source_text import Sentence, Span


def sentences(content: str) -> list[Sentence]:
    """Each line is a paragraph; pysbd splits each into sentences (offsets into the whole text, surrounding
    white space left out)."""
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    found: list[Sentence] = []
    offset = 0
    for line in content.split("\n"):
        if line.strip():
            for piece in segmenter.segment(line):
                text = piece.sent.strip()
                if text:
                    start = offset + piece.start + (len(piece.sent) - len(piece.sent.lstrip()))
                    found.append(Sentence(len(found) + 1, Span(start, start + len(text)), text))
        offset += len(line) + 1
    return found
