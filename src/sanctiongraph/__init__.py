"""sanctiongraph: a knowledge graph of sanctions, commodities and claims, built from annotated news sources.

The Python API, for scripts and notebooks:

- `build(sources, ontology, output)` reads a project's annotated sources, checks them and writes the
  graph, its exports and its store (what `sanctiongraph build` does);
- `open_graph(graph)` opens a built graph's Oxigraph store, read-only (`memory=True`: a copy in memory, faster on
  result-heavy queries);
- `run_query(name_or_text, params, graph=..., endpoint=...)` runs a named query of the library (or any
  SPARQL text) with its parameters bound, on the built store or a SPARQL endpoint, and returns a `Result`.

Every error meant for people is a `SanctionGraphError` with a one-line message.
"""

from __future__ import annotations

from importlib.metadata import version

__version__ = version("sanctiongraph")  # the one place it is kept is pyproject.toml; the modules below read it here

from pathlib import Path  # noqa: E402

import pyoxigraph as ox  # noqa: E402

from sanctiongraph.builder.dataset import build  # noqa: E402
from sanctiongraph.errors import SanctionGraphError  # noqa: E402
from sanctiongraph.query.running import Result, run_query  # noqa: E402
from sanctiongraph.query.store import open_store  # noqa: E402

__all__ = ["Result", "SanctionGraphError", "__version__", "build", "open_graph", "run_query"]


def open_graph(graph: Path | str | None = None, *, memory: bool = False) -> ox.Store:
    """The store of a built graph folder (default: the current project's `graph/`), opened read-only; with memory, a
    copy of it in memory (writable, but nothing written reaches the graph folder)."""
    from sanctiongraph import project

    return open_store(Path(graph) if graph is not None else project.find_project().graph, memory=memory)
