"""Benchmark of the annotation assistant: its drafts against human annotations, the sentence splitters it could use,
and its speed.

Runs the assistant (sanctiongraph.annotate.assistant.find_drafts, what `sanctiongraph annotate` runs) on the first
source's text, its annotation left aside, and compares with that annotation; on the fixture sources of the tests
(tests/fixtures/sources/, fictional outlets) against their annotations, likewise; and on the fixture text written for
the assistant's tests (tests/annotate/, a fictional outlet) against the hand-made list of its facts
(tests/annotate/expected.yaml).

    .venv/bin/python benchmarks/annotate.py            # prints the tables (Markdown)

Scores, per kind: precision (what the assistant found that the annotation has) and recall (what the annotation has
that the assistant found), on sets:
- entity references: the registry entities the annotation names (in its statements, by ID, label or alias, and as
  the publisher), against those the assistant found mentioned;
- figures: (value or lower bound, unit) of the observations;
- dates: the normalised values of every time (value, or start and end);
- claims: (claimant, sentences) where the sentences are those the claim's evidence and its content's evidence touch;
  a draft matches a human claim with the same claimant and a sentence in common.
Not a test: nothing here is asserted.
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from sanctiongraph.annotate.assistant import find_drafts
from sanctiongraph.annotate.drafts import Draft
from sanctiongraph.annotate.mentions import Mention
from sanctiongraph.annotate.times import TimeMention
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.source_text import SourceText
from sanctiongraph.builder.sources import Item, Source, load_registry, load_source
from sanctiongraph.identity import AmbiguousName, registry_names
from sanctiongraph.namespaces import SG
from sanctiongraph.project import ontology_folder

ROOT = Path(__file__).parent.parent
FIRST = ROOT / "sources" / "articles" / "newsweek-2025-03-russia-mines.yaml"
FIXTURE_SOURCES = ROOT / "tests" / "fixtures" / "sources"
FIXTURES = ROOT / "tests" / "annotate"
FIXTURE = FIXTURES / "harbour-ledger-2024-11-port-ban.txt"
TIME_KEYS = ("date", "startDate", "endDate", "referencePeriod")
RUNS = 5


def score(found: list[Any], truth: list[Any], same: Any = None) -> tuple[float, float, int, int]:
    """Precision and recall of found against truth (lists; `same(a, b)` says when two match, default ==)."""
    same = same or (lambda a, b: a == b)
    hit_found = sum(any(same(f, t) for t in truth) for f in found)
    hit_truth = sum(any(same(f, t) for f in found) for t in truth)
    return (hit_found / len(found) if found else 0.0, hit_truth / len(truth) if truth else 0.0, len(found), len(truth))


def normalised(value: Any) -> str:
    if isinstance(value, dict):
        return str(value["value"]) if "value" in value else f"{value['start']}/{value['end']}"
    return str(value)


def assistant_facts(drafts: list[Draft], mentions: list[Mention], times: list[TimeMention],
                    text: SourceText) -> dict[str, list[Any]]:
    def sentences(draft: Draft) -> set[int]:
        spans = [*draft.evidence, *(s for d in draft.refers for s in d.evidence)]
        return {s.index for span in spans for s in text.sentences_overlapping(span)}

    return {
        "entity references": sorted({m.entity for m in mentions if m.entity}),
        "figures": [(d.fields.get("value", d.fields.get("lowerBound")), d.fields.get("unit"))
                    for d in drafts if d.type == "Observation"],
        "dates": sorted({normalised(t.value) for t in times}),
        "claims with the right speaker": [(d.fields.get("claimant"), sentences(d)) for d in drafts if d.type == "Claim"],
    }


def human_facts(source: Source, registry: dict[str, Item]) -> dict[str, list[Any]]:
    statements, text, names = source.statements, source.text, registry_names(registry)
    by_id = {s.id: s for s in statements}

    def entity(value: Any) -> str | None:
        try:
            return names.resolve(value) if isinstance(value, str) else None
        except AmbiguousName:
            return None

    def named(value: Any) -> set[str]:
        values = value if isinstance(value, list) else [value]
        return {e for v in values if (e := entity(v)) is not None}

    def sentences(item: Item) -> set[int]:
        content = item.fields.get("claimContent", [])
        parts = [item, *(by_id[c] for c in (content if isinstance(content, list) else [content]))]
        return {s.index for part in parts for q in part.evidence for s in text.sentences_overlapping(q.span)}

    return {
        "entity references": sorted({e for s in statements for v in s.fields.values() for e in named(v)}
                                    | named(source.publisher)),
        "figures": [(s.fields.get("value", s.fields.get("lowerBound")), s.fields.get("unit"))
                    for s in statements if s.cls == SG + "Observation"],
        "dates": sorted({normalised(s.fields[k]) for s in statements for k in TIME_KEYS
                         if k in s.fields and isinstance(s.fields[k], dict)}),
        "claims with the right speaker": [(entity(s.fields["claimant"]), sentences(s)) for s in statements
                                          if s.cls == SG + "Claim"],
    }


def expected_facts(path: Path, text: SourceText) -> dict[str, list[Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        "entity references": sorted(data["entities"]),
        "figures": [tuple(f) for f in data["figures"]],
        "dates": sorted({normalised(d) for d in data["dates"]}),
        "claims with the right speaker": [(c[0], {c[1]}) for c in data["claims"]],
    }


def same_claim(a: tuple[str | None, set[int]], b: tuple[str | None, set[int]]) -> bool:
    return a[0] == b[0] and bool(a[1] & b[1])


def run(text: SourceText, published: dt.date, registry: dict[str, Item],
        ontology: Ontology) -> tuple[dict[str, list[Any]], float]:
    find_drafts(text, published, registry, ontology)  # loads the libraries' tables once
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        result = find_drafts(text, published, registry, ontology)
        times.append(time.perf_counter() - start)
    return assistant_facts(*result, text), statistics.median(times)


def table(title: str, found: dict[str, list[Any]], truth: dict[str, list[Any]], seconds: float) -> str:
    rows = [f"**{title}** ({1 / seconds:.1f} articles/s, median of {RUNS} runs)", "",
            "| kind | precision | recall | found | in the annotation |", "| --- | --- | --- | --- | --- |"]
    for kind in truth:
        precision, recall, n_found, n_truth = score(found[kind], truth[kind],
                                                     same_claim if kind.startswith("claims") else None)
        shown = ("–", "–") if not n_found and not n_truth else (f"{precision:.2f}", f"{recall:.2f}")
        rows.append(f"| {kind} | {shown[0]} | {shown[1]} | {n_found} | {n_truth} |")
    return "\n".join(rows) + "\n"


def splitters(texts: list[str]) -> str:
    """pysbd and spaCy's sentencizer against the builder's sentences (the ones statements are anchored to)."""
    import pysbd
    import spacy

    sentencizer = spacy.blank("en")
    sentencizer.add_pipe("sentencizer")
    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def ends_pysbd(content: str) -> set[int]:
        ends, offset = set(), 0
        for line in content.split("\n"):
            ends.update(offset + p.start + len(p.sent.rstrip()) for p in segmenter.segment(line) if p.sent.strip())
            offset += len(line) + 1
        return ends

    def ends_spacy(content: str) -> set[int]:
        ends, offset = set(), 0
        for line in content.split("\n"):
            ends.update(offset + s.end_char for s in sentencizer(line).sents if s.text.strip())
            offset += len(line) + 1
        return ends

    rows = ["| splitter | boundaries agreeing with the builder's (precision / recall) | ms per article |",
            "| --- | --- | --- |"]
    for name, split in (("pysbd 0.3.4", ends_pysbd), ("spaCy sentencizer (blank en)", ends_spacy)):
        found = truth = hits = 0
        start = time.perf_counter()
        for content in texts:
            ends = split(content)
            reference = {s.span.end for s in SourceText(content).sentences}
            found, truth, hits = found + len(ends), truth + len(reference), hits + len(ends & reference)
        elapsed = (time.perf_counter() - start) / len(texts) * 1000
        rows.append(f"| {name} | {hits / found:.2f} / {hits / truth:.2f} | {elapsed:.1f} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    ontology = Ontology.load(ontology_folder())
    registry = load_registry(ROOT / "sources", ontology)
    source = load_source(FIRST, ROOT / "sources", ontology)
    start = time.perf_counter()
    first_found, first_seconds = run(source.text, dt.date(2025, 3, 3), registry, ontology)
    cold = time.perf_counter() - start
    annotate_registry = {**registry, **load_registry(FIXTURES, ontology)}
    fixture_text = SourceText(FIXTURE.read_text(encoding="utf-8"))
    fixture_found, fixture_seconds = run(fixture_text, dt.date(2024, 11, 4), annotate_registry, ontology)
    print(f"Machine: {platform.machine()}, Python {platform.python_version()}, {sys.platform}; "
          f"first call (loading spaCy, dateparser, quantulum3 tables) plus {RUNS} runs: {cold:.1f} s\n")
    print(table("The first source (Newsweek), against its human annotation", first_found,
                human_facts(source, registry), first_seconds))
    fixture_registry = {**registry, **load_registry(FIXTURE_SOURCES, ontology)}
    for path in sorted((FIXTURE_SOURCES / "articles").glob("*.yaml")):
        fixture = load_source(path, FIXTURE_SOURCES, ontology)
        found, seconds = run(fixture.text, fixture.published.earliest, fixture_registry, ontology)
        print(table(f"The fixture source {fixture.id} (a fictional outlet), against its annotation", found,
                    human_facts(fixture, fixture_registry), seconds))
    print(table("The fixture text (a fictional outlet), against tests/annotate/expected.yaml", fixture_found,
                expected_facts(FIXTURES / "expected.yaml", fixture_text), fixture_seconds))
    print(splitters([source.text.content, fixture_text.content]))


if __name__ == "__main__":
    main()
