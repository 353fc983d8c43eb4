"""`sanctiongraph serve` as an HTTP/1.1 server: kept-alive connections, gzip, downloads from disk, chunked bodies,
a time limit per request, /health, the access log; and memory mode, for the server and `open_graph`."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import sanctiongraph_server
from test_server import SLOW, fetch, sparql

import sanctiongraph
from sanctiongraph.builder.builds import CURRENT

MANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 500"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def served(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A server with a short time limit and few connection slots, logging requests to a file."""
    workdir = tmp_path_factory.mktemp("serve-http")
    log = workdir / "access.log"
    with sanctiongraph_server(graph, workdir, "--timeout", "3", "--connections", "4", "--access-log", str(log)) as root:
        yield root, log


def connect(root: str) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(root)
    return http.client.HTTPConnection(str(parts.hostname), parts.port, timeout=30)


def test_requests_share_one_kept_alive_connection(served: tuple[str, Path]) -> None:
    connection = connect(served[0])
    try:
        sockets = set()
        for path in ("/health", "/queries", "/sparql?query=" + urllib.parse.quote(COUNT)):
            connection.request("GET", path, headers={"Accept": "text/csv, application/json"})
            response = connection.getresponse()
            assert response.status == 200 and response.version == 11 and not response.will_close, path
            response.read()
            sockets.add(id(connection.sock))
        assert len(sockets) == 1
    finally:
        connection.close()


def test_results_and_pages_are_gzipped_for_clients_that_take_it(served: tuple[str, Path]) -> None:
    root = served[0]
    plain = sparql(root, MANY, "text/csv")
    packed = fetch(root + "sparql", method="POST", data=urllib.parse.urlencode({"query": MANY}).encode(),
                   headers={"Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded", "Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers and plain.body.startswith(b"s,p,o\r\n") and len(plain.body) > 50_000
    assert packed.headers["content-encoding"] == "gzip" and "Accept-Encoding" in packed.headers["vary"]
    assert gzip.decompress(packed.body) == plain.body and len(packed.body) < len(plain.body) / 3
    page = fetch(root + "queries", headers={"Accept": "text/html", "Accept-Encoding": "br, gzip;q=0.5"})
    assert page.headers["content-encoding"] == "gzip" and b"<html" in gzip.decompress(page.body)
    refused = fetch(root + "queries", headers={"Accept": "text/html", "Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers and b"<html" in refused.body


def test_a_download_is_the_file_and_a_dropped_one_frees_its_slot(served: tuple[str, Path], graph: Path) -> None:
    root = served[0]
    expected = (Path(os.path.realpath(graph / CURRENT)) / "sanctiongraph.nq").read_bytes()
    answer = fetch(root + "graph/sanctiongraph.nq", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200 and answer.body == expected and int(answer.headers["content-length"]) == len(expected)
    for _ in range(8):  # twice the server's connection slots: each dropped download must give its slot back
        connection = connect(root)
        connection.request("GET", "/graph/sanctiongraph.nq")
        assert connection.getresponse().read(1000)
        connection.close()
    assert sparql(root, COUNT, "text/csv").status == 200


def test_a_chunked_body_is_read(served: tuple[str, Path]) -> None:
    connection = connect(served[0])
    try:
        parts = (part.encode() for part in ("SELECT (COUNT(*) AS ?n) ", "WHERE { GRAPH ?g ", "{ ?s ?p ?o } }"))
        connection.request("POST", "/sparql", body=parts, encode_chunked=True,
                           headers={"Content-Type": "application/sparql-query", "Accept": "text/csv", "Transfer-Encoding": "chunked"})
        response = connection.getresponse()
        assert response.status == 200 and response.read() == sparql(served[0], COUNT, "text/csv").body
    finally:
        connection.close()


def test_a_request_sets_its_own_time_limit_below_the_servers(served: tuple[str, Path]) -> None:
    root = served[0]
    by_parameter = sparql(root, SLOW, "text/csv", timeout="0.5")
    assert by_parameter.status == 503 and "stopped after the time limit of 0.5 s" in by_parameter.text
    by_header = fetch(root + "sparql?" + urllib.parse.urlencode({"query": SLOW}), headers={"Accept": "text/csv", "Timeout": "0.5"})
    assert by_header.status == 503 and "time limit of 0.5 s" in by_header.text
    capped = sparql(root, SLOW, "text/csv", timeout="1000")
    assert capped.status == 503 and "time limit of 3 s" in capped.text  # the server's own
    for wrong in ("0", "-1", "soon", "nan"):
        answer = sparql(root, COUNT, "text/csv", timeout=wrong)
        assert answer.status == 400 and "timeout must be a positive number of seconds" in answer.text, wrong
    named = fetch(root + "queries/commodities?timeout=10", headers={"Accept": "text/csv"})
    assert named.status == 200, named.text  # the limit, not a parameter of the query


def test_health_names_the_build_and_its_workers(served: tuple[str, Path], graph: Path) -> None:
    answer = fetch(served[0] + "health")
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
    assert json.loads(answer.body) == {"status": "ok", "build": Path(os.path.realpath(graph / CURRENT)).name, "workers": 2}


def test_the_access_log_has_a_line_per_request(served: tuple[str, Path]) -> None:
    root, log = served
    fetch(root + "health?probe=access-log")
    fetch(root + "no/such/thing")
    expected = ('"GET /health?probe=access-log HTTP/1.1" 200 ', '"GET /no/such/thing HTTP/1.1" 404 ')
    deadline = time.monotonic() + 30  # a request's line is logged once it is answered: perhaps just after the client has read it
    while not all(any(text in line for line in log.read_text().splitlines()) for text in expected) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = log.read_text().splitlines()
    for text in expected:
        assert any(text in line for line in lines), lines[-3:]


def test_memory_mode_answers_as_the_store_on_disk(graph: Path, tmp_path: Path, served: tuple[str, Path]) -> None:
    with sanctiongraph_server(graph, tmp_path, "--memory", "--workers", "1") as root:
        assert sparql(root, COUNT, "text/csv").body == sparql(served[0], COUNT, "text/csv").body
        assert sparql(root, MANY, "text/csv").body == sparql(served[0], MANY, "text/csv").body
    in_memory, on_disk = sanctiongraph.open_graph(graph, memory=True), sanctiongraph.open_graph(graph)
    assert len(in_memory) == len(on_disk) > 0
    assert set(in_memory.quads_for_pattern(None, None, None)) == set(on_disk.quads_for_pattern(None, None, None))


def test_requests_past_the_connection_slots_get_503_at_once(served: tuple[str, Path]) -> None:
    """Eight slow queries at once on a server with four slots: four are served (each until its 2 s limit), four get 503."""
    root = served[0]
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: sparql(root, SLOW, "text/csv", timeout="2"), range(8)))
    refused = [a for a in answers if "at its limit of connections" in a.text]
    assert len(refused) == 4 and all(a.status == 503 and a.headers["retry-after"] == "1" for a in refused), [a.text for a in answers]
    assert all(a.status == 503 and "time limit of 2 s" in a.text for a in answers if a not in refused)
    assert sparql(root, COUNT, "text/csv").status == 200
