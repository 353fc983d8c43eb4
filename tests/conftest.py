"""Shared fixtures: the graph built once from the bundled sources, and a store loaded with it."""

from __future__ import annotations

import contextlib
import http.server
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from sanctiongraph.builder.dataset import BuildReport, build
from sanctiongraph.query.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
ARTICLE = SOURCES / "articles" / "newsweek-2025-03-russia-mines.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    output = tmp_path_factory.mktemp("graph")
    return output, build(SOURCES, ONTOLOGY, output)


@pytest.fixture(scope="session")
def store(built: tuple[Path, BuildReport]) -> ox.Store:
    return open_store(built[0])


@pytest.fixture(scope="session")
def graph(built: tuple[Path, BuildReport]) -> Path:
    """The folder of the graph built from the bundled sources."""
    return built[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
