"""The network the build stores (`network.jsonl`): read under every filter, it is the network read from the store,
node for node, edge for edge, attribute for attribute and in the same order, on the bundled sources and on a
generated corpus; it is read only when it is of the store's build, and the commands that read it fall back on the
store otherwise."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from conftest import ONTOLOGY, SOURCES

import sanctiongraph
from sanctiongraph import corpus
from sanctiongraph.builder.builds import CURRENT
from sanctiongraph.builder.dataset import build
from sanctiongraph.builder.exports import NETWORK_FILE, NETWORK_FORMAT
from sanctiongraph.cli import main
from sanctiongraph.errors import NetworkError
from sanctiongraph.namespaces import ID
from sanctiongraph.network import Filters, links_of, network_of, read_network
from sanctiongraph.network.links import Links
from sanctiongraph.network.paths import hop_rows, shortest_connections
from sanctiongraph.network.stored import KnownLinks, StoredNetwork, build_of, stored_rows
from sanctiongraph.query.store import open_store

SOURCE = "newsweek-2025-03-russia-mines"
FORMAT = f'"format": {NETWORK_FORMAT}'.encode()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of a generated corpus of 60 sources."""
    folder = tmp_path_factory.mktemp("generated")
    corpus.generate(folder / "sources", sources=60, seed=5, progress=False)
    build(folder / "sources", ONTOLOGY, folder / "graph")
    return folder / "graph"


@pytest.fixture(scope="module")
def ambiguous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of the bundled sources with one more company, which shares an alias (Kuzbass) with Kemerovo Oblast."""
    folder = tmp_path_factory.mktemp("ambiguous")
    shutil.copytree(SOURCES, folder / "sources")
    with (folder / "sources" / "entities.yaml").open("a", encoding="utf-8") as registry:
        registry.write("\nkuzbass-coal-company:\n  type: Company\n  label: Kuzbass Coal Company\n  aliases: [Kuzbass]\n  country: russia\n")
    build(folder / "sources", ONTOLOGY, folder / "graph")
    return folder / "graph"


def _filters(graph: Path) -> list[Filters]:
    """No filters, each filter, and some together; the sources those with statement links."""
    ids = sorted({data["graph"].rsplit("/", 1)[1] for _, _, data in sanctiongraph.to_networkx(graph).edges(data=True)
                  if not data["registry"]})
    return [Filters(), Filters(evidence_only=True), Filters(tuple(ids[:2])), Filters(tuple(ids[-1:]), evidence_only=True),
            Filters(start=date(2025, 1, 1), end=date(2025, 3, 1)), Filters(end=date(2024, 12, 31)), Filters(start=date(2025, 3, 1))]


def _same(store_side: nx.MultiDiGraph, file_side: nx.MultiDiGraph) -> None:
    assert list(store_side.nodes(data=True)) == list(file_side.nodes(data=True))
    assert list(store_side.edges(keys=True, data=True)) == list(file_side.edges(keys=True, data=True))


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_the_stored_network_is_the_stores_under_every_filter(which: str, graph: Path, generated: Path) -> None:
    folder = graph if which == "bundled" else generated
    rows = stored_rows(build_of(folder))
    assert rows is not None
    store = open_store(folder)
    edges = 0
    for filters in _filters(folder):
        expected = read_network(store, filters)
        stored = StoredNetwork(rows, filters)
        _same(expected.graph, stored.graph)
        assert stored.links() == expected.found
        edges += stored.graph.number_of_edges()
    assert edges > 100


def _resolved(links: Links, name: str) -> str:
    """The IRI a name resolves to, or the message of the error that says why it resolves to none."""
    try:
        return links.resolve(name)
    except NetworkError as error:
        return f"error: {error}"


@pytest.mark.parametrize("which", ["bundled", "generated", "ambiguous"])
def test_the_stored_entities_resolve_names_as_the_store_does(which: str, graph: Path, generated: Path, ambiguous: Path) -> None:
    """The entities `sanctiongraph path` takes from the network file are the store's, with their classes and names in
    the same order; and every name resolves alike: by IRI, ID, label or alias (in other cases too), or to the same
    error when it is unknown (with the same suggestions) or ambiguous."""
    folder = {"bundled": graph, "generated": generated, "ambiguous": ambiguous}[which]
    known, expected = links_of(folder), Links(open_store(folder))
    assert isinstance(known, KnownLinks)
    assert list(known.entities.items()) == list(expected.entities.items())
    every = list(expected.entities.values())
    sample = every[::max(1, len(every) // 40)]
    names = [name for entity in sample for name in (entity.iri, entity.iri.removeprefix(ID), *entity.names)]
    outcomes = {name: _resolved(known, name) for name in [*names, *(n.upper() for n in names), *(n[:-1] for n in names), "Nobody at all"]}
    assert outcomes == {name: _resolved(expected, name) for name in outcomes}
    assert sum(not outcome.startswith("error") for outcome in outcomes.values()) > 40
    assert any("did you mean" in outcome for outcome in outcomes.values()) and "error: no entity 'Nobody at all'" in outcomes["Nobody at all"]
    if which == "ambiguous":
        assert _resolved(known, "kuzbass") == _resolved(expected, "kuzbass") == \
            "error: 'kuzbass' names several entities (kemerovo-oblast, kuzbass-coal-company); give the ID of one"


def test_unknown_sources_and_empty_selections_say_the_same_either_way(graph: Path) -> None:
    rows = stored_rows(build_of(graph))
    assert rows is not None
    with pytest.raises(NetworkError) as from_store:
        read_network(open_store(graph), Filters(("no-such-source",)))
    with pytest.raises(NetworkError) as from_file:
        StoredNetwork(rows, Filters(("no-such-source",)))
    assert str(from_file.value) == str(from_store.value) and SOURCE in str(from_file.value)
    nothing = Filters((SOURCE,), start=date(1900, 1, 1), end=date(1900, 1, 2), evidence_only=True)
    with pytest.raises(NetworkError) as from_store:
        read_network(open_store(graph), nothing)
    with pytest.raises(NetworkError) as from_file:
        network_of(graph, nothing)
    assert str(from_file.value) == str(from_store.value)


def _copy(graph: Path, target: Path) -> Path:
    shutil.copytree(graph, target, symlinks=True)
    return target


def _path_output(capsys: pytest.CaptureFixture[str], graph: Path, *argv: str) -> str:
    """What `sanctiongraph path` writes, as CSV (it must succeed)."""
    assert main(["path", *argv, "--graph", str(graph), "-f", "csv", "-q"]) == 0
    return capsys.readouterr().out


def test_a_network_file_not_of_the_stores_build_is_not_read(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """to_networkx and `sanctiongraph path` read the store instead, with the same answers."""
    expected = sanctiongraph.to_networkx(graph)
    routes = _path_output(capsys, graph, "Putin", "SUEK", "--source", SOURCE)
    assert routes.count("\n") > 5
    for number, (damage, unread) in enumerate([
        (lambda data: data.replace(b'"provenance": "sha256:', b'"provenance": "sha256:0', 1), True),  # another build's
        (lambda data: data.replace(FORMAT, b'"format": 99', 1), True),  # another format
        (lambda data: data.replace(FORMAT, b'"format": 1', 1), True),  # an older format: entity rows of labels, not names
        (lambda data: data[:len(data) // 2], True),  # cut short
        (lambda data: b"", True),
        (lambda data: data.replace(b'["registry",', b'["registry",999999,', 1), False),  # rows not as the build writes them
        (lambda data: data.replace(b'["registry",', b'["registry",0,999999,', 1), False),
        (lambda data: data.replace(b'["term",', b'["term"],["term",', 1), False),
    ]):
        copy = _copy(graph, tmp_path / f"graph-{number}")
        network = build_of(copy) / NETWORK_FILE
        network.write_bytes(damage(network.read_bytes()))
        assert (stored_rows(build_of(copy)) is None) == unread
        _same(expected, sanctiongraph.to_networkx(copy))  # from the store
        assert not isinstance(links_of(copy), KnownLinks)  # none of these files is read whole
        assert _path_output(capsys, copy, "Putin", "SUEK", "--source", SOURCE) == routes
    copy = _copy(graph, tmp_path / "graph-missing")
    (build_of(copy) / NETWORK_FILE).unlink()
    _same(expected, sanctiongraph.to_networkx(copy))
    assert _path_output(capsys, copy, "Putin", "SUEK", "--source", SOURCE) == routes


def test_to_networkx_reads_the_file_of_its_build(graph: Path, tmp_path: Path) -> None:
    """The file is what to_networkx reads: an edge changed in it (its header intact) shows in the graph."""
    copy = _copy(graph, tmp_path / "graph")
    network = build_of(copy) / NETWORK_FILE
    lines = network.read_bytes().splitlines(keepends=True)
    at = next(number for number, line in enumerate(lines) if line.startswith(b'["statement"'))
    row = json.loads(lines[at])
    row[3] = "a summary written into the file"
    lines[at] = json.dumps(row).encode("ascii") + b"\n"
    network.write_bytes(b"".join(lines))
    summaries = {data["summary"] for _, _, data in sanctiongraph.to_networkx(copy).edges(data=True)}
    assert "a summary written into the file" in summaries


def test_path_and_viz_path_read_the_file_of_their_build(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sanctiongraph path` and `viz path` take the entities' names, the links and the evidence from the file: a name
    and a quote changed in it (its header intact) are what they resolve and show."""
    copy = _copy(graph, tmp_path / "graph")
    network = build_of(copy) / NETWORK_FILE
    lines = network.read_bytes().splitlines(keepends=True)
    for at, line in enumerate(lines[1:], 1):  # the header kept
        row = json.loads(line)
        if row[0] == "entity" and row[1] == ID + "putin":
            row[3].append("A Name Written Into The File")
        elif row[0] == "statement":
            row[4] = "a quote written into the file"
        lines[at] = json.dumps(row).encode("ascii") + b"\n"
    network.write_bytes(b"".join(lines))
    rows = list(csv.DictReader(io.StringIO(_path_output(capsys, copy, "a name written into the file", "SUEK"))))
    assert rows and rows[0]["from"] == ID + "putin"
    assert {row["evidence"] for row in rows if row["registry"] == "false"} == {"a quote written into the file"}
    assert main(["viz", "path", "A Name Written Into The File", "SUEK", "--graph", str(copy), "-o", str(tmp_path / "path.html"), "-q"]) == 0
    assert (tmp_path / "path.html").is_file()
    assert main(["path", "A Name Written Into The File", "SUEK", "--graph", str(graph)]) == 1
    assert "no entity 'A Name Written Into The File'" in capsys.readouterr().err


def test_the_file_is_assembled_from_the_parts_in_order(graph: Path) -> None:
    lines = [json.loads(line) for line in (graph / CURRENT / NETWORK_FILE).read_bytes().splitlines()]
    kinds = [line[0] for line in lines[1:]]
    first_source = kinds.index("source")
    assert set(kinds[:first_source]) == {"term", "entity", "registry"} and "term" not in kinds[first_source:]
    sources = [line[1] for line in lines[1:] if line[0] == "source"]
    assert sources == sorted(sources) and any(source.endswith(SOURCE) for source in sources)


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_paths_through_the_stored_links_are_the_stores(which: str, graph: Path, generated: Path) -> None:
    """`sanctiongraph path` looks links up among the stored network's: the links at each set of entities, and the
    shortest connections between pairs of entities (the best-linked ones among them), are the store's under each filter."""
    folder = graph if which == "bundled" else generated
    store = open_store(folder)
    connected = evidenced = 0
    for filters in _filters(folder):
        known, expected = links_of(folder, filters), Links(store, filters)
        assert isinstance(known, KnownLinks)
        degree = Counter(end for link in known.network.links() for end in {link.start, link.end})
        hubs = sorted(degree, key=lambda entity: (-degree[entity], entity))[:6]
        assert known.at(hubs[:3]) == expected.at(hubs[:3])
        for start, end in zip(hubs, reversed(hubs)):
            found = shortest_connections(known, known.label(start), end)
            assert found == shortest_connections(expected, expected.label(start), end)
            rows = hop_rows(found, known)
            assert rows == hop_rows(found, expected)
            evidenced += sum(bool(record["evidence"]) for record in rows.records())
            on_routes = sorted({entity for route in found.routes for entity in route})
            assert [(known.label(e), known.entities[e].classes) for e in on_routes] == \
                [(expected.label(e), expected.entities[e].classes) for e in on_routes]
            connected += bool(found.routes) and start != end
    assert connected > 5 and evidenced > 5
