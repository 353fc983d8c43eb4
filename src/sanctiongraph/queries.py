"""The library of named SPARQL queries: one .rq file each, with a title and a description in its header."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.exports import STEM

_HEADER = re.compile(r"^#\s*(title|description):\s*(.+)$")


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    text: str


def load_query(path: Path) -> Query:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADER.match(line)
        if not line.startswith("#"):
            break
        if match:
            header[match.group(1)] = match.group(2).strip()
    if "title" not in header or "description" not in header:
        raise SanctionGraphError(f"{path}: a query file must open with '# title:' and '# description:' lines")
    return Query(path.stem, header["title"], header["description"], path.read_text(encoding="utf-8"))


def load_queries(folder: Path) -> dict[str, Query]:
    return {path.stem: load_query(path) for path in sorted(folder.glob("*.rq"))}


def open_store(graph_folder: Path) -> ox.Store:
    """An in-memory store with the built dataset (the TriG export) loaded."""
    path = graph_folder / f"{STEM}.trig"
    if not path.is_file():
        raise SanctionGraphError(f"{path}: no built graph here; run `sanctiongraph build` first")
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


def select(store: ox.Store, query: Query) -> list[dict[str, ox.NamedNode | ox.Literal | None]]:
    """Run a SELECT query over the union of all graphs; one dict per row, None for unbound variables."""
    solutions = store.query(query.text, use_default_graph_as_union=True)
    if not isinstance(solutions, ox.QuerySolutions):
        raise SanctionGraphError(f"query {query.name} is not a SELECT query")
    names = [variable.value for variable in solutions.variables]
    return [dict(zip(names, row)) for row in solutions]  # a row iterates its values in variable order
