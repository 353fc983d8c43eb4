"""The network the build stores (`network.jsonl`): read under every filter, it is the network read from the store,
node for node, edge for edge, attribute for attribute and in the same order, on the bundled sources and on a
generated corpus; it is read only when it is of the store's build, and the commands that read it fall back on the
store otherwise."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from conftest import ONTOLOGY

import sanctiongraph
from sanctiongraph import corpus
from sanctiongraph.builder.builds import CURRENT
from sanctiongraph.builder.dataset import build
from sanctiongraph.builder.exports import NETWORK_FILE
from sanctiongraph.errors import NetworkError
from sanctiongraph.network import Filters, links_of, network_of, read_network
from sanctiongraph.network.links import KnownLinks, Links
from sanctiongraph.network.paths import shortest_connections
from sanctiongraph.network.stored import StoredNetwork, build_of, stored_rows
from sanctiongraph.query.store import open_store

SOURCE = "newsweek-2025-03-russia-mines"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph of a generated corpus of 60 sources."""
    folder = tmp_path_factory.mktemp("generated")
    corpus.generate(folder / "sources", sources=60, seed=5, progress=False)
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


def test_a_network_file_not_of_the_stores_build_is_not_read(graph: Path, tmp_path: Path) -> None:
    expected = sanctiongraph.to_networkx(graph)
    for number, (damage, unread) in enumerate([
        (lambda data: data.replace(b'"provenance": "sha256:', b'"provenance": "sha256:0', 1), True),  # another build's
        (lambda data: data.replace(b'"format": 1', b'"format": 99', 1), True),  # another format
        (lambda data: data[:len(data) // 2], True),  # cut short
        (lambda data: b"", True),
        (lambda data: data.replace(b'["registry",', b'["registry",999999,', 1), False),  # rows not as the build writes them
        (lambda data: data.replace(b'["term",', b'["term"],["term",', 1), False),
    ]):
        copy = _copy(graph, tmp_path / f"graph-{number}")
        network = build_of(copy) / NETWORK_FILE
        network.write_bytes(damage(network.read_bytes()))
        assert (stored_rows(build_of(copy)) is None) == unread
        _same(expected, sanctiongraph.to_networkx(copy))  # from the store
    copy = _copy(graph, tmp_path / "graph-missing")
    (build_of(copy) / NETWORK_FILE).unlink()
    _same(expected, sanctiongraph.to_networkx(copy))


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
    connected = 0
    for filters in _filters(folder):
        known, expected = links_of(folder, filters), Links(store, filters)
        assert isinstance(known, KnownLinks)
        hubs = sorted(known.by_entity, key=lambda entity: (-len(known.by_entity[entity]), entity))[:6]
        assert known.at(hubs[:3]) == expected.at(hubs[:3])
        for start, end in zip(hubs, reversed(hubs)):
            found = shortest_connections(known, start, end)
            assert found == shortest_connections(expected, start, end)
            connected += bool(found.routes) and start != end
    assert connected > 5
