"""Must-return-nothing SPARQL checks, run on every build: each row is a violation at a named statement.

A check whose header has the line `# scope: graph` declares that its answer for a focus depends only on the named
graph the focus is in and on the ontology, registry and links graphs: a build whose shared inputs did not change
runs it on the graphs that changed only (sanctiongraph.builder.dataset). Every other check runs on the whole graph."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.errors import SanctionGraphError

CHECKS_FOLDER = "checks"
PER_GRAPH = "# scope: graph"


def run_checks(store: ox.Store, ontology_folder: Path, locations: dict[str, str], graphs: list[str] | None = None) -> list[str]:
    """Run every checks/*.rq of the ontology folder (those per graph on graphs only, if given), on one thread per core
    (Oxigraph evaluates a query without Python's lock); return one line per violation, naming file and line, sorted."""
    paths = sorted((ontology_folder / CHECKS_FOLDER).glob("*.rq"))
    with ThreadPoolExecutor(max_workers=len(os.sched_getaffinity(0)), thread_name_prefix="sanctiongraph-check") as threads:
        found = list(threads.map(lambda path: _violations(store, path, locations, graphs), paths))
    return sorted(line for lines in found for line in lines)


def _violations(store: ox.Store, path: Path, locations: dict[str, str], graphs: list[str] | None) -> list[str]:
    query = path.read_text(encoding="utf-8")
    if graphs is not None and _per_graph(query):
        solutions = store.query(query, default_graph=[ox.NamedNode(name) for name in graphs])
    else:
        solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        raise SanctionGraphError(f"{path}: a check is a SELECT query of ?focus and ?message")
    violations = []
    for row in solutions:
        focus = row["focus"]
        value = focus.value if isinstance(focus, ox.NamedNode) else str(focus)
        where = locations.get(value) or locations.get(value.split("/evidence")[0]) or value
        violations.append(f"{where}: {row['message'].value} [check {path.stem}]")
    return violations


def _per_graph(query: str) -> bool:
    """Whether the query's header (its comment lines before the first other line) declares it per graph."""
    for line in query.splitlines():
        if not line.startswith("#"):
            return False
        if line.strip() == PER_GRAPH:
            return True
    return False
