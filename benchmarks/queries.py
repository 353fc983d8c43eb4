"""Latency of every library query at scale: sanctiongraph's run_query against pyoxigraph called directly
(the engine's limit) and rdflib's own SPARQL engine (what a user would otherwise write), in the same run.

The graph is a generated corpus of N sources (sanctiongraph.corpus) plus the bundled first source,
so that every query's example parameters have answers in a large graph. Usage:

    python benchmarks/queries.py --sources 10000 --runs 5

rdflib runs each query once and is stopped when it has taken 100 times as long as ours (the target: at least
100 times faster), but not before 2 s nor after --rdflib-timeout seconds.

The table goes to standard output and, with --write, into BENCHMARKS.md between markers."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import yaml

from sanctiongraph import corpus, project
from sanctiongraph.builder.dataset import build
from sanctiongraph.query.library import load_queries
from sanctiongraph.query.running import run_query, with_values

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "corpus"
START, END = "<!-- queries:start -->", "<!-- queries:end -->"
RDFLIB_MIN_LIMIT = 2.0  # seconds: rdflib gets at least this long, so that a fast query still has its rdflib figure


def corpus_with_seed(sources: int, seed: int) -> Path:
    """A generated corpus with the bundled first source and its registry merged in."""
    folder = WORK / f"queries-{sources}-{seed}"
    if not (folder / "sources" / "entities.yaml").is_file():
        corpus.generate(folder / "sources", sources=sources, seed=seed)
        bundled = ROOT / "sources"
        registry_path = folder / "sources" / "entities.yaml"
        registry = yaml.safe_load(registry_path.read_text(encoding="utf-8"))
        for key, value in yaml.safe_load((bundled / "entities.yaml").read_text(encoding="utf-8")).items():
            registry.setdefault(key, value)
        registry_path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=True), encoding="utf-8")
        for path in (bundled / "articles").iterdir():
            shutil.copy(path, folder / "sources" / "articles" / path.name)
    return folder


def interleaved(works: dict[str, Callable[[], object]], runs: int, budget: float = 1.0) -> tuple[dict[str, float], object]:
    """The median seconds of each piece of work, run in rounds that interleave them (so that a slow spell of the
    machine hits all alike), after one cold round: at least `runs` rounds, and more for fast work until each
    has had about `budget` seconds (at most 1,000 rounds). Also the first work's result."""
    result = [work() for work in works.values()][0]  # the cold round
    samples: dict[str, list[float]] = {name: [] for name in works}
    rounds, spent = 0, 0.0
    while rounds < runs or (spent < budget * len(works) and rounds < 1000):
        for name, work in works.items():
            start = time.perf_counter()
            work()
            samples[name].append(time.perf_counter() - start)
            spent += samples[name][-1]
        rounds += 1
    return {name: statistics.median(values) for name, values in samples.items()}, result


RDFLIB_WORKER = r"""
import json, signal, sys, time
import rdflib
trig = sys.argv[1]
queries = json.load(sys.stdin)
started = time.perf_counter()
dataset = rdflib.Dataset(default_union=True)
dataset.parse(trig, format="trig")
print(json.dumps({"load": time.perf_counter() - started, "triples": len(dataset)}), flush=True)
class Late(Exception): pass
def alarm(*_): raise Late()
signal.signal(signal.SIGALRM, alarm)
for name, text, bindings, limit in queries:
    signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        init = {k: (rdflib.URIRef(v[1]) if v[0] == "iri" else rdflib.Literal(v[1], datatype=v[2] or None)) for k, v in bindings.items()}
        rows = len(list(dataset.query(text, initBindings=init)))
        seconds = time.perf_counter() - start
    except Late:
        rows, seconds = None, None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    print(json.dumps({"name": name, "seconds": seconds, "rows": rows, "limit": limit}), flush=True)
"""


def rdflib_latencies(trig: Path, jobs: list[tuple[str, str, dict[str, list[str | None]], float]]) -> tuple[dict, dict[str, dict]]:
    """rdflib's engine on the same TriG, one run per query (it is slow), in a child process with each job's time limit."""
    process = subprocess.run([sys.executable, "-c", RDFLIB_WORKER, str(trig)], input=json.dumps(jobs),
                             capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in process.stdout.splitlines()]
    return lines[0], {line["name"]: line for line in lines[1:]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rdflib-factor", type=float, default=100, help="stop rdflib once it is this many times slower than ours")
    parser.add_argument("--rdflib-timeout", type=float, default=120, help="stop rdflib after this many seconds in any case (0 skips rdflib)")
    parser.add_argument("--write", action="store_true", help="write the table into BENCHMARKS.md")
    args = parser.parse_args()

    folder = corpus_with_seed(args.sources, args.seed)
    graph = folder / "graph"
    started = time.perf_counter()
    report = build(folder / "sources", project.ontology_folder(), graph)
    build_seconds = time.perf_counter() - started
    quads = len(set(report.dataset.quads))
    del report
    library = load_queries(project.queries_folder())
    raw_store = ox.Store.read_only(str((graph / "store").resolve()))

    rows = []
    jobs = []
    for name, query in library.items():
        params = {p.name: p.example for p in query.parameters}
        bindings = query.bindings(params)
        text = with_values(query, bindings) if bindings else query.text  # the same bound text run_query sends
        medians, result = interleaved({
            "ours": lambda: run_query(query, params, graph=graph, timeout=600),
            "inline": lambda: run_query(query, params, graph=graph, timeout=None),
            "raw": lambda: list(raw_store.query(text, use_default_graph_as_union=True)),
        }, args.runs)
        rows.append({"name": name, "rows": len(result.rows), **medians})  # type: ignore[attr-defined]
        ours, raw = medians["ours"], medians["raw"]
        limit = min(args.rdflib_timeout, max(RDFLIB_MIN_LIMIT, args.rdflib_factor * ours))
        jobs.append((name, query.text, {k: (["iri", v.value, None] if isinstance(v, ox.NamedNode) else ["literal", v.value, v.datatype.value]) for k, v in bindings.items()}, limit))
        print(f"{name}: {ours * 1000:.1f} ms (pyoxigraph {raw * 1000:.1f} ms)", file=sys.stderr, flush=True)

    rdflib_load: dict = {}
    rdflib_rows: dict[str, dict] = {}
    if args.rdflib_timeout:
        rdflib_load, rdflib_rows = rdflib_latencies(graph / "sanctiongraph.trig", jobs)

    table = render(args, quads, build_seconds, rows, rdflib_load, rdflib_rows)
    print(table)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        section = f"{START}\n{table}\n{END}"
        text = text[: text.index(START)] + section + text[text.index(END) + len(END):] if START in text else text.rstrip() + "\n\n" + section + "\n"
        path.write_text(text, encoding="utf-8")
    return 0


def render(args: argparse.Namespace, quads: int, build_seconds: float, rows: list[dict], rdflib_load: dict, rdflib_rows: dict[str, dict]) -> str:
    def ms(seconds: float | None) -> str:
        return "–" if seconds is None else f"{seconds * 1000:,.1f}"

    lines = [
        "## Queries",
        "",
        f"Every library query with its example parameters, on a generated corpus of {args.sources:,} sources plus the "
        f"bundled first source: {quads:,} quads (seed {args.seed}; built in {build_seconds:.0f} s). Median of at least {args.runs} runs "
        "(more for fast queries, up to about 1 s each) after one cold run, the three columns interleaved run by run in one process: **ours** = `sanctiongraph.query.running.run_query` (the CLI and API path: parameter "
        "binding, the read-only on-disk store, rows materialised as tuples, the query run by a pooled thread that the caller waits on with a time limit); "
        "**ours, no limit** = the same with `timeout=None`, in the calling thread; **pyoxigraph** = `Store.query(...)` on the same "
        "store with the same bound query text, iterated to a list; **rdflib** = `rdflib.Dataset(default_union=True).query(text, initBindings=...)` on the "
        f"same TriG, one run per query in a child process, stopped once it has taken {args.rdflib_factor:g} times as long as ours "
        f"(not before {RDFLIB_MIN_LIMIT:g} s, nor after {args.rdflib_timeout:g} s): \"≥ N\" is where it was stopped.",
        "",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__ if hasattr(ox, '__version__') else '0.5'}. "
        + (f"rdflib loaded the TriG in {rdflib_load.get('load', 0):.0f} s ({rdflib_load.get('triples', 0):,} triples in the union)." if rdflib_load else "rdflib not run."),
        "",
        f"Rerun: `python benchmarks/queries.py --sources {args.sources} --runs {args.runs} --rdflib-factor {args.rdflib_factor:g} --rdflib-timeout {args.rdflib_timeout:g} --write`",
        "",
        "| query | rows | ours (ms) | ours, no limit (ms) | pyoxigraph (ms) | ours / pyoxigraph | no limit / pyoxigraph | rdflib (ms) | rdflib / ours |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        rd = rdflib_rows.get(row["name"], {})
        rd_seconds = rd.get("seconds")
        if rd_seconds is None and rd:
            rd_cell, ratio = f"≥ {ms(rd['limit'])}", f"≥ {rd['limit'] / max(row['ours'], 1e-9):,.0f}×"
        elif rd_seconds is None:
            rd_cell, ratio = "–", "–"
        else:
            rd_cell, ratio = ms(rd_seconds), f"{rd_seconds / max(row['ours'], 1e-9):,.0f}×"
        lines.append(f"| {row['name']} | {row['rows']:,} | {ms(row['ours'])} | {ms(row['inline'])} | {ms(row['raw'])} | "
                     f"{row['ours'] / max(row['raw'], 1e-9):.2f} | {row['inline'] / max(row['raw'], 1e-9):.2f} | {rd_cell} | {ratio} |")
    lines += ["", *verdicts(args, rows, rdflib_rows)]
    return "\n".join(lines)


def verdicts(args: argparse.Namespace, rows: list[dict], rdflib_rows: dict[str, dict]) -> list[str]:
    """The two targets of the query interface, counted over this run's rows."""
    slow = [f"{row['name']} ({row['ours'] / row['raw']:.2f}×)" for row in rows if row["ours"] > 1.5 * row["raw"]]
    lines = [f"- **ours within 1.5× of pyoxigraph**: {len(rows) - len(slow)} of {len(rows)} queries"
             + (f"; not: {', '.join(slow)}." if slow else ".")]
    if rdflib_rows:
        def rdflib_seconds(row: dict) -> float:
            rd = rdflib_rows[row["name"]]
            return rd["seconds"] if rd["seconds"] is not None else rd["limit"]
        short = [f"{row['name']} ({rdflib_seconds(row) / row['ours']:,.0f}×)" for row in rows
                 if rdflib_seconds(row) < args.rdflib_factor * row["ours"]]
        lines.append(f"- **rdflib at least {args.rdflib_factor:g}× slower than ours**: {len(rows) - len(short)} of {len(rows)} queries"
                     + (f"; not: {', '.join(short)}." if short else "."))
    return lines


if __name__ == "__main__":
    sys.exit(main())
