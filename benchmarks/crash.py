"""What a store keeps of one SPARQL Update request that replaces many graphs, when it is killed (SIGKILL) in the
middle of the request or just after it has answered, and started again on the same database.

Each store is started on a fresh database and sent one request that writes GRAPHS graphs of TRIPLES triples each
(`DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } }` per graph, as `publish --update-endpoint` sends), the
"old" version; then the same graphs with other objects, the "new" version, killed either halfway through the time
the first request took ("during") or as soon as it has answered ("after"). Once the store is up again, each graph is
counted: every graph should be wholly old ("during") or wholly new ("after"); a graph with fewer triples, or with
both, is what `publish` must not leave. The same is done with each store's bulk loader (`publish --bulk`: Oxigraph
server's, Virtuoso's TTLP), which only adds graphs: the "new" graphs are sent into the empty store (the "old" request
goes to other graphs, to time it), so each graph should be absent ("during") or wholly new. And with one Graph Store
`PUT` per graph ("put", publish's default), sent one after the other: each graph old or new. Meanwhile a reader
queries what every graph holds, again and again, until the kill (or the answer), and the table says whether it ever
saw a graph in part: the store's state at every moment a reader can see, not only after the restart.

    python benchmarks/crash.py [--stores oxigraph virtuoso] [--ways update bulk put] [--graphs 200] [--triples 500]

The stores are started by tests/stores.py, as the tests start them. Everything binds 127.0.0.1; the databases are in
a temporary folder."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from stores import DIGEST, Store  # noqa: E402 - the tests' one way to start a store

from sanctiongraph.errors import SanctionGraphError  # noqa: E402
from sanctiongraph.query.remote import N_TRIPLES, Bulk, Http, Updates  # noqa: E402


def first_is_new(store: Store) -> bool:
    text = 'ASK { GRAPH <urn:crash:g00000> { <urn:crash:s0> ?p ?o FILTER(STRSTARTS(STR(?o), "new ")) } }'
    request = urllib.request.Request(store.query, data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return b"true" in response.read()


def versions(store: Store) -> Counter[str]:
    """How many graphs are wholly old, wholly new, or neither (with how many triples of each)."""
    text = ('SELECT ?g ?v (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "urn:crash:")) '
            'BIND(STRBEFORE(STR(?o), " ") AS ?v) } GROUP BY ?g ?v')
    request = urllib.request.Request(store.query, data=urllib.parse.urlencode({"query": text}).encode(), headers={"Accept": "text/csv"})
    with urllib.request.urlopen(request, timeout=600) as response:
        lines = response.read().decode().split()[1:]
    found: dict[str, list[str]] = {}
    for line in lines:
        graph, version, count = line.split(",")
        found.setdefault(graph, []).append(f"{count.strip(chr(34))} {version.strip(chr(34))}")
    return Counter(" + ".join(sorted(parts)) for parts in found.values())


def request(version: str, graphs: int, triples: int, prefix: str = "urn:crash:g") -> list[tuple[str, bytes]]:
    return [(f"{prefix}{g:05d}", b"".join(b'<urn:crash:s%d> <urn:crash:p> "%s %d %d" .\n' % (i, version.encode(), g, i)
                                             for i in range(triples))) for g in range(graphs)]


class Reader(threading.Thread):
    """A query reading what each graph holds, again and again, while the "new" version is written: how many times it
    read, and each state it saw of a graph that is neither absent nor wholly old nor wholly new (with how many times)."""

    def __init__(self, store: Store, triples: int) -> None:
        super().__init__(daemon=True)
        self.store, self.whole = store, {f"{triples} old", f"{triples} new"}
        self.reads, self.torn = 0, Counter[str]()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            try:
                seen = versions(self.store)
            except (OSError, ValueError):  # the store killed under it
                return
            self.reads += 1
            self.torn.update(state for state in seen if state not in self.whole)

    def finish(self) -> str:
        self.done.set()
        self.join(timeout=60)
        if not self.torn:
            return f"{self.reads} reads, no graph in part"
        return f"{self.reads} reads; in part: " + ", ".join(f"{state} ({n}×)" for state, n in sorted(self.torn.items()))


def trial(kind: str, way: str, moment: str, folder: Path, graphs: int, triples: int) -> str:
    """One request of the "new" version sent over the "old" one (way "update"), or one PUT per graph (way "put"), or,
    with way "bulk" (the store's bulk loader, which adds graphs the store does not have), the "new" version sent into
    an empty store after the "old" one was sent to other graphs (to time it); the store killed at the moment asked
    for, with a Reader watching until then."""
    store = Store(kind, folder)
    store.start()
    try:
        send: Callable[[list[tuple[str, bytes]]], None] = Updates(Http(store.update, 600)).replace_many
        if way == "put":
            writer = Http(store.graph_store, 600)

            def send(graphs: list[tuple[str, bytes]]) -> None:
                for g, lines in graphs:
                    writer.check(writer.request("PUT", {"graph": g}, lines, {"Content-Type": N_TRIPLES}), f"write <{g}>")
        if way == "bulk":
            bulk = Bulk(store.graph_store, store.bulk_query, 600)

            def send(graphs: list[tuple[str, bytes]]) -> None:  # as N-Quads
                bulk.load(b"".join(lines.replace(b" .\n", b" <%s> .\n" % g.encode()) for g, lines in graphs), [g for g, _ in graphs])
        started = time.monotonic()
        send(request("old", graphs, triples, "urn:timing:g" if way == "bulk" else "urn:crash:g"))
        took = time.monotonic() - started
        new = request("new", graphs, triples)
        reader = Reader(store, triples)
        reader.start()
        if moment == "after":
            send(new)
            seen = reader.finish()
            store.kill()
        else:
            sending = threading.Thread(target=_sent, args=(send, new), daemon=True)
            sending.start()
            if moment == "during":
                time.sleep(took / 2)
            else:  # "seen": as soon as a query sees the request's first graph new, maybe before the store has answered
                while not first_is_new(store):
                    time.sleep(0.005)
            seen = reader.finish()
            store.kill()
            sending.join(timeout=60)
        store.start()
        kept = versions(store)
        return (f"| {kind} | {way} | {moment} | {graphs} × {triples} | {took:.1f} s | {seen} | "
                + "; ".join(f"{n} graphs: {v}" for v, n in sorted(kept.items())) + " |")
    finally:
        store.stop()


def _sent(send: Callable[[list[tuple[str, bytes]]], None], graphs: list[tuple[str, bytes]]) -> None:
    try:
        send(graphs)
    except SanctionGraphError:
        pass  # the store was killed under it, as meant


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", nargs="+", choices=["oxigraph", "virtuoso"], default=["oxigraph", "virtuoso"])
    parser.add_argument("--graphs", type=int, default=200)
    parser.add_argument("--triples", type=int, default=500, help="triples per graph")
    parser.add_argument("--ways", nargs="+", choices=["update", "bulk", "put"], default=["update", "bulk"],
                        help="one SPARQL Update request, the store's bulk loader (`publish --bulk`), or one PUT per graph")
    options = parser.parse_args()
    os.environ.update(DIGEST)  # Virtuoso's /sparql-auth wants Digest; Oxigraph asks for nothing
    print("| store | request | killed | graphs × triples | one request took | a reader saw while it was written | graphs found after the restart |\n"
          "|---|---|---|---|---:|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for kind in options.stores:
            for way in options.ways:
                for moment in ("during", "seen", "after"):
                    print(trial(kind, way, moment, Path(scratch) / f"{kind}-{way}-{moment}", options.graphs, options.triples), flush=True)


if __name__ == "__main__":
    main()
