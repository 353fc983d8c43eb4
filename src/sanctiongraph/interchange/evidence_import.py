"""Web Annotations read back as evidence for one source, merged into its annotation file as draft statements.

Each annotation whose target is the source's document names a statement (a body whose `id` is the statement's IRI)
and a quote (its selectors). The quote must lie in the source's text: the position selector where it selects the
exact words, else the occurrence of the exact words that prefix and suffix pick out. Then, statement by statement:

- a statement of the file that already quotes these words: nothing to do;
- a statement of the file that lacks some of the quotes: a draft `<id>-imported` with those quotes, for the
  reviewer to move into the statement's evidence;
- a statement new to the file: a draft with the statement's ID, class (`sg:Listing` in the body) and summary (the
  TextualBody), for the reviewer to complete with what the quote says.

The drafts are appended to the file's statements (its last key), marked `draft:` so that a build refuses them until
they are reviewed. Any annotation that is wrong (no statement, a quote not in the text, an unknown class) stops the
import with one line naming it, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctiongraph.annotate.drafts import Draft
from sanctiongraph.annotate.writer import appended, statement_indent
from sanctiongraph.builder.dataset import source_iri
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.source_text import SourceText, Span
from sanctiongraph.builder.sources import Item, load_source, source_files
from sanctiongraph.builder.yamlfile import load_yaml
from sanctiongraph.errors import SanctionGraphError, shown
from sanctiongraph.interchange.web_annotation import POSITION, QUOTE, as_list, read_annotations
from sanctiongraph.namespaces import SG, sg


@dataclass
class Imported:
    """What an import found and would write (`content` None: nothing new)."""

    output: Path
    content: str | None
    drafts: list[Draft]
    unchanged: int  # quotes already evidence of their statement
    elsewhere: int  # annotations of other sources, left alone


@dataclass
class _Statement:
    id: str
    type: str | None
    summary: str | None
    spans: list[Span] = field(default_factory=list)


def import_annotations(path: Path, source_id: str, sources: Path, ontology_folder: Path) -> Imported:
    """The source's annotation file with the annotations' evidence merged in as drafts; raises on any bad annotation."""
    ontology = Ontology.load(ontology_folder, sources)
    output = _annotation_file(source_id, sources)
    data = load_yaml(output, sources, output.name)
    if not isinstance(data, dict) or list(data)[-1] != "statements":
        raise SanctionGraphError(f"{output}: to take imported statements, its 'statements' must be its last key")
    source = load_source(output, sources, ontology)
    document = source_iri(source_id)
    found: dict[str, _Statement] = {}
    elsewhere = 0
    for number, annotation in enumerate(read_annotations(path), 1):
        where = f"{path}: annotation {number}" + (f" ({annotation['id']})" if isinstance(annotation.get("id"), str) else "")
        target = annotation.get("target")
        if not isinstance(target, dict) or not isinstance(target.get("source"), str):
            raise SanctionGraphError(f"{where}: its target must be an object with a source and selectors, not {shown(target)}")
        if target["source"] != document:
            elsewhere += 1
            continue
        statement = _statement(annotation, document, where)
        span = _span(target, source.text, where)
        entry = found.setdefault(statement.id, statement)
        entry.type, entry.summary = entry.type or statement.type, entry.summary or statement.summary
        if span not in entry.spans:
            entry.spans.append(span)
    if not found:
        raise SanctionGraphError(f"{path}: no annotation targets source {source_id!r} ({document}); {elsewhere} target other sources")
    drafts, unchanged = _drafts(found, {item.id: item for item in source.statements}, ontology, path.name)
    content = _appended(output, source.statements, drafts, source.text) if drafts else None
    return Imported(output, content, drafts, unchanged, elsewhere)


def _annotation_file(source_id: str, sources: Path) -> Path:
    files = source_files(sources)
    for candidate in files:
        data = load_yaml(candidate, sources, candidate.relative_to(sources).as_posix())
        if isinstance(data, dict) and data.get("id") == source_id:
            return candidate
    known = sorted(str(d.get("id")) for d in (load_yaml(f, sources, f.name) for f in files) if isinstance(d, dict))
    raise SanctionGraphError(f"no source {source_id!r} in {sources}; sources: {', '.join(known) or 'none'}")


def _statement(annotation: dict[str, Any], document: str, where: str) -> _Statement:
    """The statement an annotation's body names, with its class and summary where the body gives them."""
    bodies = [b for b in as_list(annotation.get("body")) if isinstance(b, dict)]
    named = [b for b in bodies if isinstance(b.get("id"), str) and b["id"].startswith(document + "/")]
    if len(named) != 1:
        raise SanctionGraphError(f"{where}: its body must name one statement of the source by its IRI "
                                 f"({document}/<statement ID>), not {len(named)}")
    local = named[0]["id"].removeprefix(document + "/")
    kind = named[0].get("type")
    cls = kind.removeprefix("sg:").removeprefix(SG) if isinstance(kind, str) else None
    summary = next((b["value"] for b in bodies if b.get("type") == "TextualBody" and isinstance(b.get("value"), str)), None)
    return _Statement(local, cls, summary)


def _span(target: dict[str, Any], text: SourceText, where: str) -> Span:
    """The span of the text the target selects: checked against the text, never taken on trust."""
    selectors = {s.get("type"): s for s in as_list(target.get("selector")) if isinstance(s, dict)}
    quote, position = selectors.get(QUOTE), selectors.get(POSITION)
    exact = quote.get("exact") if quote else None
    if not isinstance(exact, str) or not exact:
        raise SanctionGraphError(f"{where}: it needs a {QUOTE} with the exact words")
    if position and isinstance(position.get("start"), int) and text.content[position["start"]:position["start"] + len(exact)] == exact:
        return Span(position["start"], position["start"] + len(exact))
    starts = text.occurrences(exact)
    prefix, suffix = (str(quote.get(k, "")) for k in ("prefix", "suffix")) if quote else ("", "")
    fitting = [s for s in starts if text.content[:s].endswith(prefix) and text.content[s + len(exact):].startswith(suffix)]
    if not fitting:
        raise SanctionGraphError(f"{where}: the quote is not in the text of the source: {shown(exact)}")
    return Span(fitting[0], fitting[0] + len(exact))


def _drafts(found: dict[str, _Statement], existing: dict[str, Item], ontology: Ontology, name: str) -> tuple[list[Draft], int]:
    allowed = set(ontology.subclasses(sg.Statement)) - {"Statement"} | {"Claim"}
    taken, drafts, unchanged = set(existing), [], 0
    for statement in found.values():
        item = existing.get(statement.id)
        quoted = {quote.span for quote in item.evidence} if item else set()
        new = sorted((span for span in statement.spans if span not in quoted), key=lambda s: (s.start, s.end))
        unchanged += len(statement.spans) - len(new)
        if not new:
            continue
        if item is not None:
            draft = Draft("imported", item.cls.removeprefix(SG), {"summary": item.fields.get("summary")}, new,
                          f"evidence for {statement.id!r} imported from {name}: move these quotes into its evidence, "
                          "then delete this statement")
            draft.id = _unique(f"{statement.id}-imported", taken)
        else:
            if statement.type not in allowed:
                raise SanctionGraphError(f"{name}: statement {statement.id!r} is new to the source and its body's type "
                                         f"{shown(statement.type)} is no statement class; allowed: sg:{', sg:'.join(sorted(allowed))}")
            draft = Draft("imported", statement.type, {"summary": statement.summary}, new,
                          f"imported from {name}: add what the quotes say (the fields of a {statement.type})")
            draft.id = _unique(statement.id, taken)
        taken.add(draft.id)
        drafts.append(draft)
    return drafts, unchanged


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _appended(output: Path, statements: list[Item], drafts: list[Draft], text: SourceText) -> str:
    """The file's text with the drafts appended to its statements, indented as its first statement."""
    lines = output.read_text(encoding="utf-8").splitlines(keepends=True)
    return appended("".join(lines), drafts, text, statement_indent(lines, statements)).text
