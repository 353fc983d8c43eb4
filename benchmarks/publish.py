"""`sanctiongraph publish` against each store's own bulk loader, on the N-Quads of one build, in the same run.

For each store a fresh database is loaded from empty by the store's bulk loader (`oxigraph load` with the server
stopped; Virtuoso's `ld_dir` and `rdf_loader_run` through `isql-vt`, then `checkpoint`), and, each into a fresh
database again, by `sanctiongraph publish` to the running server, in each way asked for: one Graph Store `PUT` per
graph ("put"), many small graphs in one SPARQL Update request (`--update-endpoint`, "batched"), or the store's own bulk
loader (`--bulk`, "bulk": Oxigraph server's, or Virtuoso's TTLP called at /sparql-auth), each with every number of
connections asked for (`--connections`); each
publish is repeated with nothing changed. Wall times of whole commands; quads per second from the export's line count.

    sanctiongraph corpus DIR -n 1000 && sanctiongraph build --sources DIR -o GRAPH -q
    python benchmarks/publish.py GRAPH [--stores oxigraph virtuoso] [--modes put batched bulk] [--connections 1 2]

The stores are started by tests/stores.py, as the tests start them; everything binds 127.0.0.1."""

from __future__ import annotations

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from stores import Store  # noqa: E402 - the tests' one way to start a store

BIN = Path(sys.executable).parent
WAYS = {"put": ("one `PUT` per graph", []), "batched": ("graphs batched, `--update-endpoint`", ["--update-endpoint"]),
        "bulk": ("bulk loader, `--bulk`", ["--bulk", "--query-endpoint"])}


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
    parser.add_argument("--modes", nargs="+", choices=list(WAYS), default=["put", "bulk"],
                        help="how publish writes (batched: slow and unsafe on Virtuoso, see the guide)")
    parser.add_argument("--connections", nargs="+", type=int, default=[1, 2], help="publish's --connections, each in turn")
    options = parser.parse_args()
    nquads = (options.graph / "sanctiongraph.nq").resolve()
    with nquads.open("rb") as export:
        quads = sum(1 for _ in export)
    print(f"{quads:,} quads in {nquads}; load average {os.getloadavg()[0]:.1f} at the start\n\n"
          "| store | task | wall time | quads/s | publish ÷ loader rate |\n|---|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        if "oxigraph" in options.stores:
            (work / "ox-load").mkdir()
            loader = timed("oxigraph load", [str(BIN / "oxigraph"), "load", "--location", str(work / "ox-load" / "db"), "--file", str(nquads)])
            row("Oxigraph", "`oxigraph load`", loader, quads)
            with Store.running("oxigraph", work / "ox-load") as store:
                check(loaded(store.query), quads, "oxigraph load")
            for mode in options.modes:
                for connections in options.connections:
                    with Store.running("oxigraph", work / f"ox-{mode}-{connections}") as store:
                        publishes("Oxigraph", store, mode, connections, options.graph, quads, loader)
        if "virtuoso" in options.stores:
            virtuoso = functools.partial(Store.running, "virtuoso", dirs=f"., {nquads.parent}", buffers=170000, limit=0)
            with virtuoso(work / "vt-load") as store:
                script = (f"ld_dir('{nquads.parent}', '{nquads.name}', 'urn:sanctiongraph:default');\n"
                          "rdf_loader_run();\ncheckpoint;\n")
                loader = timed("ld_dir", ["isql-vt", f"127.0.0.1:{store.sql}", "dba", "dba", f"exec={script}"])
                row("Virtuoso 7", "`ld_dir` + `rdf_loader_run` + `checkpoint`", loader, quads)
                check(loaded(store.query), quads, "Virtuoso's ld_dir")
            for mode in options.modes:
                for connections in options.connections:
                    with virtuoso(work / f"vt-{mode}-{connections}") as store:
                        publishes("Virtuoso 7", store, mode, connections, options.graph, quads, loader)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


def publishes(name: str, store: Store, mode: str, connections: int, graph: Path, quads: int, loader: float) -> None:
    """A first publish to an empty store in one way, then one with nothing changed; the quads on the store counted
    after."""
    label, options = WAYS[mode]
    endpoint = {"put": "", "batched": store.update, "bulk": store.bulk_query}[mode]
    command = [str(BIN / "sanctiongraph"), "publish", store.graph_store, "--graph", str(graph), "--connections", str(connections),
               *options, *([endpoint] if endpoint else [])]
    row(name, f"first publish, {label}, {connections} connection(s)", timed("publish", command, store.env), quads, loader)
    row(name, "publish, nothing changed", timed("publish", command, store.env), None)
    check(loaded(store.query), quads, f"publish to {name}")


if __name__ == "__main__":
    main()
