"""The one way the tests and the benchmarks start a real store on 127.0.0.1 and wait for it: Oxigraph server (the
`oxigraph` wheel of the test extra) or Virtuoso 7 (Debian's virtuoso-opensource-7-bin, which `make test` installs),
on a database folder of its own, on free ports, killed and started again on the same folder when a test asks.

It lives beside the tests, as chromium.py does, because the tests are its first users and run without the benchmarks;
the benchmarks put this folder on their path to use it (benchmarks/publish.py, benchmarks/crash.py)."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Self

VIRTUOSO_INI = Path(__file__).parent / "fixtures" / "virtuoso.ini"  # a template: ports, folders, buffers, time limit
DIGEST = {"SANCTIONGRAPH_ENDPOINT_USER": "dba", "SANCTIONGRAPH_ENDPOINT_PASSWORD": "dba", "SANCTIONGRAPH_ENDPOINT_AUTH": "digest"}
START_LIMIT = 300.0  # seconds a store may take to answer (Virtuoso creates its database on a first start)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(query_url: str) -> bool:
    """Whether the query endpoint answers an ASK."""
    try:
        urllib.request.urlopen(query_url + "?query=ASK%7B%7D", timeout=2).read()
        return True
    except OSError:
        return False


class Store:
    """A store process on 127.0.0.1 on its own database folder (workdir), which can be killed and started again on
    the same data. Its endpoints: Graph Store, SPARQL Update, SPARQL query, and the query endpoint `publish --bulk` is
    given (bulk_query); `env`, the credentials publish needs for it; `sql`, Virtuoso's SQL port (for isql-vt).
    Virtuoso reads files only from `dirs` (relative to workdir), keeps `buffers` pages in memory and stops a query
    after `limit` seconds (0: never)."""

    def __init__(self, kind: str, workdir: Path, *, dirs: str = ".", buffers: int = 10000, limit: int = 60) -> None:
        self.kind, self.workdir = kind, workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.http_port, self.sql = free_port(), 0
        root = f"http://127.0.0.1:{self.http_port}/"
        if kind == "virtuoso":
            self.sql = free_port()
            (workdir / "db").mkdir(exist_ok=True)
            ini = VIRTUOSO_INI.read_text(encoding="utf-8").format(sql=self.sql, http=self.http_port, dirs=dirs, buffers=buffers,
                                                                  dirty=buffers * 3 // 4, limit=limit)
            (workdir / "virtuoso.ini").write_text(ini, encoding="utf-8")
            self.graph_store, self.update, self.query, self.env = root + "sparql-graph-crud-auth", root + "sparql-auth", root + "sparql", DIGEST
            self.bulk_query = self.update  # its loader is called from SPARQL, which only the dba account may: at /sparql-auth
        else:
            self.graph_store, self.update, self.query, self.env = root + "store", root + "update", root + "query", {}
            self.bulk_query = self.query
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    @contextlib.contextmanager
    def running(cls, kind: str, workdir: Path, *, dirs: str = ".", buffers: int = 10000, limit: int = 60) -> Iterator[Self]:
        """A store started, and stopped after the block."""
        store = cls(kind, workdir, dirs=dirs, buffers=buffers, limit=limit)
        store.start()
        try:
            yield store
        finally:
            store.stop()

    def command(self) -> list[str]:
        if self.kind == "virtuoso":
            virtuoso = shutil.which("virtuoso-t")
            assert virtuoso, "Virtuoso is missing: apt-get install --no-install-recommends virtuoso-opensource-7-bin (make test does)"
            return [virtuoso, "+foreground", "+configfile", "virtuoso.ini"]
        oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        assert oxigraph, "the oxigraph server is missing: pip install oxigraph (the test extra installs it)"
        return [oxigraph, "serve", "--location", "db", "--bind", f"127.0.0.1:{self.http_port}", "--union-default-graph"]

    def start(self) -> None:
        """Start the store on its folder and wait until it answers a query."""
        with (self.workdir / "store.log").open("ab") as log:
            self.process = subprocess.Popen(self.command(), cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_LIMIT
        while not answers(self.query):
            assert self.process.poll() is None, f"{self.kind} ended: {(self.workdir / 'store.log').read_text()[-500:]}"
            assert time.monotonic() < deadline, f"{self.kind} did not answer within {START_LIMIT:.0f} s"
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
