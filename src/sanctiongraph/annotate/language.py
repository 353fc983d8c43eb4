"""spaCy's blank English pipeline: a tokenizer and rule-based matchers, no statistical model (nothing to download)."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from sanctiongraph.builder.source_text import Span


@lru_cache(maxsize=1)
def english() -> Language:
    return spacy.blank("en")


def tokens(content: str) -> Doc:
    return english()(content)


def char_span(doc: Doc, start: int, end: int) -> Span:
    """The characters of tokens start..end of doc."""
    return Span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text))
