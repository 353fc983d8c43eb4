"""A draft statement: what the assistant found, in the annotation format, with the words of the text behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctiongraph.builder.source_text import Span

DRAFT_KEY = "draft"  # the marker: a statement carrying it is a draft until a reviewer removes the line


@dataclass
class Draft:
    """One draft statement: its type, fields keyed by ontology property, evidence spans, and the marker's text
    (what found it and what is left to the reviewer)."""

    kind: str  # figure, time, claim, content, sanction, trade, cause: what found it
    type: str  # a statement class of the ontology, or Claim
    fields: dict[str, Any]
    evidence: list[Span]
    note: str
    id: str = ""  # given by the writer
    refers: list[Draft] = field(default_factory=list)  # drafts this one names in its fields (a claim's content)
