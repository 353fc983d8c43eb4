"""Nothing a client sends makes the server fetch a URL: SERVICE and LOAD are refused by a SPARQL parser, and the
query workers could not fetch anyway (a seccomp filter forbids them every socket).

A listener on 127.0.0.1 records every request it gets; it must get none, over every route and body form that takes
a query or an update, and over the corners of the grammar where a regular-expression reading of a query and the
engine's parser once disagreed (a comment ended by a carriage return, an IRI holding a Unicode space)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import Listener, sanctiongraph_server
from test_server import Answer, fetch

from sanctiongraph.server.federation import FetchRefused, refuse_fetches

TOKEN_ENV = "SANCTIONGRAPH_NO_FETCH_TOKEN"


def corners(url: str) -> dict[str, str]:
    """Queries that each hold a SERVICE to `url`, in the forms the grammar allows."""
    return {
        "plain": f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "lower case, silent": f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "after a comment ended by CR": f"SELECT * WHERE {{ # a note\rSERVICE <{url}> {{ ?s ?p ?o }} }}",
        "after an IRI with a Unicode space": f"SELECT * WHERE {{ BIND (<http://example.org/x\u00a0'> AS ?i) SERVICE <{url}> "
                                             "{ ?s ?p ?o } FILTER (?i != 'y') }",
        "after an IRI with an em space": f"SELECT * WHERE {{ BIND (<http://example.org/\u2003'> AS ?i) SERVICE <{url}> {{ ?s ?p ?o }} "
                                         "FILTER (?i != '') }",
        "keyword by codepoint escapes": f"SELECT * WHERE {{ SERV\\u0049CE <{url}> {{ ?s ?p ?o }} }}",
        "endpoint by codepoint escapes": f"SELECT * WHERE {{ SERVICE <{url.replace(':', chr(92) + 'u003A')}> {{ ?s ?p ?o }} }}",
        "prefixed name": f"PREFIX remote: <{url}>\nSELECT * WHERE {{ SERVICE remote: {{ ?s ?p ?o }} }}",
        "relative to BASE": f"BASE <{url.rsplit('/', 1)[0]}/>\nSELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?endpoint {{ <{url}> }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        "in a subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        "in OPTIONAL after a local escape": f"PREFIX ex: <http://example.org/>\nSELECT * WHERE {{ ?s ex:a\\#b ?o "
                                            f"OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in a UNION": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "in a CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    }


def update_corners(url: str) -> dict[str, str]:
    return {
        "LOAD": f"LOAD <{url}>",
        "LOAD SILENT INTO GRAPH": f"load silent <{url}> into graph <urn:g>",
        "LOAD after a comment ended by CR": f"# a note\rLOAD <{url}>",
        "LOAD after an INSERT DATA": f"INSERT DATA {{ <urn:a> <urn:b> <urn:c> }} ;\nLOAD <{url}>",
        "SERVICE in an INSERT's WHERE": f"INSERT {{ GRAPH <urn:g> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    }


# --- the listener hears Oxigraph when nothing stops it: so its silence below means something

def test_the_listener_hears_an_unsandboxed_engine(listener: Listener) -> None:
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    assert listener.requests == ["POST /sparql"]


# --- the parser's verdict

def test_the_parser_refuses_every_corner(listener: Listener) -> None:
    for name, text in corners(listener.url).items():
        with pytest.raises(FetchRefused):
            refuse_fetches(text)
            pytest.fail(name)
    for name, text in update_corners(listener.url).items():
        with pytest.raises(FetchRefused):
            refuse_fetches(text, update=True)
            pytest.fail(name)


def test_the_parser_passes_queries_without_fetches_unchanged() -> None:
    texts = [
        "SELECT * WHERE { ?s ?p ?o }",
        'SELECT * WHERE { ?s ?p "SERVICE <http://example.org/> { }" }',  # the words inside a string
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://example.org/>\n",  # and in a comment
        "SELECT ?download WHERE { ?s <http://example.org/loads> ?download }",
    ]
    for text in texts:
        assert refuse_fetches(text) == text


def test_a_service_to_the_own_endpoint_is_cut_and_the_rest_checked() -> None:
    own = frozenset({"http://127.0.0.1:8000/sparql"})
    text = "SELECT ?l WHERE { SERVICE <http://127.0.0.1:8000/sparql> { ?s ?p ?l } }"
    assert "SERVICE" not in refuse_fetches(text, own=own)
    with pytest.raises(FetchRefused):
        refuse_fetches(text.replace("?l } }", "?l } SERVICE <http://127.0.0.1:9/sparql> { } }"), own=own)


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(FetchRefused, match="nested too deeply"):
        refuse_fetches("SELECT * WHERE " + "{" * 5000 + " SERVICE <http://127.0.0.1:9/> { } " + "}" * 5000)


# --- the server, over every route and body form

def routes(root: str) -> dict[str, Callable[[str], Answer]]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return {
        "GET /sparql": lambda q: fetch(root + "sparql?" + urllib.parse.urlencode({"query": q})),
        "POST form": lambda q: fetch(root + "sparql", method="POST", data=urllib.parse.urlencode({"query": q}).encode(), headers=form),
        "POST body": lambda q: fetch(root + "sparql", method="POST", data=q.encode(), headers={"Content-Type": "application/sparql-query"}),
        "GET /view": lambda q: fetch(root + "view?" + urllib.parse.urlencode({"query": q})),
    }


@pytest.fixture(scope="module")
def server(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sanctiongraph_server(graph, tmp_path_factory.mktemp("no-fetch")) as root:
        yield root


def test_no_route_fetches(server: str, listener: Listener) -> None:
    for route, send in routes(server).items():
        for name, text in corners(listener.url).items():
            answer = send(text)
            assert answer.status == 400, (route, name, answer.status, answer.text)
            assert "SERVICE" in answer.text, (route, name, answer.text)
    time.sleep(0.2)
    assert listener.requests == []


def test_no_update_fetches(graph: Path, tmp_path: Path, listener: Listener) -> None:
    copy = tmp_path / "graph"
    shutil.copytree(graph, copy, symlinks=True)
    os.environ[TOKEN_ENV] = "t0ken"
    try:
        with sanctiongraph_server(copy, tmp_path, "--allow-updates", "--token-env", TOKEN_ENV) as root:
            auth = {"Authorization": "Bearer t0ken"}
            for name, text in update_corners(listener.url).items():
                for body, media in ((text.encode(), "application/sparql-update"),
                                    (urllib.parse.urlencode({"update": text}).encode(), "application/x-www-form-urlencoded")):
                    answer = fetch(root + "sparql", method="POST", data=body, headers={"Content-Type": media, **auth})
                    assert answer.status == 400, (name, media, answer.text)
            for name, text in corners(listener.url).items():  # a server that takes updates still refuses SERVICE in queries
                assert routes(root)["POST body"](text).status == 400, name
    finally:
        del os.environ[TOKEN_ENV]
    time.sleep(0.2)
    assert listener.requests == []


# --- the sandbox: the workers could not fetch if a query got past the parser

SANDBOXED = """
import socket, sys
import pyoxigraph as ox
from sanctiongraph.server.sandbox import forbid_network
url = sys.argv[1]
host, port = url.split("/")[2].split(":")
forbid_network()
for name, attempt in [
    ("connect", lambda: socket.create_connection((host, int(port)), timeout=2)),
    ("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM)),
    ("socketpair", socket.socketpair),
    ("SERVICE", lambda: list(ox.Store().query("SELECT * WHERE { SERVICE <%s> { ?s ?p ?o } }" % url))),
    ("LOAD", lambda: ox.Store().update("LOAD <%s>" % url)),
]:
    try:
        attempt()
        print(name, "went through")
    except OSError as error:
        print(name, "refused:", error)
print("seccomp", open("/proc/self/status").read().split("Seccomp:")[1].split()[0])
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's seccomp")
def test_a_sandboxed_process_cannot_fetch(listener: Listener) -> None:
    run = subprocess.run([sys.executable, "-c", SANDBOXED, listener.url], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[:2] for line in lines[:-1]] == [[name, "refused:"] for name in ("connect", "udp", "socketpair", "SERVICE", "LOAD")], lines
    assert all("Operation not permitted" in line for line in lines[:-1]), lines
    assert lines[-1] == "seccomp 2"  # SECCOMP_MODE_FILTER
    assert listener.requests == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox is Linux's seccomp")
def test_every_query_worker_of_a_server_is_sandboxed(graph: Path, tmp_path: Path) -> None:
    workdir = tmp_path.resolve()
    with sanctiongraph_server(graph, workdir, "--workers", "3"):
        workers = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.readlink(f"/proc/{pid}/cwd") != str(workdir):
                    continue
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            if b"spawn_main" in command and b"resource_tracker" not in command:
                workers.append(status.split("Seccomp:")[1].split()[0])
        assert workers == ["2"] * 3, workers  # SECCOMP_MODE_FILTER
