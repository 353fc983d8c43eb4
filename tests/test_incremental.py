"""Incremental builds: a build reuses the cached contribution of every unchanged source, and its graph is byte for byte
the graph a full build of the same sources writes, after edits, additions and removals, and whatever the cache holds."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ONTOLOGY, with_fixture_sources

from sanctiongraph import corpus
from sanctiongraph.builder.builds import CACHE
from sanctiongraph.builder.cache import INPUTS
from sanctiongraph.builder.dataset import BuildReport, build
from sanctiongraph.builder.exports import EXPORTS, STEM, VOID_FILE
from sanctiongraph.errors import SanctionGraphError

FILES = [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE]


def _same_as_full_build(sources: Path, graph: Path, scratch: Path) -> BuildReport:
    """Build graph (with its cache), build the same sources from scratch, and compare every export byte for byte."""
    report = build(sources, ONTOLOGY, graph)
    full = scratch / "full"
    shutil.rmtree(full, ignore_errors=True)
    expected = build(sources, ONTOLOGY, full)
    assert expected.dataset.reused == 0
    for name in FILES:
        assert (graph / name).read_bytes() == (full / name).read_bytes(), name
    assert sorted(p.name for p in (graph / CACHE).iterdir()) == sorted(p.name for p in (full / CACHE).iterdir())
    return report


def _articles(sources: Path) -> list[Path]:
    return sorted((sources / "articles").glob("*.yaml"))


def _edit_annotation(annotation: Path, rng: random.Random) -> None:
    data = yaml.safe_load(annotation.read_text(encoding="utf-8"))
    data["title"] += f" (revised {rng.randrange(1000)})"
    annotation.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _edit_text(annotation: Path, rng: random.Random) -> None:
    text = annotation.with_suffix(".txt")
    text.write_text(text.read_text(encoding="utf-8") + f"\nA line added by the test, number {rng.randrange(1000)}.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 16 sources: the first 12 start the project, the others are added later."""
    folder = tmp_path_factory.mktemp("pool") / "sources"
    corpus.generate(folder, sources=16, seed=7, progress=False)
    return folder


def test_random_edits_additions_and_removals(pool: Path, tmp_path: Path) -> None:
    sources, spare = tmp_path / "sources", tmp_path / "spare"
    shutil.copytree(pool, sources)
    spare.mkdir()
    for annotation in _articles(sources)[12:]:
        for path in (annotation, annotation.with_suffix(".txt")):
            path.rename(spare / path.name)
    graph = tmp_path / "graph"
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == 0
    rng = random.Random(14)
    for _ in range(4):
        articles = _articles(sources)
        changed = rng.sample(articles, 2)
        _edit_annotation(changed[0], rng)
        _edit_text(changed[1], rng)
        removed = rng.choice([a for a in articles if a not in changed])
        removed.unlink()
        removed.with_suffix(".txt").unlink()
        added = rng.choice(sorted(spare.glob("*.yaml")))
        for path in (added, added.with_suffix(".txt")):
            path.rename(sources / "articles" / path.name)
        report = _same_as_full_build(sources, graph, tmp_path)
        assert report.dataset.reused == len(articles) - 3  # less the two changed and the removed one
        assert len(list((graph / CACHE).glob("*.source"))) == len(articles)  # the removed one dropped, the added one in
    with (sources / "entities.yaml").open("a", encoding="utf-8") as registry:
        registry.write("# an edit to the registry\n")
    report = _same_as_full_build(sources, graph, tmp_path)
    assert report.dataset.reused == 0 and report.dataset.changed_inputs == ["entities.yaml"]
    assert _same_as_full_build(sources, graph, tmp_path).dataset.changed_inputs == []


def test_a_damaged_cache_is_rebuilt_not_trusted(pool: Path, tmp_path: Path) -> None:
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    entries = sorted((graph / CACHE).glob("*.source"))
    whole = entries[0].read_bytes()
    flipped = bytearray(entries[1].read_bytes())
    flipped[-20] ^= 1
    entries[1].write_bytes(bytes(flipped))  # a flipped bit in the quads
    entries[2].write_bytes(entries[2].read_bytes()[:len(whole) // 2])  # half-written
    header, _, rest = entries[3].read_bytes().partition(b"\n")
    entries[3].write_bytes(header.replace(b'"format": 1', b'"format": 0') + b"\n" + rest)  # another format
    entries[4].write_bytes(whole)  # whole, but another source's
    entries[5].write_bytes(b"\0" * 64)
    (graph / CACHE / ".left-by-a-killed-build.tmp").write_bytes(b"partial")
    report = _same_as_full_build(pool, graph, tmp_path)
    assert report.dataset.reused == len(entries) - 5
    assert not (graph / CACHE / ".left-by-a-killed-build.tmp").exists()
    assert build(pool, ONTOLOGY, graph).dataset.reused == len(entries)  # the damaged entries written anew


def test_a_source_is_rebuilt_when_a_statement_it_refers_to_changes(tmp_path: Path) -> None:
    """The fixture sources refer to statements of the first source: changing one of those rebuilds them too."""
    sources = with_fixture_sources(tmp_path / "sources")
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    first = sources / "articles" / "newsweek-2025-03-russia-mines.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace("id: seredyuk-mines-suspended", "id: seredyuk-mines-halted"), encoding="utf-8")
    with pytest.raises(SanctionGraphError, match="fixture-kuzbass-ledger-2025-03-mines.yaml:33: reportsSameAs: the source .newsweek-2025-03-russia-mines. has no statement .seredyuk-mines-suspended."):
        build(sources, ONTOLOGY, graph)
    first.write_text(first.read_text(encoding="utf-8").replace("id: seredyuk-mines-halted", "id: seredyuk-mines-suspended"), encoding="utf-8")
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == len(list((sources / "articles").glob("*.yaml")))
    assert sorted(p.name for p in (graph / CACHE).iterdir() if not p.name.endswith(".source")) == [INPUTS]
