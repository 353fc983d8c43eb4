"""What a store keeps of one SPARQL Update request that replaces many graphs, when it is killed (SIGKILL) in the
middle of the request or just after it has answered, and started again on the same database.

Each store is started on a fresh database and sent one request that writes GRAPHS graphs of TRIPLES triples each
(`DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }` per graph, as `publish --update-endpoint` sends), the
"old" version; then the same graphs with other objects, the "new" version, killed either halfway through the time
the first request took ("during") or as soon as it has answered ("after"). Once the store is up again, each graph is
counted: every graph should be wholly old ("during") or wholly new ("after"); a graph with fewer triples, or with
both, is what `publish` must not leave.

    python benchmarks/crash.py [--stores oxigraph virtuoso] [--graphs 200] [--triples 500]

Virtuoso is Debian's virtuoso-opensource-7-bin with the ini of the tests (tests/fixtures/virtuoso.ini). Everything
binds 127.0.0.1; the databases are in a temporary folder."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

from publish import DIGEST, VIRTUOSO_INI, answers
from server_load import free_port

from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.query.remote import Http, Updates

BIN = Path(sys.executable).parent


class Store:
    """A store process on a database folder, started and killed again on the same folder."""

    def __init__(self, kind: str, folder: Path) -> None:
        self.kind, self.folder, self.port = kind, folder, free_port()
        folder.mkdir(parents=True)
        root = f"http://127.0.0.1:{self.port}/"
        if kind == "virtuoso":
            (folder / "db").mkdir()
            ini = VIRTUOSO_INI.read_text(encoding="utf-8").format(sql=free_port(), http=self.port, dirs=".", buffers=10000, dirty=6000, limit=0)
            (folder / "virtuoso.ini").write_text(ini)
            self.command = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"]
            self.update, self.query = root + "sparql-auth", root + "sparql"
        else:
            self.command = [str(BIN / "oxigraph"), "serve", "--location", "db", "--bind", f"127.0.0.1:{self.port}"]
            self.update, self.query = root + "update", root + "query"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with (self.folder / "store.log").open("ab") as log:
            self.process = subprocess.Popen(self.command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 300
        while not answers(self.query):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{self.kind} did not start: {(self.folder / 'store.log').read_text()[-500:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)

    def first_is_new(self) -> bool:
        text = 'ASK { GRAPH <urn:crash:g00000> { <urn:crash:s0> ?p ?o FILTER(STRSTARTS(STR(?o), "new ")) } }'
        request = urllib.request.Request(self.query, data=urllib.parse.urlencode({"query": text}).encode(),
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return b"true" in response.read()

    def versions(self) -> Counter[str]:
        """How many graphs are wholly old, wholly new, or neither (with how many triples of each)."""
        text = ('SELECT ?g ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:crash:")) '
                'BIND(STRBEFORE(STR(?o), " ") AS ?v) } GROUP BY ?g ?v')
        request = urllib.request.Request(self.query, data=urllib.parse.urlencode({"query": text}).encode(), headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=600) as response:
            lines = response.read().decode().split()[1:]
        found: dict[str, list[str]] = {}
        for line in lines:
            graph, version, count = line.split(",")
            found.setdefault(graph, []).append(f"{count.strip(chr(34))} {version.strip(chr(34))}")
        return Counter(" + ".join(sorted(parts)) for parts in found.values())


def request(version: str, graphs: int, triples: int) -> list[tuple[str, bytes]]:
    return [(f"urn:crash:g{g:05d}", b"".join(b'<urn:crash:s%d> <urn:crash:p> "%s %d %d" .\n' % (i, version.encode(), g, i)
                                             for i in range(triples))) for g in range(graphs)]


def trial(kind: str, moment: str, folder: Path, graphs: int, triples: int) -> str:
    store = Store(kind, folder)
    store.start()
    try:
        updates = Updates(Http(store.update, 600))
        started = time.monotonic()
        updates.replace_many(request("old", graphs, triples))
        took = time.monotonic() - started
        new = request("new", graphs, triples)
        if moment == "after":
            updates.replace_many(new)
            store.kill()
        else:
            sending = threading.Thread(target=_sent, args=(updates, new), daemon=True)
            sending.start()
            if moment == "during":
                time.sleep(took / 2)
            else:  # "seen": as soon as a query sees the request's first graph new, maybe before the store has answered
                while not store.first_is_new():
                    time.sleep(0.005)
            store.kill()
            sending.join(timeout=60)
        store.start()
        kept = store.versions()
        return f"| {kind} | {moment} | {graphs} × {triples} | {took:.1f} s | " + "; ".join(f"{n} graphs: {v}" for v, n in sorted(kept.items())) + " |"
    finally:
        store.stop()


def _sent(updates: Updates, graphs: list[tuple[str, bytes]]) -> None:
    try:
        updates.replace_many(graphs)
    except SanctionGraphError:
        pass  # the store was killed under it, as meant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", nargs="+", choices=["oxigraph", "virtuoso"], default=["oxigraph", "virtuoso"])
    parser.add_argument("--graphs", type=int, default=200)
    parser.add_argument("--triples", type=int, default=500, help="triples per graph")
    options = parser.parse_args()
    os.environ.update(DIGEST)  # Virtuoso's /sparql-auth wants Digest; Oxigraph asks for nothing
    print("| store | killed | graphs × triples | one request took | graphs found after the restart |\n|---|---|---|---:|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for kind in options.stores:
            for moment in ("during", "seen", "after"):
                print(trial(kind, moment, Path(scratch) / f"{kind}-{moment}", options.graphs, options.triples), flush=True)


if __name__ == "__main__":
    main()
