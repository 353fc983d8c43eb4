"""Shared fixtures: the graph built once from the bundled sources, and a store loaded with it."""

from __future__ import annotations

import contextlib
import html.parser
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from stores import free_port

from sanctiongraph.builder.dataset import BuildReport, build
from sanctiongraph.query.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
ARTICLE = SOURCES / "articles" / "newsweek-2025-03-russia-mines.txt"


FIXTURES = ROOT / "tests" / "fixtures" / "sources"  # fictional sources that report the first source's events
FIRST_SOURCE = "newsweek-2025-03-russia-mines"
FIRST_GRAPH = f"https://w3id.org/sanctiongraph/graph/source/{FIRST_SOURCE}"
# a SPARQL pattern: ?company is a company the first source names (whatever other sources and companies the graph holds)
FIRST_SOURCE_COMPANY = (f"?company a <https://w3id.org/sanctiongraph/ontology#Company> "
                        f"FILTER EXISTS {{ GRAPH <{FIRST_GRAPH}> {{ ?statement ?names ?company }} }}")


def with_fixture_sources(target: Path, origin: Path = SOURCES) -> Path:
    """A copy of the project's sources with the fixture sources added, as an analyst adds sources: their
    articles, their vocabulary file and their registry entries (those the project does not hold already)."""
    shutil.copytree(origin, target)
    for path in sorted(FIXTURES.rglob("*")):
        copy = target / path.relative_to(FIXTURES)
        if path.is_file() and path.name != "entities.yaml" and not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, copy)
    registry = (target / "entities.yaml").read_text(encoding="utf-8")
    if "\nkuzbass-ledger:" not in registry:
        (target / "entities.yaml").write_text(registry + "\n" + (FIXTURES / "entities.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's sources with the fixture sources added."""
    return with_fixture_sources(tmp_path_factory.mktemp("sources") / "sources")


@pytest.fixture(scope="session")
def built(sources: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    """The graph of the project's sources and the fixture sources: the tests of the first source scope
    themselves to its graph and IDs, so they pass with any other sources present."""
    output = tmp_path_factory.mktemp("graph")
    return output, build(sources, ONTOLOGY, output)


@pytest.fixture(scope="session")
def store(built: tuple[Path, BuildReport]) -> ox.Store:
    return open_store(built[0])


@pytest.fixture(scope="session")
def graph(built: tuple[Path, BuildReport]) -> Path:
    """The folder of the graph built from the bundled sources."""
    return built[0]


@contextlib.contextmanager
def oxigraph_server(dataset: Path, workdir: Path, *, union_default_graph: bool = True) -> Iterator[str]:
    """A real Oxigraph server on 127.0.0.1, loaded with an N-Quads dataset; its default graph the union of the
    named graphs, or (union_default_graph False) Oxigraph's own default: a default graph apart, here empty."""
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    assert oxigraph, "the oxigraph server is missing: pip install oxigraph (the test extra installs it)"
    location = workdir / "oxigraph"
    subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dataset)], check=True, capture_output=True)
    port = free_port()
    log = (workdir / "oxigraph.log").open("wb")
    server = subprocess.Popen(
        [oxigraph, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *(["--union-default-graph"] if union_default_graph else [])],
        stdout=log, stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                assert server.poll() is None, (workdir / "oxigraph.log").read_text()
                assert time.monotonic() < deadline, "oxigraph did not answer within 30 s"
                time.sleep(0.05)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def endpoint(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server(graph / "sanctiongraph.nq", tmp_path_factory.mktemp("server")) as url:
        yield url


@pytest.fixture(scope="session")
def plain_endpoint(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server started as it comes, with no option for us: its default graph is apart and empty."""
    with oxigraph_server(graph / "sanctiongraph.nq", tmp_path_factory.mktemp("plain-server"), union_default_graph=False) as url:
        yield url


@contextlib.contextmanager
def sanctiongraph_server(graph: Path | None, workdir: Path, *options: str, command: Path | None = None,
                         env: dict[str, str] | None = None) -> Iterator[str]:
    """`sanctiongraph serve` in a subprocess on a free port of 127.0.0.1, run in workdir; yields its root URL.
    Without a graph it serves the project of workdir; `command` is another installation's sanctiongraph.

    It is stopped with SIGINT, as Ctrl-C would, and must exit cleanly."""
    command = command or Path(sys.executable).parent / "sanctiongraph"
    log_path = workdir / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(command), "serve", "--port", "0", *(["--graph", str(graph)] if graph else []), "--quiet", *options],
            stdout=log, stderr=subprocess.STDOUT, cwd=workdir, env=env,
        )
        try:
            deadline = time.monotonic() + 60
            while (match := re.search(rb"serving (http://\S+/) ", log_path.read_bytes())) is None:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "sanctiongraph serve did not start within 60 s"
                time.sleep(0.05)
            yield match.group(1).decode()
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0, log_path.read_text()


class Listener:
    """A second local HTTP server that records every request it gets."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                listener.requests.append(f"{self.command} {self.path}")
                self.send_response(500)
                self.end_headers()

            do_POST = do_GET  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    recorder = Listener()
    yield recorder
    recorder.server.shutdown()
    recorder.server.server_close()


# --- hostile input: a label, a literal, an IRI, a base IRI and a request that try to become markup

PAYLOAD = "\"'><img src=x onerror=alert(1)></script><script>alert(2)</script><!-- \u2028&amp;"
HOSTILE_BASE = "https://kg.example/it's&amp;&lt;img&gt;'/"  # the deployment's base IRI: the worst a valid IRI can hold (serve refuses <, >, quotes, spaces)
SG = "https://w3id.org/sanctiongraph/ontology#"
BASE = "https://w3id.org/sanctiongraph/"
HOSTILE_ENTITY = BASE + "id/javascript:alert(4)"  # its page links its formats as javascript:alert(4).ttl ...
HOSTILE_STATEMENT = BASE + "id/source/hostile/statement"
TOKEN_ENV = "SANCTIONGRAPH_HOSTILE_TOKEN"


def hostile_graphs() -> dict[str, list[ox.Triple]]:
    """Triples by named graph: an entity of a class and with a relation whose labels are the payload, with literals and
    IRIs (javascript:, a quote in an IRI) as values, and a statement about it quoting the payload from a source."""
    rdf, rdfs, prov, oa = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
                           "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#")
    node, text = ox.NamedNode, ox.Literal
    entity, statement, document = node(HOSTILE_ENTITY), node(HOSTILE_STATEMENT), node(BASE + "id/source/hostile")
    cls, relation, label, kind = node(SG + "Hostile"), node(SG + "hostileRelation"), node(rdfs + "label"), node(rdf + "type")
    evidence, selector, sentence = node(HOSTILE_STATEMENT + "/evidence"), node(HOSTILE_STATEMENT + "/quote"), node(HOSTILE_STATEMENT + "/sentence")
    return {
        BASE + "graph/ontology": [ox.Triple(cls, label, text(PAYLOAD)), ox.Triple(relation, label, text(PAYLOAD))],
        BASE + "graph/registry": [
            ox.Triple(entity, kind, cls), ox.Triple(entity, label, text(PAYLOAD)), ox.Triple(entity, node(rdfs + "comment"), text(PAYLOAD, language="en")),
            ox.Triple(entity, relation, node("javascript:alert(5)")), ox.Triple(entity, relation, node("https://evil.example/'onmouseover='alert(6)'")),
        ],
        BASE + "graph/source/hostile": [
            ox.Triple(document, label, text(PAYLOAD)), ox.Triple(statement, kind, cls), ox.Triple(statement, label, text(PAYLOAD)),
            ox.Triple(statement, node(SG + "statedIn"), document), ox.Triple(statement, relation, entity),
            ox.Triple(statement, node(prov + "wasAttributedTo"), entity), ox.Triple(statement, node(SG + "evidence"), evidence),
            ox.Triple(evidence, node(oa + "hasSelector"), selector), ox.Triple(selector, node(oa + "exact"), text(PAYLOAD)),
            ox.Triple(evidence, node(SG + "sentence"), sentence), ox.Triple(sentence, node(rdf + "value"), text(f"Before {PAYLOAD} after.")),
            ox.Triple(sentence, node(SG + "sentenceIndex"), text("0", datatype=node("http://www.w3.org/2001/XMLSchema#integer"))),
        ],
    }


@pytest.fixture(scope="session")
def hostile_server(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server under a hostile base IRI, on a copy of the graph whose VoID title and description are the payload and
    to which the hostile triples were written through the Graph Store Protocol (with the token)."""
    workdir = tmp_path_factory.mktemp("hostile")
    copy = workdir / "graph"
    shutil.copytree(graph, copy, symlinks=True)
    void = copy / "void.ttl"
    dataset, dcterms = ox.NamedNode(BASE + "dataset"), "http://purl.org/dc/terms/"
    hostile = {ox.NamedNode(dcterms + "title"), ox.NamedNode(dcterms + "description")}
    void.write_bytes(ox.serialize(
        [ox.Triple(q.subject, q.predicate, ox.Literal(PAYLOAD) if q.subject == dataset and q.predicate in hostile else q.object)
         for q in ox.parse(void.read_bytes(), format=ox.RdfFormat.TURTLE)], format=ox.RdfFormat.TURTLE))
    token = "hostile-test-token"
    os.environ[TOKEN_ENV] = token
    try:
        with sanctiongraph_server(copy, workdir, "--allow-updates", "--token-env", TOKEN_ENV, "--base-iri", HOSTILE_BASE) as root:
            for name, triples in hostile_graphs().items():
                request = urllib.request.Request(
                    root + "store?graph=" + urllib.parse.quote(name, safe=""), method="POST",
                    data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                    headers={"Content-Type": "application/n-triples", "Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request, timeout=30) as response:
                    assert response.status in (201, 204)
            yield root
    finally:
        os.environ.pop(TOKEN_ENV, None)


def hostile_pages() -> dict[str, tuple[str, dict[str, str]]]:
    """Every kind of page, each reached by the payload: its path and the request headers."""
    html = {"Accept": "text/html"}
    return {
        "resource": ("id/" + urllib.parse.quote("javascript:alert(4)") + ".html", {}),
        "statement": ("id/source/hostile/statement.html", {}),
        "dataset": ("", html),
        "named queries": ("queries", html),
        "query form with an error": ("queries/entity-profile?" + urllib.parse.urlencode({"entity": PAYLOAD}), html),
        "query form with results": ("queries/entity-profile?" + urllib.parse.urlencode({"entity": HOSTILE_BASE + "id/javascript:alert(4)"}), html),
        "query editor": ("sparql", html),
    }


class _Parsed(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def injected(page: str) -> list[str]:
    """What in an HTML page could only come from injected markup: elements no page has (img, svg, iframe, object,
    embed), event handler attributes, inline scripts other than JSON data, javascript: links."""
    parsed = _Parsed()
    parsed.feed(page)
    parsed.close()
    found = []
    for tag, attrs in parsed.elements:
        if tag in ("img", "svg", "iframe", "object", "embed"):
            found.append(f"<{tag}>")
        found += [f"<{tag} {name}>" for name in attrs if name.startswith("on")]
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            found.append("an inline script")
        found += [f"<{tag} {name}={value!r}>" for name, value in attrs.items()
                  if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:")]
    return found


def page_text(page: str) -> str:
    """The text of an HTML page and the values of its attributes as a browser reads them (with the contents of its
    script elements), one per line."""
    parsed = _Parsed()
    parsed.feed(page)
    parsed.close()
    return "\n".join(["".join(parsed.text), *(value or "" for _, attrs in parsed.elements for value in attrs.values())])
