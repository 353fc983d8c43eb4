"""The network of actors and the statements that link them: what counts as a link and the filters (`links`), the
shortest connections between two entities (`paths`), the network as a networkx graph (`graph`, or `stored`: as the
build stored it), its analytics (`analytics`), and its interchange formats (`gephi`), written as query results by
`results`.

The builder reads `links` to render the network part by part (sanctiongraph.builder.network), so this package
imports networkx only where a graph is made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from sanctiongraph.errors import NetworkError
from sanctiongraph.network.links import Filters, Link, Links
from sanctiongraph.query.facts import load_facts
from sanctiongraph.query.store import open_store

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True)
class Network:
    """The whole network under some filters: its links and its graph."""

    found: list[Link]
    graph: nx.MultiDiGraph


def read_network(store: ox.Store, filters: Filters = Filters()) -> Network:
    """Every link of the store under the filters, as a graph; a NetworkError when the filters select none."""
    from sanctiongraph.network.graph import network_graph

    links = Links(store, filters)
    found = links.all()
    if not found:
        raise NetworkError(f"no links in the graph with these filters ({filters.describe()})")
    return Network(found, network_graph(links, found, load_facts(store)))


def network_of(folder: Path, filters: Filters = Filters()) -> Network:
    """The network of a built graph folder under the filters: read from the network file of its build
    (sanctiongraph.network.stored) when it has one from that very build, else from its store; the same either way."""
    from sanctiongraph.network.stored import build_of, stored_network, stored_rows

    rows = stored_rows(build_of(folder))
    if rows is None:
        return read_network(open_store(folder), filters)
    graph, found = stored_network(rows, filters)
    if not found:
        raise NetworkError(f"no links in the graph with these filters ({filters.describe()})")
    return Network(found, graph)


__all__ = ["Filters", "Link", "Links", "Network", "network_of", "read_network"]
