"""The network of actors: paths with their evidence, analytics, the notebook API and the Gephi exports, on the built
bundled source; each answer checked against the graph (the source's own evidence, networkx on the whole network)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from itertools import pairwise
from pathlib import Path

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib

import sanctiongraph
from sanctiongraph.cli import main
from sanctiongraph.errors import NetworkError
from sanctiongraph.identity import names_in_store
from sanctiongraph.namespaces import ID, SG
from sanctiongraph.network import Filters, Link, Links, read_network
from sanctiongraph.network.analytics import sanctioned, simple
from sanctiongraph.network.links import Roles
from sanctiongraph.network.paths import shortest_connections
from sanctiongraph.query.facts import load_facts

SOURCE = "newsweek-2025-03-russia-mines"
TEXT = (Path(__file__).resolve().parents[1] / "sources" / "articles" / f"{SOURCE}.txt").read_text(encoding="utf-8")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# --- path


def test_path_rows_give_each_hop_with_its_evidence_from_the_source(graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "path", "Putin", "SUEK", "--graph", str(graph), "--source", SOURCE, "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and rows
    routes: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        routes.setdefault(row["route"], []).append(row)
    for hops in routes.values():
        assert hops[0]["from"] == ID + "putin" and hops[-1]["to"] == ID + "suek"
        steps = sorted({(int(h["hop"]), h["from"], h["to"]) for h in hops})
        assert all(a[2] == b[1] for a, b in pairwise(steps)), steps
    for row in rows:
        if row["registry"] == "true":
            assert row["statement"] == row["evidence"] == ""
        else:
            assert row["evidence"] and all(quote in TEXT for quote in row["evidence"].split(" … "))
            assert row["source"] == ID + "source/" + SOURCE and row["fromRole"].startswith(SG)
            assert row["direction"] in ("forward", "backward")


def test_evidence_only_uses_no_registry_link(graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "path", "putin", "suek", "--graph", str(graph), "-f", "json", "--evidence-only")
    bindings = json.loads(out)["results"]["bindings"]
    assert bindings and all(b["registry"]["value"] == "false" and b["evidence"]["value"] for b in bindings)


def test_the_search_finds_every_shortest_route_of_the_whole_network(store: ox.Store) -> None:
    links = Links(store)
    whole = nx.Graph((link.start, link.end) for link in links.all())
    for a, b in [("putin", "mechel"), ("trump", "kemerovo-oblast"), ("china", "suek"), ("seredyuk", "united-states")]:
        found = shortest_connections(links, a, b, limit=1000)
        expected = sorted(nx.all_shortest_paths(whole, ID + a, ID + b))
        assert sorted(list(route) for route in found.routes) == expected, (a, b)


def test_no_connection_within_the_hop_limit_is_said_plainly_with_no_rows(graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "path", "putin", "mechel", "--graph", str(graph), "--max-hops", "1", "-f", "csv")
    assert status == 0 and out.strip().count("\n") == 0 and out.startswith("route,")
    assert err == "no connection between Vladimir Putin and Mechel within 1 hops (no filters)\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["path", "putn", "mechel"], "sanctiongraph: error: no entity 'putn' in the graph's registry; did you mean 'putin'?\n"),
    (["path", "putin", "mechel", "--source", "nowhere"], re.compile(r"sanctiongraph: error: no source 'nowhere' in the graph; sources: .*\b"
                                                                    + SOURCE + r"\b.*\n")),
    (["path", "putin", "mechel", "--from", "March"], "sanctiongraph: usage error: --from takes a day as YYYY-MM-DD, not 'March'\n"),
    (["analyze", "--from", "2030-01-01", "--evidence-only"],
     "sanctiongraph: error: no links in the graph with these filters (from 2030-01-01 to any day; links with evidence only)\n"),
])
def test_bad_requests_get_one_line(graph: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                   message: str | re.Pattern[str]) -> None:
    status, out, err = run(capsys, *argv, "--graph", str(graph))
    assert status in (1, 2) and out == ""
    assert message.fullmatch(err) if isinstance(message, re.Pattern) else err == message, err


def test_entities_are_found_by_alias(store: ox.Store) -> None:
    links = Links(store)
    assert links.resolve("Mechel PAO") == links.resolve("mechel") == ID + "mechel"
    with pytest.raises(NetworkError, match="no entity"):
        links.resolve("Nobody at all")


def test_path_resolves_names_as_the_views_and_queries_do(store: ox.Store) -> None:
    links, names = Links(store), names_in_store(store)
    for name in ["Kemerovo region", "kemerovo-region", "KEMEROVO_REGION", "Kuzbass", "Moscow", "putin", "U.S."]:
        assert links.resolve(name) == ID + names.identify(name), name
    for name in ["Kemerovo regio", "putn"]:
        with pytest.raises(ValueError) as expected:
            names.identify(name)
        with pytest.raises(NetworkError) as raised:
            links.resolve(name)
        assert str(raised.value) == str(expected.value) and "did you mean" in str(raised.value)


def test_a_time_window_keeps_the_statements_that_hold_in_it(store: ox.Store) -> None:
    every = Links(store).all()
    after = Links(store, Filters(end=date(2025, 2, 28))).all()
    statements = {link.statement for link in after if link.statement}
    assert statements and statements < {link.statement for link in every if link.statement}
    assert {link for link in every if link.registry} <= set(after)


def statement_links(links: list[Link], statement: str) -> set[tuple[str, str, str, str]]:
    """The links one statement of the first source makes: (from, its role, role, to), IDs and local names."""
    return {(link.start.removeprefix(ID), str(link.start_role).removeprefix(SG), str(link.end_role).removeprefix(SG),
             link.end.removeprefix(ID)) for link in links if link.statement == f"{ID}source/{SOURCE}/{statement}"}


def test_a_statement_links_the_roles_that_relate_not_every_pair(store: ox.Store) -> None:
    links = Links(store).all()
    # subject Sonin, birthCountry Russia, criticOf Putin: Sonin's two links, and none between Putin and Russia
    assert statement_links(links, "sonin-profile") == {("konstantin-sonin", "subject", "criticOf", "putin"),
                                                       ("konstantin-sonin", "subject", "birthCountry", "russia")}
    # a listing: its authority, listed entity and target country are linked to each other and to its regime; its
    # list to the listed entity and the authority only
    suek = statement_links(links, "suek-us-listing")
    assert {(a, b) for a, _, _, b in suek} == {
        ("united-states", "suek"), ("united-states", "russia"), ("suek", "russia"),
        ("united-states", "western-sanctions-on-russia"), ("suek", "western-sanctions-on-russia"),
        ("western-sanctions-on-russia", "russia"), ("united-states", "us-sanctions-list"), ("suek", "us-sanctions-list")}
    # a claim links its claimant and audience; statements with two principal roles keep their link
    assert ("seredyuk", "claimant", "audience", "kemerovo-regional-parliament") in statement_links(links, "seredyuk-to-parliament")
    putin_russia = {link.statement for link in links if {link.start, link.end} == {ID + "putin", ID + "russia"}}
    assert putin_russia and f"{ID}source/{SOURCE}/sonin-profile" not in putin_russia


def test_no_link_joins_two_qualifiers_of_a_statement_with_a_principal_one(store: ox.Store) -> None:
    roles = Roles.load()
    links = Links(store).all()
    by_statement: dict[str, set[str]] = {}
    for link in links:
        if link.statement:
            by_statement.setdefault(link.statement, set()).update([str(link.start_role), str(link.end_role)])
    for link in links:
        if link.statement and any(role not in roles.qualifiers for role in by_statement[link.statement]):
            assert not (link.start_role in roles.qualifiers and link.end_role in roles.qualifiers), link


# --- analytics


def test_scores_are_networkx_scores_of_the_network(store: ox.Store, graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    network = read_network(store)
    plain = simple(network.graph)
    expected = nx.pagerank(plain)
    _, out, _ = run(capsys, "analyze", "--graph", str(graph), "-f", "csv", "--top", "5")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["entity"] for row in rows] == sorted(expected, key=lambda n: (-expected[n], n))[:5]
    assert all(abs(float(row["pagerank"]) - expected[row["entity"]]) < 1e-5 for row in rows)
    assert rows[0]["entity"] == ID + "russia"


def test_exposure_lists_entities_near_a_sanctioned_one_with_the_path(store: ox.Store, graph: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    network = read_network(store)
    listed = sanctioned(network.found)
    assert {ID + "suek", ID + "mechel"} <= listed
    _, out, _ = run(capsys, "analyze", "exposure", "--hops", "2", "--graph", str(graph), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    plain = simple(network.graph)
    near = {n for s in listed for n in nx.single_source_shortest_path_length(plain, s, cutoff=2)} - listed
    assert {row["entity"] for row in rows} == near
    for row in rows:
        assert row["sanctioned"] in listed and row["path"].count(" — ") == int(row["hops"])


def test_the_view_sizes_nodes_by_the_score(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "network.html"
    status, _, _ = run(capsys, "analyze", "--graph", str(graph), "--view", str(target), "--top", "1", "-o", str(tmp_path / "s.csv"))
    page = target.read_text(encoding="utf-8")
    assert status == 0 and '"score"' in page and "The network of actors by pagerank" in page


# --- the notebook API


def test_to_networkx_carries_labels_classes_sources_and_evidence(graph: Path) -> None:
    network = sanctiongraph.to_networkx(graph, sources=[SOURCE], evidence_only=True)  # the first source's statements only
    assert isinstance(network, nx.MultiDiGraph) and network.number_of_edges() > 100
    assert network.nodes[ID + "mechel"]["label"] == "Mechel" and network.nodes[ID + "mechel"]["cls"] == "company"
    for _, _, data in network.edges(data=True):
        assert not data["registry"] and data["source"] == ID + "source/" + SOURCE
        assert data["evidence"].split(" … ")[0] in TEXT


def test_edges_carry_what_the_views_lookups_give_for_each_statement(graph: Path, store: ox.Store) -> None:
    """The statements' sources, summaries and evidence, read for the whole network at once, are what the views'
    lookups read statement by statement."""
    network = sanctiongraph.to_networkx(graph)
    facts = load_facts(store)
    edges = [data for _, _, data in network.edges(data=True) if not data["registry"]]
    facts.cover(sorted({data["statement"] for data in edges}))
    assert len(edges) > 100 and any(" … " in data["evidence"] for data in edges)
    for data in edges:
        item = facts.provenance[data["statement"]]
        assert (data["source"], data["sourceTitle"]) == (item.document, facts.documents[item.graph].title)
        assert data["summary"] == facts.label(data["statement"])
        assert data["evidence"] == " … ".join(e.quote for e in item.evidence) != ""
        assert data["sentence"] == " ".join(dict.fromkeys(s for e in item.evidence for s in e.sentences))


def test_to_rdflib_runs_sparql_on_oxigraphs_engine(graph: Path) -> None:
    dataset = sanctiongraph.to_rdflib(graph)
    assert isinstance(dataset, rdflib.Dataset)
    assert dataset.value(rdflib.URIRef(ID + "mechel"), rdflib.RDFS.label) == rdflib.Literal("Mechel", lang="en")
    # rdflib's own engine has no `ADJUST` (a SPARQL 1.1 function it lacks); Oxigraph's has, so this runs only there
    rows = list(dataset.query('SELECT (ADJUST("2025-03-01T12:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>, '
                              '"PT0H"^^<http://www.w3.org/2001/XMLSchema#dayTimeDuration>) AS ?t) WHERE {}'))
    assert len(rows) == 1
    with pytest.raises(Exception, match="(?i)adjust|parse|expected"):
        rdflib.Dataset().query('SELECT (ADJUST("2025-03-01T12:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>, '
                               '"PT0H"^^<http://www.w3.org/2001/XMLSchema#dayTimeDuration>) AS ?t) WHERE {}')


# --- exports


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_are_read_back_with_their_attributes(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    target = tmp_path / f"network.{fmt}"
    assert run(capsys, "export", fmt, str(target), "--graph", str(graph))[0] == 0
    again = tmp_path / f"again.{fmt}"
    run(capsys, "export", fmt, str(again), "--graph", str(graph))
    assert target.read_bytes() == again.read_bytes()
    expected = sanctiongraph.to_networkx(graph)
    read = nx.read_graphml(target) if fmt == "graphml" else nx.read_gexf(target)
    assert read.number_of_nodes() == expected.number_of_nodes() and read.number_of_edges() == expected.number_of_edges()
    assert read.nodes[ID + "russia"]["label"] == "Russia" and float(read.nodes[ID + "russia"]["pagerank"]) > 1 / read.number_of_nodes()
    if fmt == "graphml":
        second = igraph.Graph.Read_GraphML(str(target))
        assert (second.vcount(), second.ecount()) == (expected.number_of_nodes(), expected.number_of_edges())
        assert "Russia" in second.vs["label"] and "evidence" in second.es.attributes()
