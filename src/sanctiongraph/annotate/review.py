"""The review page: the text with mentions and drafts highlighted, each draft with its YAML and its line in the
draft file; offline (inlined, no network) and escaped, like the views."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sanctiongraph.annotate.assistant import Annotation
from sanctiongraph.annotate.writer import dump, statement
from sanctiongraph.files import write_atomically
from sanctiongraph.markup import templates

BADGE = "▸"  # stands for a draft's evidence that holds marked mentions


@dataclass(frozen=True)
class Piece:
    text: str
    kind: str  # "" for plain text; mention, candidate, evidence
    title: str
    draft: str


def page(found: Annotation) -> str:
    """The review page of an annotation, as HTML."""
    content = found.text.content
    marks: list[tuple[int, int, str, str, str]] = []  # start, end, kind, title, draft id
    for mention in found.mentions:
        kind = "candidate" if mention.entity is None else "mention"
        title = f"not in the registry ({mention.type}?)" if mention.entity is None else f"{mention.entity} ({mention.how})"
        marks.append((mention.span.start, mention.span.end, kind, title, ""))
    for draft in found.drafts:
        for span in draft.evidence:
            inside = any(span.start <= m.span.start and m.span.end <= span.end for m in found.mentions)
            # evidence around mentions is shown by a badge where it starts, so that the mentions stay marked
            marks.append((span.start, span.start if inside else span.end, "evidence", f"{draft.id}: {draft.note}", draft.id))
    paragraphs: list[list[Piece]] = [[]]
    position = 0
    for start, end, kind, title, draft_id in sorted(marks, key=lambda m: (m[0], m[1] - m[0])):
        if start < position:  # inside a mark already placed
            continue
        _plain(content[position:start], paragraphs)
        paragraphs[-1].append(Piece(content[start:end], kind, title, draft_id) if end > start
                              else Piece(BADGE, f"{kind} badge", title, draft_id))
        position = end
    _plain(content[position:], paragraphs)
    drafts = [{"id": d.id, "type": d.type, "line": found.lines.get(d.id, 0), "yaml": dump([statement(d, found.text)])}
              for d in found.drafts]
    title = content.strip().splitlines()[0]
    environment = templates(Path(__file__).parent / "templates")
    return environment.get_template("review.html").render(
        title=title, paragraphs=[p for p in paragraphs if p], drafts=sorted(drafts, key=lambda d: d["line"]),
        output=found.output.name, data={"title": title, "drafts": len(drafts)})


def write_page(found: Annotation) -> Path:
    path = found.output.with_suffix(".html")
    write_atomically(path, page(found).encode("utf-8"))
    return path


def _plain(text: str, paragraphs: list[list[Piece]]) -> None:
    for i, line in enumerate(text.split("\n")):
        if i:
            paragraphs.append([])
        if line:
            paragraphs[-1].append(Piece(line, "", "", ""))
