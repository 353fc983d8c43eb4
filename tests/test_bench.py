"""Generated corpora build cleanly, and the benchmark harness runs end to end on one (no timing is asserted)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ONTOLOGY, ROOT

from sanctiongraph.builder.dataset import build
from sanctiongraph.cli import main
from sanctiongraph.corpus import generate
from sanctiongraph.namespaces import GRAPH


def test_generated_sources_build_with_every_sentence_covered(tmp_path: Path) -> None:
    info = generate(tmp_path / "sources", sources=10, seed=7, progress=False)
    report = build(tmp_path / "sources", ONTOLOGY, tmp_path / "graph")  # raises CheckError on any violation
    dataset = report.dataset
    assert (dataset.sources, dataset.statements) == (10, info.statements)
    assert sum(c.covered for c in dataset.coverage) == sum(c.story for c in dataset.coverage) > 10
    per_source = sum(1 for q in set(dataset.quads) if q.graph_name.value.startswith(GRAPH + "source/")) / 10
    assert 50 < per_source < 300, per_source


@pytest.mark.parametrize(("size", "seed"), [(50, 1), (60, 1), (80, 1), (150, 1), (150, 2), (150, 3)])
def test_small_corpora_of_any_seed_are_generated(tmp_path: Path, size: int, seed: int) -> None:
    """These sizes and seeds once drew a mine region in a country that had none."""
    info = generate(tmp_path / "sources", sources=size, seed=seed, progress=False)
    assert info.sources == len(list((tmp_path / "sources" / "articles").glob("*.yaml"))) == size


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(tmp_path / name, sources=5, seed=seed, progress=False)

    def files(name: str) -> dict[str, bytes]:
        return {p.relative_to(tmp_path / name).as_posix(): p.read_bytes() for p in sorted((tmp_path / name).rglob("*.*"))}

    assert files("a") == files("b")
    assert files("a") != files("c")


def test_corpus_adds_to_a_project_after_its_sources_and_keeps_its_registry(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(ROOT / "sources", project / "sources")
    registry = (project / "sources" / "entities.yaml").read_text(encoding="utf-8")
    before = sorted(path.stem for path in (project / "sources" / "articles").glob("*.yaml"))
    known = len([name for name in before if name.startswith("synthetic-")])  # a project that has some already
    for size, seed in ((2, 1), (3, 8)):
        assert main(["--project", str(project), "corpus", "--size", str(size), "--seed", str(seed), "--quiet"]) == 0
    names = sorted(path.stem for path in (project / "sources" / "articles").glob("*.yaml"))
    assert names == sorted(before + [f"synthetic-{number:05d}" for number in range(known + 1, known + 6)])
    added = (project / "sources" / "entities.yaml").read_text(encoding="utf-8")
    assert added.startswith(registry) and added.count("# --- added by `sanctiongraph corpus`") == registry.count("# --- added by `sanctiongraph corpus`") + 2
    report = build(project / "sources", ONTOLOGY, tmp_path / "graph")
    assert report.dataset.sources == len(names)
    assert all(coverage.covered == coverage.story for coverage in report.dataset.coverage)


def test_corpus_refuses_sources_without_a_registry_and_an_entity_of_another_type(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["corpus", str(tmp_path / "a"), "--size", "2", "--quiet"]) == 0
    (tmp_path / "a" / "entities.yaml").unlink()
    assert main(["corpus", str(tmp_path / "a"), "--size", "2"]) == 1
    assert "already holds annotated sources but" in capsys.readouterr().err
    (tmp_path / "b" / "articles").mkdir(parents=True)
    (tmp_path / "b" / "entities.yaml").write_text("russia:\n  type: Person\n  label: Someone else\n", encoding="utf-8")
    assert main(["corpus", str(tmp_path / "b"), "--size", "2"]) == 1
    assert "entities.yaml: russia is 'Person' there, but the generated sources need a Country" in capsys.readouterr().err
    assert not any((tmp_path / "b" / "articles").iterdir())


def test_benchmark_smoke_run_writes_a_report(tmp_path: Path) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--sizes", "10", "--quick",
               "--corpus", str(tmp_path / "corpus"), "--output", str(tmp_path / "results")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    measured = results["sizes"]["10"]
    for task in ("build-ours", "build-rdflib", "load-ours", "load-limit", "load-rdflib", "exports-ours", "exports-limit"):
        assert measured[task]["seconds"] > 0 and measured[task]["peak_mb"] > 0, task
    for name, engines in measured["queries-oxigraph"]["queries"].items():
        assert engines["ours"]["rows"] == engines["limit"]["rows"], name
    assert len(measured["queries-rdflib"]["queries"]) == len(measured["queries-oxigraph"]["queries"]) > 0
    report = (tmp_path / "results" / "report.md").read_text()
    for heading in ("### Targets", "### Build, end to end", "### Exports, 10 sources", "### Queries, 10 sources"):
        assert heading in report
    assert (tmp_path / "results" / "scaling.svg").read_text().startswith("<svg")
