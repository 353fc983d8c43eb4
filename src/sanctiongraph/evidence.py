"""Evidence as the graph gives it back: the quoted words, the sentences of the source text they lie in, the source."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Evidence:
    """A quote, the sentences it lies in (in text order) and the document it is quoted from (its IRI)."""

    quote: str
    sentences: tuple[str, ...]
    source: str
