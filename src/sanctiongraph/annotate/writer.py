"""The draft annotation as YAML text: the source's metadata, then the statements sentence by sentence, every draft
marked and its evidence quoted so that it verifies against the text (with `occurrence` where words repeat)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from sanctiongraph.annotate.drafts import DRAFT_KEY, Draft
from sanctiongraph.builder.source_text import SourceText
from sanctiongraph.builder.sources import Item
from sanctiongraph.errors import clipped

HEADING = 60  # characters of a sentence shown in the comment above its drafts
INDENT = "  "
HEADING_MARK = "# --- sentence"  # opens the comment above the drafts of a sentence
ID_WORDS = 4  # words of the evidence in a draft's id


@dataclass(frozen=True)
class Written:
    text: str
    lines: dict[str, int]  # draft id -> the line of its "- id:" (1-based)


def name_drafts(drafts: list[Draft], text: SourceText, taken: set[str]) -> None:
    """Give each draft an id from its kind and the first words of its evidence, unique in the source."""
    used = set(taken)
    for draft in drafts:
        quoted = text.content[draft.evidence[0].start:draft.evidence[0].end] if draft.evidence else ""
        words = re.sub(r"[^a-z0-9]+", "-", quoted.lower()).strip("-").split("-")[:ID_WORDS]
        base = "-".join([draft.kind, *[w for w in words if w]]) or draft.kind
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        draft.id = candidate


def statement(draft: Draft, text: SourceText) -> dict[str, Any]:
    """A draft as the annotation format writes a statement."""
    fields = {k: v for k, v in draft.fields.items() if v not in (None, [], "")}
    if draft.refers:
        fields["claimContent"] = [d.id for d in draft.refers] if len(draft.refers) > 1 else draft.refers[0].id
    return {"id": draft.id, "type": draft.type, DRAFT_KEY: draft.note, **fields, "evidence": evidence(draft, text)}


def evidence(draft: Draft, text: SourceText) -> Any:
    quotes: list[Any] = []
    for span in draft.evidence:
        quote = text.content[span.start:span.end]
        starts = text.occurrences(quote)
        entry: Any = quote if len(starts) == 1 else {"quote": quote, "occurrence": starts.index(span.start) + 1}
        text.locate(quote, None if isinstance(entry, str) else entry["occurrence"])  # it verifies, or this raises
        quotes.append(entry)
    return quotes[0] if len(quotes) == 1 else quotes


def dump(value: Any, indent: str = "") -> str:
    block = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)
    return "".join(indent + line if line.strip() else line for line in block.splitlines(keepends=True))


def statements_text(drafts: list[Draft], text: SourceText, first_line: int, indent: str = INDENT) -> Written:
    """The drafts as items of the statements list, grouped under a comment per sentence; first_line is the line
    the text will start at in its file."""
    out: list[str] = []
    lines: dict[str, int] = {}
    heading = None
    for draft in sorted(drafts, key=lambda d: (d.evidence[0].start if d.evidence else 0)):
        sentence = next(iter(text.sentences_overlapping(draft.evidence[0])), None) if draft.evidence else None
        if sentence is not None and sentence.index != heading:
            heading = sentence.index
            out.append(f"\n{indent}{HEADING_MARK} {sentence.index}: {clipped(sentence.text, HEADING)}\n")
        lines[draft.id] = first_line + sum(chunk.count("\n") for chunk in out) + 1
        out.append("\n" + dump([statement(draft, text)], indent))
    return Written("".join(out), lines)


def annotation_text(metadata: dict[str, Any], drafts: list[Draft], text: SourceText, header: str) -> Written:
    """A whole draft annotation: the header comments, the metadata, and the statements."""
    return appended(header + dump(metadata) + "\nstatements:\n", drafts, text)


def appended(head: str, drafts: list[Draft], text: SourceText, indent: str = INDENT) -> Written:
    """The text of an annotation whose statements come last, with the drafts appended to them."""
    head = head.rstrip("\n") + "\n"
    written = statements_text(drafts, text, head.count("\n") + 1, indent)
    return Written(head + written.text, written.lines)


def statement_indent(lines: list[str], statements: list[Item]) -> str:
    """The indent of the first of a file's statements, as its lines hold them (the writer's own for none)."""
    first = lines[int(statements[0].where.rsplit(":", 1)[1]) - 1] if statements else INDENT + "- "
    return first[: len(first) - len(first.lstrip())]
