"""`sanctiongraph serve` as its users meet it: started in a subprocess, asked by SPARQLWrapper, rdflib and raw HTTP,
and by hostile requests: updates, Graph Store writes, SERVICE and LOAD, slow and huge queries, too many clients."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import (
    FIRST_SOURCE_COMPANY,
    HOSTILE_BASE,
    PAYLOAD,
    QUERIES,
    Listener,
    hostile_pages,
    injected,
    page_text,
    sanctiongraph_server,
)
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

from sanctiongraph.errors import shown
from sanctiongraph.query.library import load_queries
from sanctiongraph.query.running import run_query

SG = "https://w3id.org/sanctiongraph/ontology#"
ID = "https://w3id.org/sanctiongraph/id/"
PREFIX = f"PREFIX sg: <{SG}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
COMPANIES = PREFIX + f"SELECT ?company ?label WHERE {{ {FIRST_SOURCE_COMPANY} ?company rdfs:label ?label }} ORDER BY ?label"
SECTORS = PREFIX + f"CONSTRUCT {{ ?company sg:inSector ?sector }} WHERE {{ {FIRST_SOURCE_COMPANY} ?company sg:inSector ?sector }}"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIBRARY = load_queries(QUERIES)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def fetch(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict[str, str] | None = None,
          timeout: float = 30) -> Answer:
    """One HTTP exchange, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())


def sparql(root: str, query: str, accept: str = "", **extra: str) -> Answer:
    body = urllib.parse.urlencode({"query": query, **extra}).encode()
    return fetch(root + "sparql", method="POST", data=body,
                 headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})


@pytest.fixture(scope="module")
def server(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sanctiongraph_server(graph, tmp_path_factory.mktemp("serve"), "--timeout", "5", "--max-results", "2000") as root:
        yield root


# --- real clients

def test_sparqlwrapper_select_construct_ask(server: str) -> None:
    client = SPARQLWrapper(server + "sparql")
    client.setQuery(COMPANIES)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert [r["label"]["value"] for r in rows] == ["Mechel", "Raspadskaya", "SUEK"]
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    assert len(client.query().convert()["results"]["bindings"]) == 3  # type: ignore[index]

    client = SPARQLWrapper(server + "sparql")
    client.setQuery(SECTORS)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 3
    assert (rdflib.URIRef(ID + "mechel"), rdflib.URIRef(SG + "inSector"), rdflib.URIRef(ID + "russian-coal-industry")) in graph

    client = SPARQLWrapper(server + "sparql")
    client.setReturnFormat(JSON)
    client.setQuery(PREFIX + "ASK { ?s a sg:Listing }")
    assert client.query().convert()["boolean"] is True  # type: ignore[index]
    client.setQuery(PREFIX + "ASK { ?s a sg:Nothing }")
    assert client.query().convert()["boolean"] is False  # type: ignore[index]


def test_rdflib_sparql_store(server: str) -> None:
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(server + "sparql", returnFormat="xml")
    rows = list(rdflib.Graph(store=store).query(COMPANIES))
    assert sorted(str(row[1]) for row in rows) == ["Mechel", "Raspadskaya", "SUEK"]  # type: ignore[index]


def test_oxigraph_federates_to_it(server: str) -> None:
    """Oxigraph's own SPARQL client (its SERVICE) queries the server."""
    rows = list(ox.Store().query(f"SELECT ?label WHERE {{ SERVICE <{server}sparql> {{ <{ID}mechel> <http://www.w3.org/2000/01/rdf-schema#label> ?label }} }}"))
    assert [row["label"].value for row in rows] == ["Mechel"]


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_named_query_answers_as_on_the_embedded_store(graph: Path, server: str, name: str) -> None:
    query = LIBRARY[name]
    examples = {p.name: p.example for p in query.parameters}
    remote = run_query(query, examples, endpoint=server + "sparql")
    local = run_query(query, examples, graph=graph)
    assert remote.variables == local.variables
    assert Counter(remote.rows) == Counter(local.rows)


# --- the protocol, every content type

@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                    "text/tab-separated-values", "application/json"])
def test_select_in_every_results_format(server: str, accept: str) -> None:
    answer = sparql(server, COMPANIES, accept)
    assert answer.status == 200, answer.text
    assert answer.headers["content-type"].startswith(accept)
    if "json" in accept:
        labels = [b["label"]["value"] for b in json.loads(answer.body)["results"]["bindings"]]
    elif "xml" in accept:
        ns = "{http://www.w3.org/2005/sparql-results#}"
        labels = [b.findtext(f"{ns}literal") or "" for b in ET.fromstring(answer.body).iter(f"{ns}binding") if b.get("name") == "label"]
    else:
        separator = "," if accept == "text/csv" else "\t"
        labels = [line.split(separator)[1].split('"@')[0].strip('"') for line in answer.text.splitlines()[1:]]
    assert labels == ["Mechel", "Raspadskaya", "SUEK"]


@pytest.mark.parametrize(("accept", "rdflib_format"), [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                                      ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_and_describe_in_every_rdf_format(server: str, accept: str, rdflib_format: str) -> None:
    answer = sparql(server, SECTORS, accept)
    assert answer.status == 200 and answer.headers["content-type"].startswith(accept), answer.text
    assert len(rdflib.Graph().parse(data=answer.body, format=rdflib_format)) == 3
    described = sparql(server, f"DESCRIBE <{ID}mechel>", accept)
    parsed = rdflib.Graph().parse(data=described.body, format=rdflib_format)
    assert (rdflib.URIRef(ID + "mechel"), rdflib.RDFS.label, rdflib.Literal("Mechel", lang="en")) in parsed


def test_get_and_direct_post(server: str) -> None:
    by_get = fetch(server + "sparql?" + urllib.parse.urlencode({"query": COMPANIES}), headers={"Accept": "text/csv"})
    direct = fetch(server + "sparql", method="POST", data=COMPANIES.encode(),
                   headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert by_get.status == direct.status == 200
    assert by_get.body == direct.body and b"Mechel" in by_get.body


def test_dataset_of_the_protocol(server: str) -> None:
    registry = "https://w3id.org/sanctiongraph/graph/registry"
    count = PREFIX + f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?s {{ <{ID}mechel> <{ID}raspadskaya> <{ID}suek> }} ?s a sg:Company }}"
    only_registry = sparql(server, count, "text/csv", **{"default-graph-uri": registry})
    assert only_registry.text.splitlines()[1] == "3"
    provenance = sparql(server, count, "text/csv", **{"default-graph-uri": "https://w3id.org/sanctiongraph/graph/provenance"})
    assert provenance.text.splitlines()[1] == "0"


def test_service_description(server: str) -> None:
    answer = fetch(server + "sparql", headers={"Accept": "text/turtle"})
    assert answer.status == 200
    described = rdflib.Graph().parse(data=answer.body, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    assert (None, sd.endpoint, rdflib.URIRef(server + "sparql")) in described
    assert (None, sd.supportedLanguage, sd.SPARQL11Query) in described
    assert (None, sd.supportedLanguage, sd.SPARQL11Update) not in described
    assert len(list(described.objects(None, sd.name))) >= 4


def test_errors(server: str) -> None:
    malformed = sparql(server, "SELECT ?x WHERE {\n  ?x ?y\n}")
    assert malformed.status == 400
    assert "SPARQL syntax error at line 3, column 2" in malformed.text
    assert sparql(server, COMPANIES, "image/png").status == 406
    assert fetch(server + "sparql", method="POST", data=b"x", headers={"Content-Type": "text/plain"}).status == 415
    assert fetch(server + "sparql", method="DELETE").status == 405


# --- safe by default

def test_updates_are_refused(server: str) -> None:
    insert = f"INSERT DATA {{ <{ID}x> <{SG}p> 1 }}"
    form = fetch(server + "sparql", method="POST", data=urllib.parse.urlencode({"update": insert}).encode(),
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    direct = fetch(server + "sparql", method="POST", data=insert.encode(), headers={"Content-Type": "application/sparql-update"})
    assert form.status == direct.status == 403 and "read-only" in form.text
    assert fetch(server + "sparql?" + urllib.parse.urlencode({"update": insert})).status == 405
    assert sparql(server, insert).status == 400  # not a query
    client = SPARQLWrapper(server + "sparql")
    client.setMethod(POST)
    client.setQuery(insert)
    with pytest.raises(urllib.error.HTTPError) as refused:
        client.query()
    refused.value.close()
    assert refused.value.code == 403
    assert "0" in sparql(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ <{ID}x> ?p ?o }}", "text/csv").text.splitlines()[1]


def test_graph_store_reads_and_refuses_writes(server: str) -> None:
    registry = urllib.parse.quote("https://w3id.org/sanctiongraph/graph/registry", safe="")
    answer = fetch(server + f"store?graph={registry}", headers={"Accept": "application/n-triples"})
    assert answer.status == 200 and f"<{ID}mechel>".encode() in answer.body
    for method in ("PUT", "POST", "DELETE"):
        refused = fetch(server + f"store?graph={registry}", method=method, data=b"<urn:a> <urn:b> <urn:c> .",
                        headers={"Content-Type": "application/n-triples"})
        assert refused.status == 403, (method, refused.text)
    assert fetch(server + "store?graph=urn%3Anone").status == 404
    assert fetch(server + "store").status == 400


def test_service_to_another_host_is_refused_and_never_called(server: str, listener: Listener) -> None:
    url = listener.url
    attempts = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE # a comment\n <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://127.0.0.1/>\nSELECT * WHERE {{ ?s ex:a\\#b ?o SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX remote: <{url}>\nSELECT * WHERE {{ SERVICE remote: {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    ]
    for query in attempts:
        answer = sparql(server, query)
        assert answer.status == 400, (query, answer.text)
        assert "SERVICE" in answer.text, answer.text
    time.sleep(0.2)
    assert listener.requests == []


def test_service_to_its_own_endpoint_runs_here(server: str) -> None:
    query = PREFIX + f"SELECT ?label WHERE {{ SERVICE <{server}sparql> {{ <{ID}mechel> rdfs:label ?label }} }}"
    answer = sparql(server, query, "text/csv")
    assert answer.status == 200 and answer.text.splitlines()[1] == "Mechel"


def test_a_query_over_the_time_limit_is_stopped(server: str) -> None:
    started = time.monotonic()
    answer = sparql(server, SLOW)
    elapsed = time.monotonic() - started
    assert answer.status == 503, answer.text
    assert "stopped after the time limit of 5 s" in answer.text and answer.headers["retry-after"] == "1"
    assert elapsed < 15, elapsed
    assert sparql(server, COMPANIES).status == 200  # a fresh worker took over


def test_a_result_over_the_size_limit_is_an_error(server: str) -> None:
    answer = sparql(server, "SELECT * WHERE { ?s ?p ?o }")
    assert answer.status == 400 and "more than 2000 rows, the limit" in answer.text
    assert sparql(server, "SELECT * WHERE { ?s ?p ?o } LIMIT 2000").status == 200
    assert sparql(server, "CONSTRUCT WHERE { ?s ?p ?o }").status == 400


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
            for p in sorted(folder.rglob("*"))}


def test_no_request_writes_a_file(graph: Path, tmp_path: Path, listener: Listener) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    before = snapshot(graph)
    with sanctiongraph_server(graph, workdir) as root:
        in_workdir = set(os.listdir(workdir))
        hostile = [
            fetch(root + "../../../etc/passwd"), fetch(root + "assets/..%2F..%2Fpyproject.toml"),
            fetch(root + "graph/sanctiongraph.nq/../../pyproject.toml"), fetch(root + "graph/store"),
            fetch(root + "store?graph=urn%3Ax", method="PUT", data=b"<urn:a> <urn:b> <urn:c> .",
                  headers={"Content-Type": "application/n-triples"}),
            fetch(root + "sparql", method="POST", data=f"LOAD <{listener.url}>".encode(),
                  headers={"Content-Type": "application/sparql-update"}),
            sparql(root, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "application/n-triples"),
            fetch(root + "id/mechel.ttl", method="PUT", data=b"x"),
        ]
        assert [a.status for a in hostile] == [404, 404, 404, 404, 403, 403, 200, 405]
        assert set(os.listdir(workdir)) == in_workdir
    assert snapshot(graph) == before
    assert listener.requests == []


# --- named queries

def test_named_queries(server: str) -> None:
    listing = json.loads(fetch(server + "queries").body)
    assert {q["name"] for q in listing} == set(LIBRARY)
    target = next(q for q in listing if q["name"] == "sanctions-on-target")
    assert target["parameters"][0]["name"] == "target"
    answer = fetch(server + "queries/sanctions-on-target?target=suek", headers={"Accept": "text/csv"})
    assert answer.status == 200 and "major companies like SUEK and Mechel" in answer.text
    as_iri = fetch(server + "queries/sanctions-on-target?" + urllib.parse.urlencode({"target": ID + "suek"}))
    assert json.loads(as_iri.body)["results"]["bindings"]
    missing = fetch(server + "queries/sanctions-on-target")
    assert missing.status == 400 and "needs --param target" in missing.text
    hostile = fetch(server + "queries/entity-profile?" + urllib.parse.urlencode({"entity": "<x> } ; DROP ALL ; #"}))
    assert hostile.status == 400 and "is not an IRI" in hostile.text
    unknown = fetch(server + "queries/cq2-companies")
    assert unknown.status == 404 and "cq02-companies-on-us-sanctions-list" in unknown.text
    page = fetch(server + "queries/sanctions-on-target?target=mechel", headers={"Accept": "text/html"})
    assert page.status == 200 and "<table" in page.text and "Mechel has been added to the US sanctions list." in page.text
    form = fetch(server + "queries/sanctions-on-target", headers={"Accept": "text/html"})
    assert form.status == 200 and 'name="target"' in form.text


def test_named_queries_come_from_the_library_only(server: str, tmp_path: Path) -> None:
    (tmp_path / "valid.rq").write_text("# title: Outside\n# description: not in the library\nSELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "malformed.rq").write_text("SELECT * WHERE { ?s ?p ?o }\n")  # no header: a QueryError once loaded
    view = next((QUERIES / "views").glob("*.rq"))
    names = [str(tmp_path / "valid"), str(tmp_path / "malformed"), str(tmp_path / "missing"),
             f"views/{view.stem}", f"../queries/views/{view.stem}", "../" * 12 + str(tmp_path / "valid")[1:]]
    for name in names:
        answer = fetch(server + "queries/" + urllib.parse.quote(name, safe="/"))
        assert answer.status == 404, (name, answer.status, answer.text)
        assert answer.text == f"no query named {shown(name)}; /queries lists them\n", answer.text


# --- linked data

def test_entity_iris_dereference_by_content_negotiation(server: str) -> None:
    for accept, target in [("text/html", "mechel.html"), ("text/turtle", "mechel.ttl"), ("application/ld+json", "mechel.jsonld"),
                           ("application/n-triples", "mechel.nt"), ("application/rdf+xml", "mechel.rdf"), ("", "mechel.html")]:
        answer = fetch(server + "id/mechel", headers={"Accept": accept})
        assert (answer.status, answer.headers["location"]) == (303, target), accept
    for suffix, rdflib_format in [("ttl", "turtle"), ("jsonld", "json-ld"), ("nt", "nt"), ("rdf", "xml")]:
        described = rdflib.Graph().parse(data=fetch(server + f"id/mechel.{suffix}").body, format=rdflib_format)
        mechel = rdflib.URIRef(ID + "mechel")
        assert (mechel, rdflib.RDF.type, rdflib.URIRef(SG + "Company")) in described
        assert (None, rdflib.URIRef(SG + "listedEntity"), mechel) in described  # what points at it
    assert fetch(server + "id/no-such-entity").status == 404
    assert fetch(server + "id/no-such-entity.html").status == 404
    assert fetch(server + "id/not%20an%20iri%3C%3E").status == 404
    assert fetch(server + "store?graph=not%20an%20iri").status == 400


def test_entity_page_shows_facts_evidence_and_links(server: str) -> None:
    page = fetch(server + "id/mechel.html").text
    assert "<h1>Mechel</h1>" in page and "https://w3id.org/sanctiongraph/id/mechel" in page
    assert "Mechel has been added to the US sanctions list." in page
    assert "major companies like SUEK and Mechel being added to the U.S. sanctions list" in page  # the evidence
    assert "Russia shutting down its mines as Putin woos Trump with minerals" in page  # the source
    assert 'href="../id/russia"' in page and "NYSE:MTL" in page


def test_network_views_of_an_entity_and_of_a_construct(server: str) -> None:
    page = fetch(server + "id/mechel.html").text
    assert 'href="../view/id/mechel"' in page
    view = fetch(server + "view/id/mechel")
    assert view.status == 200 and "Mechel" in view.text and "vis.Network" in view.text
    assert "script-src 'unsafe-inline'" in view.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in view.headers["content-security-policy"]
    assert fetch(server + "view/id/no-such-entity").status == 404
    assert "network view" not in fetch(server + "id/source/newsweek-2025-03-russia-mines.html").text
    drawn = fetch(server + "view?" + urllib.parse.urlencode({"query": SECTORS}))
    assert drawn.status == 200 and "Raspadskaya" in drawn.text
    not_construct = fetch(server + "view?" + urllib.parse.urlencode({"query": COMPANIES}))
    assert not_construct.status == 400 and "not a CONSTRUCT" in not_construct.text


def test_statement_claim_and_source_pages(server: str) -> None:
    statement = fetch(server + "id/source/newsweek-2025-03-russia-mines/eu-coal-embargo.html").text
    assert "<mark>Europe imposed a full embargo on Russia’s coal in April 2022, which included a ban on imports.</mark>" in statement
    claim = fetch(server + "id/source/newsweek-2025-03-russia-mines/seredyuk-to-parliament.html").text
    assert "Kemerovo regional governor Ilya Seredyuk told the local parliament that" in claim
    source = fetch(server + "id/source/newsweek-2025-03-russia-mines.html").text
    assert source.count('class="statement"') >= 100
    ontology = fetch(server + "ontology.html").text
    assert 'id="Company"' in ontology
    described = rdflib.Graph().parse(data=fetch(server + "ontology.ttl").body, format="turtle")
    assert (rdflib.URIRef(SG + "Company"), rdflib.RDF.type, rdflib.OWL.Class) in described


def test_hostile_text_on_every_page_is_shown_as_text(hostile_server: str) -> None:
    for kind, (path, headers) in hostile_pages().items():
        answer = fetch(hostile_server + path, headers=headers)
        assert answer.status == (400 if kind == "query form with an error" else 200), kind
        assert answer.headers["content-type"].startswith("text/html"), kind
        assert injected(answer.text) == [], kind
        if kind == "query editor":  # the base IRI reaches the examples' texts, which the page reads as JSON
            examples = re.search(r'<script type="application/json" id="examples">(.*?)</script>', answer.text, re.S)
            assert examples and any(HOSTILE_BASE in e["text"] for e in json.loads(examples.group(1))), kind
        elif kind != "named queries":  # the library is the project's own; nothing of the request reaches that page
            assert PAYLOAD in page_text(answer.text), kind
    resource = fetch(hostile_server + hostile_pages()["resource"][0]).text
    assert '<span title="javascript:alert(5)">javascript:alert(5)</span>' in resource, "a javascript: IRI is shown, not linked"
    assert 'href="./javascript:alert(4).ttl"' in resource, "a link to the resource's formats stays relative"
    assert HOSTILE_BASE + "id/javascript:alert(4)" in page_text(resource), "the resource's IRI under the deployment's base"


def test_dataset_root_void_and_dumps(graph: Path, server: str) -> None:
    root = fetch(server, headers={"Accept": "text/html"})
    assert root.status == 200 and 'href="./sparql"' in root.text and "Mechel" in root.text
    void = rdflib.Graph().parse(data=fetch(server, headers={"Accept": "text/turtle"}).body, format="turtle")
    assert (rdflib.URIRef("https://w3id.org/sanctiongraph/dataset"), rdflib.RDF.type, rdflib.URIRef("http://rdfs.org/ns/void#Dataset")) in void
    assert (None, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), rdflib.URIRef(server + "sparql")) in void
    assert fetch(server + ".well-known/void").headers["content-type"].startswith("text/turtle")
    assert fetch(server + "dataset").headers["location"] == "./"
    dump = fetch(server + "graph/sanctiongraph.nq")
    assert dump.headers["content-type"].startswith("application/n-quads") and dump.body == (graph / "sanctiongraph.nq").read_bytes()


def test_no_cors_by_default(server: str) -> None:
    answer = fetch(server + "sparql?" + urllib.parse.urlencode({"query": COMPANIES}), headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in answer.headers


def test_deployment_base_and_cors(graph: Path, tmp_path: Path) -> None:
    base = "https://kg.example.org/data/"
    options = ("--base-iri", base, "--cors", "https://app.example.org")
    with sanctiongraph_server(graph, tmp_path, *options) as root:
        described = fetch(root + "id/mechel.ttl").text
        assert f"<{base}id/mechel>" in described or "id:mechel" in described
        assert "w3id.org" not in described
        query = f"SELECT ?label WHERE {{ <{base}id/mechel> <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"
        assert sparql(root, query, "text/csv").text.splitlines()[1] == "Mechel"
        rows = json.loads(sparql(root, COMPANIES).body)["results"]["bindings"]
        assert {r["company"]["value"] for r in rows} == {base + "id/mechel", base + "id/raspadskaya", base + "id/suek"}
        named = fetch(root + "queries/sanctions-on-target?" + urllib.parse.urlencode({"target": base + "id/suek"}), headers={"Accept": "text/csv"})
        assert "major companies like SUEK" in named.text and base + "id/source/" in named.text
        assert b"w3id.org" not in fetch(root + "graph/sanctiongraph.nq").body
        page = fetch(root + "id/mechel.html").text
        assert base + "id/mechel" in page and 'href="../id/russia"' in page
        editor = fetch(root + "sparql", headers={"Accept": "text/html"}).text
        assert f"{base}ontology#" in editor and "w3id.org" not in editor
        allowed = fetch(root + "sparql", method="OPTIONS", headers={"Origin": "https://app.example.org", "Access-Control-Request-Method": "POST"})
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
        assert "POST" in allowed.headers["access-control-allow-methods"]
        other = fetch(root + "sparql?" + urllib.parse.urlencode({"query": COMPANIES}), headers={"Origin": "https://other.example"})
        assert "access-control-allow-origin" not in other.headers


# --- updates with a token

def test_updates_and_graph_store_writes_need_the_token(graph: Path, tmp_path: Path, listener: Listener) -> None:
    copy = tmp_path / "graph"
    shutil.copytree(graph, copy, symlinks=True)
    token = "s3cret-token"
    os.environ["SANCTIONGRAPH_TEST_TOKEN"] = token
    try:
        with sanctiongraph_server(copy, tmp_path, "--allow-updates", "--token-env", "SANCTIONGRAPH_TEST_TOKEN") as root:
            insert = f"INSERT DATA {{ GRAPH <urn:test> {{ <{ID}x> <{SG}p> 1 }} }}"

            def update(text: str, token_given: str | None) -> Answer:
                headers = {"Content-Type": "application/sparql-update"}
                if token_given is not None:
                    headers["Authorization"] = f"Bearer {token_given}"
                return fetch(root + "sparql", method="POST", data=text.encode(), headers=headers)

            assert update(insert, None).status == 401
            assert update(insert, "wrong").status == 403
            assert update(insert, token).status == 204
            assert sparql(root, f"ASK {{ <{ID}x> <{SG}p> 1 }}", "application/json").body.count(b"true") == 1
            assert update(f"LOAD <{listener.url}>", token).status == 400
            graph_url = root + "store?graph=urn%3Aextra"
            put = fetch(graph_url, method="PUT", data=b"<urn:a> <urn:b> <urn:c> .", headers={
                "Content-Type": "application/n-triples", "Authorization": f"Bearer {token}"})
            assert put.status == 201
            assert b"<urn:a> <urn:b> <urn:c>" in fetch(graph_url, headers={"Accept": "application/n-triples"}).body
            assert fetch(graph_url, method="DELETE", headers={"Authorization": f"Bearer {token}"}).status == 204
    finally:
        del os.environ["SANCTIONGRAPH_TEST_TOKEN"]
    assert listener.requests == []


def test_serve_refuses_bad_options_and_a_missing_graph(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sanctiongraph.cli import main

    assert main(["serve", "--graph", str(tmp_path), "--allow-updates"]) == 2
    assert main(["serve", "--graph", str(tmp_path), "--base-iri", "https://example.org/no-slash"]) == 2
    assert main(["serve", "--graph", str(tmp_path), "--base-iri", "https://example.org/<script>/"]) == 2
    assert main(["serve", "--graph", str(tmp_path), "--port", "0"]) == 1
    assert "run `sanctiongraph build` first" in capsys.readouterr().err


# --- overload and shutdown

def test_a_query_over_the_memory_limit_ends_its_worker_only(graph: Path, tmp_path: Path) -> None:
    with sanctiongraph_server(graph, tmp_path, "--worker-memory", "400", "--workers", "1") as root:
        greedy = "SELECT ?a ?c ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?c ?d LIMIT 1"
        answer = sparql(root, greedy)
        assert answer.status == 500 and "out of its memory limit" in answer.text
        assert sparql(root, COMPANIES).status == 200


def test_a_query_that_crashes_the_parser_ends_its_worker_only(server: str) -> None:
    deep = "SELECT * WHERE " + "{" * 100_000 + "?s ?p ?o" + "}" * 100_000
    answer = sparql(server, deep)
    assert answer.status in (400, 500), answer.text
    assert sparql(server, COMPANIES).status == 200


def test_overload_answers_503_and_recovers(graph: Path, tmp_path: Path) -> None:
    with sanctiongraph_server(graph, tmp_path, "--workers", "1", "--connections", "4", "--wait", "0.5", "--timeout", "3") as root:
        busy = PREFIX + "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a sg:Company . ?e a sg:Claim }"
        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = Counter(pool.map(lambda _: sparql(root, busy, timeout=60).status, range(80)))
        assert statuses[503] > 0, statuses
        assert set(statuses) <= {200, 503}, statuses
        assert sparql(root, COMPANIES).status == 200


def test_ctrl_c_stops_the_server_and_its_workers(graph: Path, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    command = [str(Path(sys.executable).parent / "sanctiongraph"), "serve", "--port", "0", "--graph", str(graph), "--workers", "2"]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while (match := re.search(rb"serving (http://\S+/) ", log.read_bytes())) is None:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        assert fetch(match.group(1).decode()).status == 200
        workers = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
        assert len(workers) >= 2  # the query workers, and multiprocessing's resource tracker
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert log.read_text().rstrip().endswith("sanctiongraph: stopped")
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() and "zombie" not in Path(f"/proc/{w}/status").read_text() for w in workers):
        assert time.monotonic() < deadline, "a worker outlived the server"
        time.sleep(0.1)
