"""Annotating one article: check the inputs, find what the text says, turn the findings into drafts, and write the
draft annotation (merged into an existing annotation of the same source, keeping its reviewed statements)."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sanctiongraph.annotate.claims import find_claims
from sanctiongraph.annotate.cues import find_cues
from sanctiongraph.annotate.drafts import Draft
from sanctiongraph.annotate.figures import find_figures
from sanctiongraph.annotate.language import tokens
from sanctiongraph.annotate.mentions import Mention, find_mentions
from sanctiongraph.annotate.sentences import sentences
from sanctiongraph.annotate.times import TimeMention, find_times
from sanctiongraph.annotate.vocabulary import vocabulary
from sanctiongraph.annotate.writer import HEADING_MARK, Written, annotation_text, appended, name_drafts, statement_indent
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.source_text import SourceText, Span
from sanctiongraph.builder.sources import Item, load_registry, load_source
from sanctiongraph.builder.yamlfile import load_yaml
from sanctiongraph.errors import SourceError, UsageError, shown
from sanctiongraph.namespaces import SG, sg

ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # as the builder checks it
MAX_TEXT = 16 * 1024 * 1024  # bytes, as the builder reads a source text


@dataclass(frozen=True)
class Request:
    text: Path
    id: str
    publisher: str
    published: str
    title: str | None
    output: Path | None
    force: bool


@dataclass
class Annotation:
    """What the assistant found and wrote."""

    output: Path
    content: str  # the YAML text
    text: SourceText
    drafts: list[Draft]
    mentions: list[Mention]
    times: list[TimeMention]
    lines: dict[str, int]
    kept: int  # reviewed statements kept from an existing annotation


def read_text(path: Path) -> str:
    """The article's text: a regular UTF-8 file, not empty, not binary."""
    try:
        if not path.is_file():
            raise SourceError(str(path), "the text must be a regular file")
        if path.stat().st_size > MAX_TEXT:
            raise SourceError(str(path), f"the text is larger than {MAX_TEXT} bytes")
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(str(path), f"cannot read the text: {error.strerror}") from None
    if b"\0" in data:
        raise SourceError(str(path), "the text is binary (it holds NUL bytes); give a UTF-8 text file")
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(str(path), f"the text is not UTF-8 ({error.reason} at byte {error.start}); convert it first") from None
    if not content.strip():
        raise SourceError(str(path), "the text is empty")
    return content


def publication_date(value: str) -> dt.date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            return dt.date.fromisoformat(value)
    except ValueError:
        pass
    raise UsageError(f"--published must be a date YYYY-MM-DD, not {shown(value)}")


def annotate(request: Request, sources_folder: Path, ontology_folder: Path) -> Annotation:
    """Draft an annotation of request.text; raise before anything is written when an input is wrong."""
    if not ID.fullmatch(request.id):
        raise UsageError(f"--id {shown(request.id)} is not a source ID: use lower-case letters, digits and hyphens")
    published = publication_date(request.published)
    content = read_text(request.text)
    ontology = Ontology.load(ontology_folder)
    registry = load_registry(sources_folder, ontology)
    publisher = registry.get(request.publisher)
    if publisher is None or not ontology.is_a(publisher.cls, sg.Organization):
        allowed = sorted(k for k, v in registry.items() if ontology.is_a(v.cls, sg.Organization))
        raise UsageError(f"unknown publisher {shown(request.publisher)}: give an organisation of the registry "
                         f"({', '.join(allowed) or 'none yet: add it to entities.yaml'})")
    output = request.output or request.text.with_suffix(".yaml")
    existing = _existing(output, request, ontology)
    text = SourceText(content)
    drafts, mentions, times = find_drafts(text, published, registry, ontology)
    kept = [] if existing is None else [item for item in existing if item.draft is None]
    drafts = [d for d in drafts if not _covered(d, kept)]
    drafts = [d for d in drafts if d.type != "Proposition" or any(d in c.refers for c in drafts)]
    name_drafts(drafts, text, {item.id for item in kept})
    if existing is None:
        written = annotation_text(_metadata(request, content, output, published, registry), drafts, text,
                                  _header(mentions, request.text.name))
    else:
        written = _merged(output, existing, drafts, text)
    return Annotation(output, written.text, text, drafts, mentions, times, written.lines, len(kept))


def find_drafts(text: SourceText, published: dt.date, registry: dict[str, Item],
                ontology: Ontology) -> tuple[list[Draft], list[Mention], list[TimeMention]]:
    """Everything the assistant finds in a text, as drafts (with the mentions and times behind them)."""
    doc = tokens(text.content)
    split = sentences(text.content)
    mentions = find_mentions(doc, registry)
    times = find_times(doc, published)
    units = set(vocabulary(ontology, "unit"))
    modalities = set(vocabulary(ontology, "modality"))
    drafts: list[Draft] = []
    used_times: list[TimeMention] = []
    for figure in find_figures(doc, split, units, [t.span for t in times]):
        fields = dict(figure.fields)
        evidence = figure.span
        period = next((t for t in times if figure.span.end <= t.span.start <= figure.span.end + 40
                       and not text.content[figure.span.end:t.span.start].count(".")), None)
        if period is not None:
            fields["referencePeriod"] = {"as_written": period.as_written, **period.value}
            evidence = Span(figure.span.start, period.span.end)
            used_times.append(period)
        missing = "choose an indicator" + ("" if "unit" in fields else f" and a unit (read: {figure.unit_found})")
        drafts.append(Draft("figure", "Observation", fields, [evidence], f"figure {figure.as_written!r}: {missing}"))
    for time in times:
        if time not in used_times:
            sentence = text.sentences_overlapping(time.span)[0]
            drafts.append(Draft("time", "Event", {"date": {"as_written": time.as_written, **time.value}}, [sentence.span],
                                f"time {time.as_written!r}: say what happened (eventType) and who took part"))
    for speech in find_claims(doc, split, mentions):
        content = []
        if speech.content is not None:
            summary = text.content[speech.content.start:speech.content.end]
            content.append(Draft("said", "Proposition", {"summary": summary}, [speech.content],
                                 "what was said: rewrite the summary, or replace with statements of their own type"))
        said: dict[str, object] = {}
        speaker = speech.claimant
        if speaker is not None and speaker.entity is not None:
            said["claimant"] = speaker.entity
        if speech.audience is not None and speech.audience.entity is not None:
            said["audience"] = speech.audience.entity
        if speech.via:
            said["via"] = [m.entity for m in speech.via if m.entity is not None]
        if speech.modality in modalities:
            said["modality"] = speech.modality
        who = "no speaker found: name the claimant" if speaker is None else (
            f"add {speaker.text!r} to the registry as the claimant" if speaker.entity is None else "check speaker and content")
        drafts.append(Draft("claim", "Claim", said, speech.attribution, f"claim ({speech.cue!r}): {who}", refers=content))
        drafts.extend(content)
    kinds = set(vocabulary(ontology, "measure-kind"))
    for cue in find_cues(doc, split, mentions, vocabulary(ontology, "commodity"), kinds):
        drafts.append(Draft("cue", cue.type, cue.fields, [cue.sentence.span],
                            f"{cue.type} cue ({', '.join(cue.words)}): check the fields, add what the sentence says"))
    return drafts, mentions, times


def _covered(draft: Draft, reviewed: list[Item]) -> bool:
    """A draft is covered when a reviewed statement of its type quotes words it quotes."""
    return any(item.cls == SG + draft.type and any(q.span.start < e.end and e.start < q.span.end
                                                    for q in item.evidence for e in draft.evidence) for item in reviewed)


def _existing(output: Path, request: Request, ontology: Ontology) -> list[Item] | None:
    """The statements of an existing annotation of the same source (to merge into), or None to write a new file."""
    if not output.exists() or request.force:
        return None
    data = load_yaml(output, output.parent, output.name)
    if not isinstance(data, dict) or data.get("id") != request.id:
        raise SourceError(str(output), f"the file exists and is not an annotation of {request.id}; "
                          "give another -o, or --force to overwrite it")
    if list(data)[-1] != "statements":
        raise SourceError(str(output), "to merge drafts into an annotation, its 'statements' must be its last key")
    return load_source(output, output.parent, ontology).statements


def _merged(output: Path, existing: list[Item], drafts: list[Draft], text: SourceText) -> Written:
    """The existing file, its old drafts left out and the new drafts appended: reviewed statements stay as written."""
    lines = output.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [int(item.where.rsplit(":", 1)[1]) for item in existing]
    ends = [*starts[1:], len(lines) + 1]
    dropped = {n for item, start, end in zip(existing, starts, ends) if item.draft is not None for n in range(start, end)}
    for item, start in zip(existing, starts):  # and the sentence headings the writer put before old drafts
        n = start - 1
        while item.draft is not None and n >= 1 and (not lines[n - 1].strip() or lines[n - 1].lstrip().startswith(HEADING_MARK)):
            dropped.add(n)
            n -= 1
    kept = [line for n, line in enumerate(lines, 1) if n not in dropped]
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(HEADING_MARK)):  # a heading with no drafts left
        kept.pop()
    return appended("".join(kept), drafts, text, statement_indent(lines, existing))


def _metadata(request: Request, content: str, output: Path, published: dt.date,
              registry: dict[str, Item]) -> dict[str, object]:
    title = request.title or content.strip().splitlines()[0].strip()
    publisher = registry[request.publisher].labels["label"][0]
    return {
        "id": request.id,
        "text": Path(os.path.relpath(request.text.resolve(), output.resolve().parent)).as_posix(),
        "type": "NewsArticle",
        "title": title,
        "publisher": request.publisher,
        "language": "en",
        "published": {"value": published.isoformat(), "basis": "given to sanctiongraph annotate; check it"},
        "address": "unknown",
        "attribution": f"Text of the article {title!r}, published by {publisher}.",
    }


def _header(mentions: list[Mention], name: str) -> str:
    """Comments for the reviewer: the registry entities the text names, and the names that are not in the registry."""
    known: dict[str, set[str]] = {}
    new: dict[str, str] = {}
    for mention in mentions:
        if mention.entity is None:
            new.setdefault(mention.text, mention.type)
        else:
            known.setdefault(mention.entity, set()).add(mention.text)
    lines = [f"# Draft annotation of {name}, written by `sanctiongraph annotate`.",
             "# Every statement marked `draft:` is unreviewed: check it, complete it, then delete its draft line;",
             "# a build refuses drafts (`sanctiongraph build --allow-drafts` previews without them).",
             "#", "# Registry entities named in the text:"]
    lines += [f"#   {entity}: {', '.join(sorted(words))}" for entity, words in sorted(known.items())]
    lines += ["#", "# Names not in the registry (add those that matter to entities.yaml; the type is a guess):"]
    lines += [f"#   {words} ({kind})" for words, kind in sorted(new.items())]
    return "\n".join(lines) + "\n\n"
