"""The query library and its interface: every query on the embedded store and on a real Oxigraph server,
bound parameters that cannot inject, every output format, and one-line errors with the right exit status."""

from __future__ import annotations

import csv
import datetime as dt
import http.server
import io
import json
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from conftest import FIRST_SOURCE, FIRST_SOURCE_COMPANY, ONTOLOGY, QUERIES, SOURCES, free_port, oxigraph_server
from pyoxigraph import NamedNode

from sanctiongraph.builder.dataset import build
from sanctiongraph.cli import main
from sanctiongraph.errors import QueryError, QueryTimeout, UsageError
from sanctiongraph.query.library import Query, load_queries, parse_query
from sanctiongraph.query.running import run_query, with_values

LIBRARY = load_queries(QUERIES)
EXPECTED_EMPTY = {"disagreements"}  # one source does not disagree with itself
SG = "PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>\n"


def examples(query: Query) -> dict[str, str]:
    return {parameter.name: parameter.example for parameter in query.parameters}


def test_the_library_goes_beyond_the_competency_questions() -> None:
    others = [name for name in LIBRARY if not name.startswith("cq")]
    assert len(others) >= 20, others
    for query in LIBRARY.values():
        assert query.title and query.description
        for parameter in query.parameters:
            assert parameter.example and parameter.description


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_query_answers_with_its_examples(graph: Path, name: str) -> None:
    query = LIBRARY[name]
    result = run_query(query, examples(query), graph=graph)
    assert result.kind == "select"
    assert (result.rows == []) == (name in EXPECTED_EMPTY), result.rows[:3]
    assert {p.name for p in query.parameters} <= set(result.variables)


@pytest.mark.parametrize("server", ["endpoint", "plain_endpoint"])
@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_the_server_gives_the_same_answers_as_the_embedded_store(graph: Path, request: pytest.FixtureRequest, server: str, name: str) -> None:
    """On a server whose default graph is the union of its graphs, and on one started with no option for us,
    whose default graph is apart and empty: there the graphs are sent as the query's dataset."""
    query = LIBRARY[name]
    local = run_query(query, examples(query), graph=graph)
    remote = run_query(query, examples(query), endpoint=request.getfixturevalue(server))
    assert remote.variables == local.variables
    assert Counter(map(tuple, remote.rows)) == Counter(map(tuple, local.rows))


def test_causes_of_an_entity_include_effects_that_are_the_entity(graph: Path) -> None:
    effects = {row["effect"] for row in run_query("causes-of", {"entity": "russian-coal-industry"}, graph=graph).records()}
    assert "Russian coal industry" in effects  # the effect is the entity itself
    assert "Russian coal exports are being damaged." in effects  # the effect is a statement about it


def test_records_have_python_types(graph: Path) -> None:
    (row,) = [r for r in run_query("cq05-russian-coal-export-change", graph=graph).records() if r["source"].endswith(FIRST_SOURCE)]
    assert row["value"] == Decimal("-12") and row["periodStart"] == dt.date(2025, 1, 1)
    events = [e for e in run_query("events-in-range", {"from": "2025-02-28", "to": "2025-02-28"}, graph=graph).records()
              if e["source"].endswith(FIRST_SOURCE)]
    assert {e["event"] for e in events} == {
        "Donald Trump and Volodymyr Zelenskyy clashed at the White House on Friday 28 February 2025.",
        "Mechel posted huge losses for 2024.",
        "Raspadskaya posted huge losses for 2024.",
    }
    assert all(isinstance(e["earliest"], dt.date) for e in events)


def test_dataframe_needs_pandas_only_when_asked(graph: Path) -> None:
    result = run_query("cq02-companies-on-us-sanctions-list", graph=graph)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(UsageError, match="pip install 'sanctiongraph\\[pandas\\]'"):
            result.to_dataframe()
    else:
        frame = result.to_dataframe()
        assert sorted(frame["company"]) == ["Mechel", "SUEK"]


# --- parameters are bound, never pasted

PAYLOADS = [
    '" } ; DROP ALL ; #',
    "it's \"quoted\" <b>bold</b> {braces} ; DELETE WHERE { ?s ?p ?o }",
    "first line\nsecond line } #",
    "<https://example.org/x> ) } UNION { ?s ?p ?o }",
]


@pytest.fixture(scope="module")
def hostile_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sources plus one quotation per payload, with the payload in the text and in the annotation."""
    root = tmp_path_factory.mktemp("hostile")
    sources = root / "sources"
    shutil.copytree(SOURCES, sources)
    article = sources / "articles" / "newsweek-2025-03-russia-mines"
    text = article.with_suffix(".txt")
    text.write_text(text.read_text(encoding="utf-8") + "".join(f"\nIsaac Levi: “{p}”" for p in PAYLOADS), encoding="utf-8")
    statements = "".join(
        f"\n  - id: payload-{n}\n    type: Quotation\n    quotedText: {json.dumps(p)}\n    evidence: {json.dumps(p)}\n"
        f"  - id: payload-{n}-claim\n    type: Claim\n    claimant: isaac-levi\n    modality: assessment\n"
        f"    claimContent: payload-{n}\n    evidence: {json.dumps(f'Isaac Levi: “{p}”')}\n"
        for n, p in enumerate(PAYLOADS)
    )
    annotation = article.with_suffix(".yaml")
    annotation.write_text(annotation.read_text(encoding="utf-8") + statements, encoding="utf-8")
    build(sources, ONTOLOGY, root / "graph")
    return root / "graph"


def count_quads(**target: object) -> int:
    result = run_query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", **target)  # type: ignore[arg-type]
    return int(result.records()[0]["n"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_values_match_as_plain_literals(hostile_graph: Path, tmp_path: Path, payload: str) -> None:
    before = count_quads(graph=hostile_graph)
    with oxigraph_server(hostile_graph / "sanctiongraph.nq", tmp_path) as server:
        remote_before = count_quads(endpoint=server)
        for target in ({"graph": hostile_graph}, {"endpoint": server}):
            rows = run_query("quotations-about", {"topic": payload}, **target).records()  # type: ignore[arg-type]
            assert {(row["topic"], row["quotation"]) for row in rows} == {(payload, payload)}, target
        assert count_quads(endpoint=server) == remote_before
    assert count_quads(graph=hostile_graph) == before


def test_values_open_the_union_branches_whose_first_patterns_use_the_parameter() -> None:
    query = parse_query(
        "SELECT * WHERE {\n"
        "  { ?entity ?p ?o . OPTIONAL { ?o ?q ?entity } } UNION\n"  # first patterns use ?entity: bound here too
        "  { ?s ?p ?o OPTIONAL { ?s ?q ?entity } } UNION\n"  # ?entity only in its OPTIONAL: not here
        "  { FILTER (?entity = ?o) }\n"  # nor where a FILTER would see it bound where it was not
        "  OPTIONAL { { ?entity ?p ?x } UNION { ?entity ?q ?x } }\n"  # nor in groups nested deeper
        "}", "unions")
    text = with_values(query, {"entity": NamedNode("https://example.org/e")})
    block = " VALUES (?entity) { (<https://example.org/e>) } "
    assert text.count(block) == 2
    assert text.startswith("SELECT * WHERE {" + block + "\n  {" + block + " ?entity ?p ?o .")


@pytest.fixture(scope="session")
def rdflib_dataset(graph: Path) -> rdflib.Dataset:
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(graph / "sanctiongraph.trig", format="trig")
    return dataset


@pytest.mark.parametrize("entity", ["mechel", "russia", "putin", "bank-of-russia", "us-sanctions-list"])
def test_binding_into_union_branches_changes_no_answer(graph: Path, rdflib_dataset: rdflib.Dataset, entity: str) -> None:
    """entity-profile's two UNION branches get the parameter's VALUES block too; rdflib, binding the
    parameter its own way (initBindings) on the file's text, gives the same rows."""
    query = LIBRARY["entity-profile"]
    ours = run_query(query, {"entity": entity}, graph=graph)
    theirs = rdflib_dataset.query(query.text, initBindings={"entity": rdflib.URIRef(query.bindings({"entity": entity})["entity"].value)})
    assert Counter(tuple(None if t is None else t.value for t in row) for row in ours.rows) == \
        Counter(tuple(None if t is None else str(t) for t in row) for row in theirs)
    assert ours.rows


@pytest.mark.parametrize("value", ["<x> } ; DROP ALL ; #", "id:mechel> } UNION {", "two words"])
def test_hostile_iri_parameters_are_refused(graph: Path, value: str) -> None:
    with pytest.raises(UsageError, match="parameter entity: (.* is not an IRI|no entity .* in the graph.s registry)"):
        run_query("entity-profile", {"entity": value}, graph=graph)


# --- the command line

def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).parent / "sanctiongraph"
    return subprocess.run([str(command), *args], capture_output=True, text=True, timeout=120)


def test_queries_lists_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["queries"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in LIBRARY)
    assert "--param entity=<iri>" in listing


def test_formats(graph: Path, tmp_path: Path) -> None:
    base = ["query", "cq02-companies-on-us-sanctions-list", "--graph", str(graph)]
    for suffix in ("csv", "tsv", "json", "xml"):
        assert main([*base, "-o", str(tmp_path / f"answer.{suffix}")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "answer.csv").read_text(encoding="utf-8"))))
    assert sorted(r["company"] for r in rows if r["source"].endswith(FIRST_SOURCE)) == ["Mechel", "SUEK"]
    tsv = (tmp_path / "answer.tsv").read_text(encoding="utf-8").splitlines()
    assert tsv[0].split("\t")[0] == "?company" and len(tsv) == len(rows) + 1
    bindings = json.loads((tmp_path / "answer.json").read_text(encoding="utf-8"))["results"]["bindings"]
    assert sorted(b["company"]["value"] for b in bindings if b["source"]["value"].endswith(FIRST_SOURCE)) == ["Mechel", "SUEK"]
    results = ET.parse(tmp_path / "answer.xml").getroot().iter("{http://www.w3.org/2005/sparql-results#}result")
    assert len(list(results)) == len(rows)


def test_table_shows_labels_not_iris(graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "sanctions-on-target", "-p", "target=suek", "-f", "table", "--graph", str(graph)]) == 0
    table = capsys.readouterr().out
    assert "SUEK has been added to the US sanctions list." in table
    assert "https://w3id.org" not in table
    rows = len(run_query("sanctions-on-target", {"target": "suek"}, graph=graph).rows)
    assert rows >= 1 and table.rstrip().endswith(f"({rows} row{'s' * (rows != 1)})")


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld")])
def test_construct_formats(graph: Path, capsys: pytest.CaptureFixture[str], fmt: str, rdflib_format: str) -> None:
    sparql = SG + f"CONSTRUCT {{ ?company sg:inSector ?sector }} WHERE {{ {FIRST_SOURCE_COMPANY} ?company sg:inSector ?sector }}"
    assert main(["query", "--sparql", sparql, "-f", fmt, "--graph", str(graph)]) == 0
    parsed = rdflib.Graph().parse(data=capsys.readouterr().out, format=rdflib_format)
    assert len(parsed) == 3


def test_ask(graph: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--sparql", SG + "ASK { ?s a sg:Listing }", "-f", "json", "--graph", str(graph)]) == 0
    assert json.loads(capsys.readouterr().out)["boolean"] is True


def test_query_file(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.rq"
    path.write_text("# title: mine\n# description: companies\n# param: company | iri | - | mechel | a company\n"
                    + SG + "SELECT ?company ?label WHERE { ?company a sg:Company ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n")
    assert main(["query", "--file", str(path), "-p", "company=suek", "-f", "csv", "--graph", str(graph)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "https://w3id.org/sanctiongraph/id/suek,SUEK"


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["query", "cq2-companies"], 2, "no query named 'cq2-companies'; did you mean 'cq02-companies-on-us-sanctions-list'"),
        (["query", "entity-profile"], 2, "query entity-profile needs --param entity=... (iri"),
        (["query", "sentence-statements", "-p", "index=two"], 2, "parameter index: 'two' is not a whole number"),
        (["query", "entity-profile", "-p", "entity=mechel", "-p", "colour=red"], 2, "query entity-profile has no parameter 'colour'"),
        (["query", "--sparql", "SELECT ?x WHERE {\n  ?x ?y\n}"], 1, "<sparql>: SPARQL syntax error at line 3, column 2: expected"),
        (["query"], 2, "give exactly one of: a query NAME, --file FILE, --sparql TEXT"),
    ],
)
def test_errors_are_one_line_with_the_right_status(graph: Path, args: list[str], status: int, message: str) -> None:
    completed = run_cli(*args, "--graph", str(graph))
    assert completed.returncode == status, completed.stderr
    assert completed.stdout == ""
    assert len(completed.stderr.splitlines()) == 1, completed.stderr
    assert message in completed.stderr


def test_a_query_over_its_time_limit_is_stopped(graph: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    completed = run_cli("query", "--sparql", slow, "--timeout", "0.5", "--graph", str(graph))
    assert completed.returncode == 1
    assert completed.stderr.strip() == "sanctiongraph: error: <sparql>: stopped after the time limit of 0.5 s; raise it with --timeout"


def test_queries_after_a_stopped_one_still_answer(graph: Path) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # seconds on the bundled graph, then it ends
    with pytest.raises(QueryTimeout):
        run_query(slow, graph=graph, timeout=0.1)
    # the abandoned query holds its thread for seconds more: the next ones run on others, answers and errors alike
    assert run_query("commodities", graph=graph, timeout=1).rows == run_query("commodities", graph=graph, timeout=None).rows
    with pytest.raises(QueryError, match="syntax error at line 1"):
        run_query("SELECT ?x WHERE { ?x }", graph=graph, timeout=1)


def test_an_unreachable_endpoint_is_one_line(graph: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    completed = run_cli("query", "cq02-companies-on-us-sanctions-list", "--endpoint", url, "--timeout", "5")
    assert completed.returncode == 1
    assert completed.stderr.startswith(f"sanctiongraph: error: cq02-companies-on-us-sanctions-list: cannot reach the endpoint {url}")
    assert len(completed.stderr.splitlines()) == 1


@pytest.mark.parametrize("scheme", ["file", "ftp", "data"])
def test_an_endpoint_that_is_not_http_is_refused(tmp_path: Path, scheme: str) -> None:
    answer = tmp_path / "answer.srj"  # what urllib would read from a file: URL, and take for the endpoint's answer
    answer.write_text('{"head": {}, "boolean": true}', encoding="utf-8")
    url = {"file": answer.as_uri(), "ftp": "ftp://127.0.0.1/answer.srj", "data": "data:,hello"}[scheme]
    completed = run_cli("query", "--sparql", "ASK { ?s ?p ?o }", "--endpoint", url, "--timeout", "5")
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith(f"sanctiongraph: usage error: the endpoint '{url[:20]}")
    assert completed.stderr.endswith("is not an http(s) URL; only http:// and https:// endpoints are queried\n")
    assert len(completed.stderr.splitlines()) == 1


@pytest.mark.parametrize("answer", [b"<html>not SPARQL</html>", b'{"head": {"vars": ["x"]}', b"\x00\xff" * 50])
def test_an_endpoint_that_answers_the_probe_with_something_else_is_one_line(answer: bytes) -> None:
    """The first request to an endpoint asks whether its default graph has triples; the answer must be SPARQL results."""

    class Junk(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Junk) as junk:
        threading.Thread(target=junk.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{junk.server_address[1]}/sparql"
        completed = run_cli("query", "--sparql", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", url, "--timeout", "10")
        junk.shutdown()
    assert completed.returncode == 1
    assert completed.stderr.startswith(f"sanctiongraph: error: <sparql>: the endpoint {url} sent an unreadable answer: ")
    assert len(completed.stderr.splitlines()) == 1, completed.stderr


def test_a_failing_endpoint_is_one_line(endpoint: str) -> None:
    completed = run_cli("query", "--sparql", "SELECT ?x WHERE { ?x }", "--endpoint", endpoint)
    assert completed.returncode == 1
    assert f"sanctiongraph: error: <sparql>: the endpoint {endpoint} refused the query" in completed.stderr
    assert len(completed.stderr.splitlines()) == 1
