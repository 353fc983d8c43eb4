"""Interactive network views of the graph: self-contained, offline HTML pages with the evidence behind every node and edge.

A view is the network of a CONSTRUCT query (`queries/views/*.rq`), narrowed to a source, a neighbourhood or a path
(`views`), drawn with pyvis' vis-network, styled by class (`style.toml`) and given its provenance (`sanctiongraph.query.facts`, `page`).
"""

from sanctiongraph.viz.page import draw, render, write_view
from sanctiongraph.viz.views import MAX_NODES, View, entity_view, overview, path_view, query_view, view_query

__all__ = ["MAX_NODES", "View", "draw", "entity_view", "overview", "path_view", "query_view", "render", "view_query",
           "write_view"]
