"""The network for graph tools: GraphML and GEXF (Gephi), written by networkx, with each entity's label, class and
scores, and each link's relation, roles, statement, source and evidence as attributes; written atomically."""

from __future__ import annotations

import io
from pathlib import Path

import networkx as nx

from sanctiongraph.files import write_atomically
from sanctiongraph.network.analytics import Scores

FORMATS = ("graphml", "gexf")


def scored(graph: nx.MultiDiGraph, found: Scores) -> nx.MultiDiGraph:
    """A copy of the graph with each score as a node attribute."""
    copy = graph.copy()
    for name, values in found.by_name.items():
        nx.set_node_attributes(copy, {node: float(value) for node, value in values.items()}, name)
    return copy


def write_graph(graph: nx.MultiDiGraph, fmt: str, path: Path) -> Path:
    """The graph as GraphML or GEXF 1.2, written atomically to path."""
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    else:
        nx.write_gexf(graph, buffer, encoding="utf-8", version="1.2draft")
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, buffer.getvalue())
