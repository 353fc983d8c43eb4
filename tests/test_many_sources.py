"""Many sources: the fixture sources (fictional outlets, tests/fixtures/sources/) built with the project's own
report the first source's events with other figures, chains and dates; the graph keeps every report apart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIRST_SOURCE, FIXTURES, ONTOLOGY, with_fixture_sources

from sanctiongraph.builder.dataset import BuildReport, build, build_dataset
from sanctiongraph.errors import SourceError
from sanctiongraph.query.running import run_query

LEDGER = "fixture-kuzbass-ledger-2025-03-mines"
WIRE = "fixture-northern-wire-2025-03-coal"
GAZETTE = "fixture-steppe-gazette-2025-03-coal"


def test_the_fixture_sources_say_they_are_fiction() -> None:
    for text in sorted((FIXTURES / "articles").glob("*.txt")):
        assert text.read_text(encoding="utf-8").startswith("FICTION. This text was written for the tests of sanctiongraph.")
    for annotation in sorted((FIXTURES / "articles").glob("*.yaml")):
        assert "attribution: >-\n  FICTION: written for sanctiongraph's tests" in annotation.read_text(encoding="utf-8")


def test_sources_and_fixtures_build_together(built: tuple[Path, BuildReport]) -> None:
    coverage = {c.source: c for c in built[1].dataset.coverage}
    assert {f"articles/{name}.yaml" for name in (FIRST_SOURCE, LEDGER, WIRE, GAZETTE)} <= set(coverage)  # and any others of sources/
    assert all(c.uncovered == [] for c in coverage.values())


def test_a_project_vocabulary_adds_indicators(graph: Path) -> None:
    rows = run_query("indicator-series", {"indicator": "indicator:unpaid-workers"}, graph=graph).records()
    assert rows, "the indicator of sources/vocabulary/fixtures.yaml is a value like the packaged ones"


def test_vague_figures_are_ranges_not_prose(graph: Path) -> None:
    result = run_query(
        """PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        SELECT ?written ?value ?lower ?upper ?approximate WHERE {
          ?o sg:valueAsWritten ?written ; sg:approximate ?approximate .
          OPTIONAL { ?o sg:value ?value } OPTIONAL { ?o sg:lowerBound ?lower } OPTIONAL { ?o sg:upperBound ?upper }
          FILTER (STRSTARTS(STR(?o), "https://w3id.org/sanctiongraph/id/source/fixture-"))
        } ORDER BY ?written""", graph=graph)
    assert [tuple(None if v is None else v.value for v in row) for row in result.rows] == [
        ("About 30 more mines", "30", None, None, "true"),
        ("Nearly 500 miners", "500", None, "500", "true"),
        ("hundreds of miners", None, "200", "999", "true"),
    ]


def conflicts(graph: Path, indicator: str) -> set[tuple[str, str, str, str]]:
    """The conflicts between the first source and the fixture sources (whatever other sources sources/ holds)."""
    rows = run_query("conflicting-reports", {"indicator": f"indicator:{indicator}"}, graph=graph).records()
    assert all(row["sentence1"] and row["sentence2"] and row["source1"] != row["source2"] for row in rows)
    ours = {f"https://w3id.org/sanctiongraph/id/source/{name}" for name in (FIRST_SOURCE, LEDGER, WIRE, GAZETTE)}
    return {(row["matchedBy"], row["verdict"], row["figure1"], row["figure2"]) for row in rows
            if {row["source1"], row["source2"]} <= ours}


def test_conflicting_figures_come_side_by_side(graph: Path) -> None:
    assert conflicts(graph, "suspended-mines") == {
        ("the same event", "conflict", '9 count: "Nine mines"', '8 count: "eight mines"'),
        ("the same area and period", "conflict", '9 count: "Nine mines"', '8 count: "eight coal mines"'),
        ("the same event", "conflict", '7 count: "Seven coal mines"', '8 count: "eight coal mines"'),
        ("the same area and period", "conflict", '7 count: "Seven coal mines"', '8 count: "eight mines"'),
        ("the same area and period", "conflict", '9 count: "Nine mines"', '7 count: "Seven coal mines"'),
    }
    assert conflicts(graph, "employees") == {
        ("the same area and period", "conflict", '612 count: "612 workers"', '591 count: "591 workers"'),
        ("the same event", "conflict", '≈500 (…–500) count: "Nearly 500 miners"', '591 count: "591 workers"'),
    }
    assert ("the same area and period", "conflict", '-9 percent: "fell by 9 percent"',
            '-12 percent: "shrinking year-on year by 12 percent"') in conflicts(graph, "coal-export-volume-change")


def test_conflicting_reports_of_every_indicator_when_none_is_given(graph: Path) -> None:
    def rows(params: dict[str, str]) -> list[tuple[tuple[str, object], ...]]:
        return sorted(tuple(row.items()) for row in run_query("conflicting-reports", params, graph=graph).records())

    every = rows({})
    assert every == rows({"indicator": ""})
    indicators = {dict(row)["indicator"] for row in every}
    assert {f"https://w3id.org/sanctiongraph/vocab/indicator/{name}" for name in
            ("suspended-mines", "employees", "coal-export-volume-change")} <= indicators
    assert every == sorted(row for indicator in indicators for row in rows({"indicator": indicator}))


def test_one_event_every_report(graph: Path) -> None:
    rows = run_query("event-reports", {"event": f"id:source/{FIRST_SOURCE}/seredyuk-mines-suspended"}, graph=graph).records()
    by_source = {}
    for row in rows:
        by_source.setdefault(row["source"].rsplit("/", 1)[1], set()).add((row["accordingTo"], row["figure"]))
    assert by_source[LEDGER] >= {("Ilya Seredyuk", '≈500 (…–500) count: "Nearly 500 miners"'),
                                 ("Ilya Seredyuk", '8 count: "Eight companies"')}
    assert ("Ilya Seredyuk", '591 count: "591 workers"') in by_source[FIRST_SOURCE]


def test_supporting_sources_compare_figures_not_attribution(graph: Path) -> None:
    def supporters(statement: str) -> set[str]:
        rows = run_query("supporting-sources", {"statement": f"id:source/{statement}"}, graph=graph).records()
        return {row["other"].rsplit("/source/", 1)[1] for row in rows}

    assert supporters(f"{FIRST_SOURCE}/seredyuk-suspended-mines-count") == {
        f"{FIRST_SOURCE}/seredyuk-suspended-mines-count", f"{FIRST_SOURCE}/kemerovo-suspended-mines-count"}
    assert f"{WIRE}/suspended-mines-count" not in supporters(f"{FIRST_SOURCE}/kemerovo-suspended-mines-count")


def test_reporting_chains_once_each_with_dates(graph: Path) -> None:
    rows = run_query("reporting-chains", graph=graph).records()
    claims = [row["claim"] for row in rows]
    assert len(claims) == len(set(claims))
    (ledger,) = [row for row in rows if row["claim"].endswith(f"{LEDGER}/seredyuk-to-lawmakers")]
    assert (ledger["saidOn"], ledger["chain"]) == (
        "2025-03-04", "1. Siberian Courier (fictional outlet) → 2. Kuzbass Ledger (fictional outlet) (2025-03-05)")


def test_a_link_to_another_source_must_name_a_statement_of_it(sources: Path, tmp_path: Path) -> None:
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    annotation = copy / "articles" / f"{WIRE}.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8").replace(
        f"reportsSameAs: {FIRST_SOURCE}/kemerovo-mines-suspended", f"reportsSameAs: {FIRST_SOURCE}/kemerovo-mine-suspended"), encoding="utf-8")
    with pytest.raises(SourceError, match=rf"^articles/{WIRE}.yaml:\d+: reportsSameAs: the source '{FIRST_SOURCE}' has no statement "
                                          rf"'kemerovo-mine-suspended'; did you mean '{FIRST_SOURCE}/kemerovo-mines-suspended'"):
        build_dataset(copy, ONTOLOGY)


def test_fixtures_already_in_the_sources_are_not_added_twice(sources: Path, tmp_path: Path) -> None:
    """What `make test` meets when an analyst has copied the fixture sources into sources/."""
    twice = with_fixture_sources(tmp_path / "twice", origin=sources)
    report = build(twice, ONTOLOGY, tmp_path / "graph")
    assert report.dataset.sources == len(list((sources / "articles").glob("*.yaml")))


@pytest.mark.parametrize(("vocabulary", "message"), [
    ("indicators:\n  values:\n    x:\n      label: x\n      definition: x\n",
     r"^vocabulary/extra.yaml:1: unknown vocabulary 'indicators'; .* did you mean 'indicator'"),
    ("indicator:\n  values:\n    employees:\n      label: x\n      definition: x\n",
     r"^vocabulary/extra.yaml:3: indicator value 'employees' is declared twice \(first at vocabulary.yaml:\d+\)"),
    ("indicator:\n  values:\n    x:\n      label: x\n      definiton: x\n",
     r"^vocabulary/extra.yaml:5: unknown key 'definiton' of a value; allowed: .*; did you mean 'definition'"),
    ("commodity:\n  values:\n    x:\n      label: x\n      definition: x\n      broader: mineral\n",
     r"^vocabulary/extra.yaml:3: broader must name another value of commodity, not 'mineral'; did you mean 'minerals'"),
    ("commodity:\n  values:\n    x:\n      label: x\n      definition: x\n      hsCode: 2701\n",
     r"^vocabulary/extra.yaml:3: hsCode must be a quoted HS heading"),
])
def test_a_bad_project_vocabulary_is_one_located_line(sources: Path, tmp_path: Path, vocabulary: str, message: str) -> None:
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    (copy / "vocabulary" / "extra.yaml").write_text(vocabulary, encoding="utf-8")
    with pytest.raises(SourceError, match=message):
        build_dataset(copy, ONTOLOGY)
