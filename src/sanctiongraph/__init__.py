"""sanctiongraph: a knowledge graph of sanctions, commodities and claims, built from annotated news sources.

The Python API, for scripts and notebooks:

- `build(sources, ontology, output)` reads a project's annotated sources, checks them and writes the
  graph, its exports and its store (what `sanctiongraph build` does);
- `open_graph(graph)` opens a built graph's Oxigraph store, read-only (`memory=True`: a copy in memory, faster on
  result-heavy queries);
- `run_query(name_or_text, params, graph=..., endpoint=...)` runs a named query of the library (or any
  SPARQL text) with its parameters bound, on the built store or a SPARQL endpoint, and returns a `Result`;
- `to_networkx(graph, sources=..., start=..., end=..., evidence_only=...)` the network of actors and the
  statements that link them, as a networkx MultiDiGraph (sanctiongraph.network);
- `to_rdflib(graph)` an rdflib Dataset over the built store, through oxrdflib: rdflib's API, Oxigraph's engine.

Every error meant for people is a `SanctionGraphError` with a one-line message.
"""

from __future__ import annotations

__version__ = "0.1.0"  # the one place it is kept (pyproject.toml reads it from here); the modules below read it here

from collections.abc import Iterable  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import pyoxigraph as ox  # noqa: E402

from sanctiongraph.builder.dataset import build  # noqa: E402
from sanctiongraph.errors import SanctionGraphError  # noqa: E402
from sanctiongraph.query.running import Result, run_query  # noqa: E402
from sanctiongraph.query.store import open_store  # noqa: E402

if TYPE_CHECKING:
    import networkx
    import rdflib

__all__ = ["Result", "SanctionGraphError", "__version__", "build", "open_graph", "run_query", "to_networkx", "to_rdflib"]


def open_graph(graph: Path | str | None = None, *, memory: bool = False) -> ox.Store:
    """The store of a built graph folder (default: the current project's `graph/`), opened read-only; with memory, a
    copy of it in memory (writable, but nothing written reaches the graph folder)."""
    from sanctiongraph import project

    return open_store(Path(graph) if graph is not None else project.find_project().graph, memory=memory)


def to_networkx(graph: Path | str | None = None, *, sources: Iterable[str] = (), start: date | None = None,
                end: date | None = None, evidence_only: bool = False) -> networkx.MultiDiGraph:
    """The network of actors of a built graph (default: the current project's): entities as nodes (label, cls,
    aliases, iri), the statements and registry facts that link them as edges keyed by statement (relation, label,
    registry, statement, summary, startRole, endRole, source, sourceTitle, address, evidence, sentence); only the
    statements of `sources` (IDs) that hold between `start` and `end`, and no registry links if `evidence_only`. Read
    from the network file the build wrote beside its store (sanctiongraph.network.stored), else from the store."""
    from sanctiongraph import project
    from sanctiongraph.network import Filters, network_of

    folder = Path(graph) if graph is not None else project.find_project().graph
    return network_of(folder, Filters(tuple(sources), start, end, evidence_only)).graph


def to_rdflib(graph: Path | str | None = None) -> rdflib.Dataset:
    """The built graph as an rdflib Dataset, read-only, over its Oxigraph store (oxrdflib): rdflib code works on it,
    and its SPARQL queries run on Oxigraph's engine, with the union of the graphs as the default graph."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    return Dataset(store=OxigraphStore(store=open_graph(graph)), default_union=True)
