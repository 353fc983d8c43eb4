"""The network of actors and the statements that link them: what counts as a link and the filters (`links`), the
shortest connections between two entities (`paths`), the network as a networkx graph (`graph`), its analytics
(`analytics`), and its interchange formats (`gephi`), written as query results by `results`."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from sanctiongraph.errors import NetworkError
from sanctiongraph.network.graph import network_graph
from sanctiongraph.network.links import Filters, Link, Links
from sanctiongraph.query.facts import load_facts


@dataclass(frozen=True)
class Network:
    """The whole network under some filters: its reader, its links and its graph."""

    links: Links
    found: list[Link]
    graph: nx.MultiDiGraph


def read_network(store: ox.Store, filters: Filters = Filters()) -> Network:
    """Every link of the store under the filters, as a graph; a NetworkError when the filters select none."""
    links = Links(store, filters)
    found = links.all()
    if not found:
        raise NetworkError(f"no links in the graph with these filters ({filters.describe()})")
    return Network(links, found, network_graph(links, found, load_facts(store)))


__all__ = ["Filters", "Link", "Links", "Network", "read_network"]
