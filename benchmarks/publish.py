"""`sanctiongraph publish` against each store's own bulk loader, on the N-Quads of one build, in the same run.

For each store a fresh database is loaded from empty by the store's bulk loader (`oxigraph load` with the server
stopped; Virtuoso's `ld_dir` and `rdf_loader_run` through `isql-vt`, then `checkpoint`), and, each into a fresh
database again, by `sanctiongraph publish` to the running server with one Graph Store `PUT` per graph and with many
small graphs in one SPARQL Update request (`--update-endpoint`); each publish is repeated with nothing changed. Wall times of whole commands; quads per second from the export's line count.

    sanctiongraph corpus DIR -n 1000 && sanctiongraph build --sources DIR -o GRAPH -q
    python benchmarks/publish.py GRAPH [--stores oxigraph virtuoso] [--modes put batched]

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
from typing import NamedTuple

from serve_store import process
from server_load import free_port

BIN = Path(sys.executable).parent
VIRTUOSO_INI = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "virtuoso.ini"  # shared with the tests
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


class Served(NamedTuple):
    """A running store's endpoints: Graph Store, SPARQL Update, SPARQL query; its SQL port (Virtuoso's)."""

    graph_store: str
    update: str
    query: str
    sql: int = 0


@contextmanager
def oxigraph(folder: Path) -> Iterator[Served]:
    port = free_port()
    command = [str(BIN / "oxigraph"), "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"]
    with process(command, folder.parent / f"{folder.name}.log", lambda: answers(f"http://127.0.0.1:{port}/query")):
        root = f"http://127.0.0.1:{port}/"
        yield Served(root + "store", root + "update", root + "query")


@contextmanager
def virtuoso(folder: Path, exports: Path) -> Iterator[Served]:
    (folder / "db").mkdir(parents=True)
    http, sql = free_port(), free_port()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8").format(sql=sql, http=http, dirs=f"., {exports}", buffers=170000, dirty=130000, limit=0)
    (folder / "virtuoso.ini").write_text(ini)
    command = [shutil.which("virtuoso-t") or "virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"]
    with process(command, folder / "server.log", lambda: answers(f"http://127.0.0.1:{http}/sparql"), limit=300, cwd=folder):
        root = f"http://127.0.0.1:{http}/"
        yield Served(root + "sparql-graph-crud-auth", root + "sparql-auth", root + "sparql", sql)


def check(found: int, quads: int, what: str) -> None:
    if found != quads:
        raise SystemExit(f"{what}: the store holds {found:,} quads of the build's graphs, not {quads:,}")


def row(store: str, task: str, seconds: float, quads: int | None, loader: float | None = None) -> None:
    """A line of the table; quads None for a publish that sends nothing (no rate)."""
    ratio = f"{loader / seconds:.2f}×" if loader else ""
    rate = f"{quads / seconds:,.0f}" if quads else ""
    print(f"| {store} | {task} | {seconds:.1f} s | {rate} | {ratio} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", type=Path, help="the built graph folder (its sanctiongraph.nq is loaded)")
    parser.add_argument("--stores", nargs="+", choices=["oxigraph", "virtuoso"], default=["oxigraph", "virtuoso"])
    parser.add_argument("--modes", nargs="+", choices=["put", "batched"], default=["put", "batched"],
                        help="how publish writes: one PUT per graph, or graphs batched by SPARQL Update (--update-endpoint)")
    options = parser.parse_args()
    nquads = (options.graph / "sanctiongraph.nq").resolve()
    with nquads.open("rb") as export:
        quads = sum(1 for _ in export)
    print(f"{quads:,} quads in {nquads}\n\n| store | task | wall time | quads/s | publish ÷ loader rate |\n|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if "oxigraph" in options.stores:
            loader = timed("oxigraph load", [str(BIN / "oxigraph"), "load", "--location", str(work / "ox-load"), "--file", str(nquads)])
            row("Oxigraph", "`oxigraph load`", loader, quads)
            with oxigraph(work / "ox-load") as store:
                check(loaded(store.query), quads, "oxigraph load")
            for mode in options.modes:
                with oxigraph(work / f"ox-{mode}") as store:
                    publishes("Oxigraph", store, mode, options.graph, quads, loader)
        if "virtuoso" in options.stores:
            with virtuoso(work / "vt-load", nquads.parent) as store:
                script = (f"ld_dir('{nquads.parent}', '{nquads.name}', 'urn:sanctiongraph:default');\n"
                          "rdf_loader_run();\ncheckpoint;\n")
                loader = timed("ld_dir", ["isql-vt", f"127.0.0.1:{store.sql}", "dba", "dba", f"exec={script}"])
                row("Virtuoso 7", "`ld_dir` + `rdf_loader_run` + `checkpoint`", loader, quads)
                check(loaded(store.query), quads, "Virtuoso's ld_dir")
            for mode in options.modes:
                with virtuoso(work / f"vt-{mode}", nquads.parent) as store:
                    publishes("Virtuoso 7", store, mode, options.graph, quads, loader, DIGEST)


def publishes(name: str, store: Served, mode: str, graph: Path, quads: int, loader: float, env: dict[str, str] | None = None) -> None:
    """A first publish to an empty store, one graph per `PUT` or graphs batched (`--update-endpoint`), then one with
    nothing changed; the quads on the store counted after."""
    command = [str(BIN / "sanctiongraph"), "publish", store.graph_store, "--graph", str(graph)]
    command += ["--update-endpoint", store.update] if mode == "batched" else []
    label = "graphs batched, `--update-endpoint`" if mode == "batched" else "one `PUT` per graph"
    row(name, f"first publish, {label}", timed("publish", command, env), quads, loader)
    row(name, "publish, nothing changed", timed("publish", command, env), None)
    check(loaded(store.query), quads, f"publish to {name}")

if __name__ == "__main__":
    main()
