"""The measured configurations. Each runs in a fresh process: `python tasks.py TASK 'JSON-ARGS'`.

It prints one JSON object: the timed figures in seconds, and `peak_mb`, the process's peak
resident memory (ru_maxrss, which covers the interpreter and the imports as well, ~60 MB).
Only what lies between two perf_counter() calls is timed; what a task prepares before
(reading the input quads, loading a store to query) is not.
"""

from __future__ import annotations

import json
import resource
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pyoxigraph as ox
import rdflib

from sanctiongraph.builder import exports, jsonld, parts
from sanctiongraph.builder.dataset import build, build_dataset
from sanctiongraph.namespaces import PREFIXES
from sanctiongraph.query import library as queries
from sanctiongraph.query import store as store_module
from sanctiongraph.query.running import run_query, with_values

RDFLIB_FORMATS = {"trig": "trig", "nq": "nquads", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}
OX_FORMATS = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE,
              "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def build_ours(args: dict[str, Any]) -> dict[str, Any]:
    """sanctiongraph.builder.dataset.build: YAML and texts in, checks run, all exports and VoID written; a full build,
    into an output folder emptied first (untimed), so that no run reuses the cache or the store of the one before.
    `jobs`, if given, is the number of worker processes; `peak_workers_mb` the largest worker's ru_maxrss."""
    output = Path(args["output"])
    shutil.rmtree(output, ignore_errors=True)
    seconds, report = _timed(lambda: build(Path(args["sources"]), Path(args["ontology"]), output, jobs=args.get("jobs")))
    return {"seconds": seconds, "quads": report.quads, "statements": report.dataset.statements,
            "peak_workers_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def _plain_quads(path: str) -> list[tuple[str, str, tuple[str, str | None, str | None], str]]:
    """The quads of an N-Quads file as plain strings, what a user's own code would hold before calling rdflib."""
    out = []
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_QUADS):
        o = quad.object
        obj = (o.value, None, None) if isinstance(o, ox.NamedNode) else (o.value, o.language, None if o.language else o.datatype.value)
        out.append((quad.subject.value, quad.predicate.value, obj, quad.graph_name.value))  # type: ignore[union-attr]
    return out


def build_rdflib(args: dict[str, Any]) -> dict[str, Any]:
    """Plain rdflib: make the terms and Dataset.graph(name).add() every quad, then rdflib's serializers."""
    plain = _plain_quads(args["nquads"])

    def add() -> rdflib.Dataset:
        dataset = rdflib.Dataset(default_union=True)
        graphs: dict[str, rdflib.Graph] = {}
        for s, p, (value, language, datatype), g in plain:
            graph = graphs.get(g)
            if graph is None:
                graph = graphs[g] = dataset.graph(rdflib.URIRef(g))
            if language is None and datatype is None:
                obj: rdflib.term.Node = rdflib.URIRef(value)
            else:
                obj = rdflib.Literal(value, lang=language, datatype=rdflib.URIRef(datatype) if datatype else None)
            graph.add((rdflib.URIRef(s), rdflib.URIRef(p), obj))
        return dataset

    result: dict[str, Any] = {}
    result["add"], dataset = _timed(add)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    output = Path(args["output"])
    output.mkdir(parents=True, exist_ok=True)
    for suffix, name in RDFLIB_FORMATS.items():
        result[suffix] = _timed(lambda: dataset.serialize(destination=str(output / f"rdflib.{suffix}"), format=name))[0]
    result["seconds"] = result["add"] + sum(result[suffix] for suffix in RDFLIB_FORMATS)
    return result


def load_limit(args: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph's bulk loader on the N-Quads export."""
    store = ox.Store()
    seconds, _ = _timed(lambda: store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS))
    return {"seconds": seconds, "quads": len(store)}


def load_limit_disk(args: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph's bulk loader on the N-Quads export, into an on-disk store (RocksDB) as the build's, in one call."""
    def load(folder: str) -> tuple[float, int]:
        store = ox.Store(folder)
        seconds, _ = _timed(lambda: store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS))
        return seconds, len(store)  # the store closed on return, before its folder goes

    with tempfile.TemporaryDirectory(prefix="sanctiongraph-bench-store-") as folder:
        seconds, quads = load(folder)
    return {"seconds": seconds, "quads": quads}


def load_ours(args: dict[str, Any]) -> dict[str, Any]:
    """sanctiongraph.query.store.open_store: the on-disk store the build wrote, opened read-only and counted."""
    seconds, store = _timed(lambda: store_module.open_store(Path(args["graph"])))
    return {"seconds": seconds, "quads": len(store)}


def load_rdflib(args: dict[str, Any]) -> dict[str, Any]:
    """rdflib's TriG parser into a Dataset."""
    dataset = rdflib.Dataset(default_union=True)
    seconds, _ = _timed(lambda: dataset.parse(args["trig"], format="trig"))
    return {"seconds": seconds}


def exports_ours(args: dict[str, Any]) -> dict[str, Any]:
    """What a full build does for its exports, step by step: render the quads (sorted, a block per subject in every
    format: sanctiongraph.builder.parts; timed as "sort"), then assemble each file (sanctiongraph.builder.exports),
    VoID last. A build renders a part per source as it reads it; here the whole dataset is rendered as one part."""
    quads = build_dataset(Path(args["sources"]), Path(args["ontology"])).quads
    output = Path(args["output"])
    output.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    result["sort"], part = _timed(lambda: parts.render(quads))
    marks = [time.perf_counter()]

    def done(name: str) -> None:
        marks.append(time.perf_counter())
        result[name.rsplit(".", 1)[1] if name != exports.VOID_FILE else "void"] = marks[-1] - marks[-2]

    exports.write_exports([part], output, done=done)
    result["seconds"] = sum(result[key] for key in ("sort", "void", *OX_FORMATS))
    return result


def exports_limit(args: dict[str, Any]) -> dict[str, Any]:
    """pyoxigraph's serializers on a store of the same quads; the union formats from a CONSTRUCT of all triples."""
    store = ox.Store()
    store.bulk_load(path=args["nquads"], format=ox.RdfFormat.N_QUADS)
    output = Path(args["output"])
    output.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    for suffix, fmt in OX_FORMATS.items():
        path = str(output / f"limit.{suffix}")
        prefixes = PREFIXES if suffix in ("trig", "ttl") else None
        if suffix in ("ttl", "nt"):
            result[suffix] = _timed(lambda: ox.serialize(store.query(UNION, use_default_graph_as_union=True),
                                                         output=path, format=fmt, prefixes=prefixes))[0]
        else:
            result[suffix] = _timed(lambda: store.dump(path, format=fmt, prefixes=prefixes))[0]
    result["seconds"] = sum(result[suffix] for suffix in OX_FORMATS)
    return result


def exports_jsonld(args: dict[str, Any]) -> dict[str, Any]:
    """JSON-LD alone, on the same quads in one process, in the build's order (the N-Quads export's: graph by graph,
    sorted): `render`, our writer's work in a build (sanctiongraph.builder.jsonld.node_lines on each graph's quads in
    their N-Quads form, which the build makes for that export anyway; a line per node, encoded as a part keeps it; the
    assembly into the file is the exports-ours figure), against `limit`,
    pyoxigraph's JSON-LD writer (expanded: no context, full IRIs) writing the file."""
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in ox.parse(path=args["nquads"], format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(quad.graph_name.value, []).append(quad)  # type: ignore[union-attr]
    every = [quad for quads in by_graph.values() for quad in quads]
    output = Path(args["output"])
    output.mkdir(parents=True, exist_ok=True)
    text = [[str(quad) for quad in quads] for quads in by_graph.values()]  # made for the N-Quads export in any case
    render, lines = _timed(lambda: [[f"{line},\n".encode("utf-8") for line in jsonld.node_lines(graph)] for graph in text])
    limit, _ = _timed(lambda: ox.serialize(every, output=str(output / "limit.jsonld"), format=ox.RdfFormat.JSON_LD))
    return {"seconds": render, "render": render, "limit": limit, "nodes": sum(len(graph) for graph in lines),
            "ours_bytes": sum(len(line) for graph in lines for line in graph), "limit_bytes": (output / "limit.jsonld").stat().st_size}


class _Timeout(Exception):
    pass


def _latencies(engines: dict[str, Callable[[], int]], repeats: int, timeout: float) -> dict[str, Any]:
    """A cold run on each engine, then rounds in which each engine runs the query once, in turn; the median
    latency and the rows of each engine. `repeats` rounds, and more for a query of a few milliseconds
    (enough to last about half a second, at most 51), whose median a busy machine would otherwise sway;
    one round when a cold run took over a second."""
    def expire(*_: Any) -> None:
        raise _Timeout

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        cold = {name: _timed(run) for name, run in engines.items()}
        slowest = max(seconds for seconds, _ in cold.values())
        if repeats <= 1 or slowest >= 1:
            rounds = min(repeats, 1)
        else:
            rounds = max(repeats, min(51, int(0.5 / (slowest * len(engines)))))
        times: dict[str, list[float]] = {name: [] for name in engines}
        for _ in range(rounds):
            for name, run in engines.items():
                times[name].append(_timed(run)[0])
    except _Timeout:
        return {name: {"timeout": timeout} for name in engines}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return {name: {"seconds": statistics.median(times[name] or [cold[name][0]]), "cold": cold[name][0],
                   "rows": cold[name][1], "runs": len(times[name]) or 1} for name in engines}


def _library(args: dict[str, Any]) -> Iterator[queries.Query]:
    yield from queries.load_queries(Path(args["queries"])).values()


def queries_oxigraph(args: dict[str, Any]) -> dict[str, Any]:
    """On the built on-disk store: sanctiongraph.query.running.run_query (no time limit) against pyoxigraph's
    Store.query with the same example parameters (every value of every row fetched), in turn, in one process."""
    graph = Path(args["graph"])
    store = store_module.open_store(graph)

    def examples(q: queries.Query) -> dict[str, str]:
        return {p.name: p.example for p in q.parameters}

    def raw(q: queries.Query) -> int:
        bindings = q.bindings(examples(q))
        text = with_values(q, bindings) if bindings else q.text  # the same bound text run_query evaluates
        return len([tuple(row) for row in store.query(text, use_default_graph_as_union=True)])  # type: ignore[union-attr]

    def ours(q: queries.Query) -> int:
        return len(run_query(q, examples(q), graph=graph, timeout=None).rows)

    return {"queries": {q.name: _latencies({"ours": lambda: ours(q), "limit": lambda: raw(q)},
                                           args["repeats"], args["timeout"]) for q in _library(args)}}


def queries_rdflib(args: dict[str, Any]) -> dict[str, Any]:
    """rdflib's SPARQL engine on a Dataset whose default graph is the union."""
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(args["trig"], format="trig")
    def bound(q: queries.Query) -> dict[str, rdflib.term.Identifier]:
        """The example parameters as rdflib terms, for initBindings."""
        return {name: rdflib.URIRef(term.value) if isinstance(term, ox.NamedNode) else rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
                for name, term in q.bindings({p.name: p.example for p in q.parameters}).items()}

    return {"queries": {q.name: _latencies({"rdflib": lambda: len(list(dataset.query(q.text, initBindings=bound(q))))}, args["repeats"], args["timeout"])
                        for q in _library(args)}}


TASKS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "build-ours": build_ours, "build-rdflib": build_rdflib,
    "load-ours": load_ours, "load-limit": load_limit, "load-limit-disk": load_limit_disk, "load-rdflib": load_rdflib,
    "exports-ours": exports_ours, "exports-limit": exports_limit, "exports-jsonld": exports_jsonld,
    "queries-oxigraph": queries_oxigraph, "queries-rdflib": queries_rdflib,
}

if __name__ == "__main__":
    figures = TASKS[sys.argv[1]](json.loads(sys.argv[2]))
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))
