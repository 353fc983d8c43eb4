"""The embedded query engine: an Oxigraph store on disk, in each build's folder beside its exports.

`graph/store` leads through `graph/current` to the store of the current build (sanctiongraph.builder.builds);
a reader opens the build it resolves to, the previous one or the new one, never half of either."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from sanctiongraph.builder.exports import STEM
from sanctiongraph.errors import SanctionGraphError

STORE_LINK = "store"


class Readable(Protocol):
    """What the queries, the views and the server read a store through: pyoxigraph's Store (the embedded store), or a
    remote store over SPARQL (sanctiongraph.query.endpoint.Endpoint)."""

    def query(self, query: str, /, *, use_default_graph_as_union: bool = ...,
              default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = ...,
              named_graphs: list[ox.NamedNode | ox.BlankNode] | None = ...) -> ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]: ...

    def quads_for_pattern(self, subject: ox.NamedNode | None, predicate: ox.NamedNode | None,
                          object: ox.NamedNode | ox.Literal | None, graph_name: ox.NamedNode | None = ..., /) -> Iterator[ox.Quad]: ...

    def contains_named_graph(self, graph_name: ox.NamedNode, /) -> bool: ...


def open_store(folder: Path, *, writable: bool = False, memory: bool = False) -> ox.Store:
    """The built store of folder, opened read-only (once per built store and process); read-write only for a
    server that accepts updates; with memory, copied into a new store in memory (faster on result-heavy queries)."""
    link = os.path.join(folder, STORE_LINK)
    # The real path names the build: a rebuild swaps graph/current, and the next open_store opens the new store.
    target = os.path.realpath(link)
    if not os.path.isdir(target):
        raise SanctionGraphError(f"{link}: no built store here; run `sanctiongraph build` first")
    if writable:
        try:
            return ox.Store(target)
        except OSError as error:
            raise SanctionGraphError(f"{link}: cannot open the store for writing: {error}") from None
    if memory:
        return in_memory(Path(target).parent)
    return _open(target)


def in_memory(build: Path) -> ox.Store:
    """A store in memory holding a build's graph, loaded from the build's N-Quads export beside its store (Oxigraph's
    bulk loader parses it in Rust: 2.2 times as fast as copying the store's quads through Python)."""
    dump = build / f"{STEM}.nq"
    copy = ox.Store()
    try:
        copy.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except OSError as error:
        raise SanctionGraphError(f"{dump}: cannot load it into memory: {error}") from None
    return copy


@functools.lru_cache(maxsize=8)
def _open(path: str) -> ox.Store:
    try:
        return ox.Store.read_only(path)
    except OSError as error:
        raise SanctionGraphError(f"{path}: cannot open the store: {error}") from None
