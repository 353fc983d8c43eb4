"""`sanctiongraph publish` against each store's own bulk loader, on the N-Quads of one build, in the same run.

For each store a fresh database is loaded twice, each time from empty: by the store's bulk loader (`oxigraph load`
with the server stopped; Virtuoso's `ld_dir` and `rdf_loader_run` through `isql-vt`, then `checkpoint`), and by
`sanctiongraph publish` to the running server (Graph Store Protocol); then the publish is repeated with nothing
changed. Wall times of whole commands; quads per second from the export's line count.

    sanctiongraph corpus DIR -n 1000 && sanctiongraph build --sources DIR -o GRAPH -q
    python benchmarks/publish.py GRAPH [--stores oxigraph virtuoso]

Virtuoso comes from Debian's virtuoso-opensource-7-bin (`make test` installs it). Everything binds 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from serve_store import process
from server_load import free_port

BIN = Path(sys.executable).parent
VIRTUOSO_INI = """[Database]
DatabaseFile = {root}/db/virtuoso.db
ErrorLogFile = {root}/db/virtuoso.log
LockFile = {root}/db/virtuoso.lck
TransactionFile = {root}/db/virtuoso.trx
xa_persistent_file = {root}/db/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {root}/db/virtuoso-temp.db
TransactionFile = {root}/db/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = {root}, {exports}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {root}
EnabledDavVSP = 0
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 1000000
"""
DIGEST = {"SANCTIONGRAPH_ENDPOINT_USER": "dba", "SANCTIONGRAPH_ENDPOINT_PASSWORD": "dba", "SANCTIONGRAPH_ENDPOINT_AUTH": "digest"}


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2).read()
        return True
    except OSError:
        return False


def loaded(query_url: str) -> int:
    """How many quads the store holds in the build's graphs, publish's manifest aside (a check that a loader really
    loaded them)."""
    text = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/sanctiongraph/graph/") && ?g != <https://w3id.org/sanctiongraph/graph/manifest>) }'
    request = urllib.request.Request(query_url, data=urllib.parse.urlencode({"query": text}).encode(), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=600) as response:
        return int(response.read().decode().split()[1].strip('"'))


def timed(label: str, command: list[str], env: dict[str, str] | None = None) -> float:
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{label} failed: {done.stderr.strip()[-500:] or done.stdout.strip()[-500:]}")
    return seconds


@contextmanager
def oxigraph(folder: Path) -> Iterator[tuple[str, str]]:
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    with process(command, folder.parent / f"{folder.name}.log", lambda: answers(f"http://127.0.0.1:{port}/query")):
        yield f"http://127.0.0.1:{port}/store", f"http://127.0.0.1:{port}/query"


@contextmanager
def virtuoso(folder: Path, exports: Path) -> Iterator[tuple[str, int, str]]:
    (folder / "db").mkdir(parents=True)
    http, sql = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(root=folder, sql=sql, http=http, exports=exports))
    command = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", str(folder / "virtuoso.ini")]
    with process(command, folder / "server.log", lambda: answers(f"http://127.0.0.1:{http}/sparql"), limit=300):
        yield f"http://127.0.0.1:{http}/sparql-graph-crud-auth", sql, f"http://127.0.0.1:{http}/sparql"


def check(found: int, quads: int, what: str) -> None:
    if found != quads:
        raise SystemExit(f"{what}: the store holds {found:,} quads of the build's graphs, not {quads:,}")


def row(store: str, task: str, seconds: float, quads: int, loader: float | None = None) -> None:
    ratio = f"{loader / seconds:.2f}×" if loader else ""
    print(f"| {store} | {task} | {seconds:.1f} s | {quads / seconds:,.0f} | {ratio} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path, help="the built graph folder (its sanctiongraph.nq is loaded)")
    parser.add_argument("--stores", nargs="+", choices=["oxigraph", "virtuoso"], default=["oxigraph", "virtuoso"])
    options = parser.parse_args()
    nquads = (options.graph / "sanctiongraph.nq").resolve()
    with nquads.open("rb") as export:
        quads = sum(1 for _ in export)
    publish = [str(BIN / "sanctiongraph"), "publish"]
    print(f"{quads:,} quads in {nquads}\n\n| store | task | wall time | quads/s | publish ÷ loader rate |\n|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if "oxigraph" in options.stores:
            loader = timed("oxigraph load", [str(BIN / "oxigraph"), "load", "--location", str(work / "ox-load"), "--file", str(nquads)])
            row("Oxigraph", "`oxigraph load`", loader, quads)
            with oxigraph(work / "ox-load") as (_, query):
                check(loaded(query), quads, "oxigraph load")
            with oxigraph(work / "ox-publish") as (url, query):
                first = timed("publish", [*publish, url, "--graph", str(options.graph)])
                row("Oxigraph", "first publish", first, quads, loader)
                row("Oxigraph", "publish, nothing changed", timed("publish", [*publish, url, "--graph", str(options.graph)]), quads)
                check(loaded(query), quads, "publish to Oxigraph")
        if "virtuoso" in options.stores:
            with virtuoso(work / "vt-load", nquads.parent) as (_, sql, query):
                script = (f"ld_dir('{nquads.parent}', '{nquads.name}', 'urn:sanctiongraph:default');\n"
                          "rdf_loader_run();\ncheckpoint;\n")
                loader = timed("ld_dir", ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba", f"exec={script}"])
                row("Virtuoso 7", "`ld_dir` + `rdf_loader_run` + `checkpoint`", loader, quads)
                check(loaded(query), quads, "Virtuoso's ld_dir")
            with virtuoso(work / "vt-publish", nquads.parent) as (url, _, query):
                first = timed("publish", [*publish, url, "--graph", str(options.graph)], DIGEST)
                row("Virtuoso 7", "first publish", first, quads, loader)
                row("Virtuoso 7", "publish, nothing changed", timed("publish", [*publish, url, "--graph", str(options.graph)], DIGEST), quads)
                check(loaded(query), quads, "publish to Virtuoso")


if __name__ == "__main__":
    main()
