"""The network of actors and the statements that link them: what counts as a link and the filters (`links`), the
shortest connections between two entities (`paths`), the network as a networkx graph (`graph`, or `stored`: as the
build stored it), its analytics (`analytics`), and its interchange formats (`gephi`), written as query results by
`results`.

The builder reads `links` to render the network part by part (sanctiongraph.builder.network), so this package
imports networkx only where a graph is made."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from sanctiongraph.errors import NetworkError
from sanctiongraph.network.links import Filters, Link, Links
from sanctiongraph.query.facts import load_facts
from sanctiongraph.query.store import open_store

if TYPE_CHECKING:
    import networkx as nx

    from sanctiongraph.network.stored import StoredNetwork

T = TypeVar("T")


class Network:
    """The whole network under some filters: its graph, and its links (made, when they are not at hand, the first
    time they are asked for)."""

    def __init__(self, graph: nx.MultiDiGraph, links: list[Link] | Callable[[], list[Link]]) -> None:
        self.graph = graph
        self._links = links

    @functools.cached_property
    def found(self) -> list[Link]:
        return self._links if isinstance(self._links, list) else self._links()


def read_network(store: ox.Store, filters: Filters = Filters()) -> Network:
    """Every link of the store under the filters, as a graph; a NetworkError when the filters select none."""
    from sanctiongraph.network.graph import network_graph

    links = Links(store, filters)
    found = links.all()
    if not found:
        raise NetworkError(f"no links in the graph with these filters ({filters.describe()})")
    return Network(network_graph(links, found, load_facts(store)), found)


def _stored(folder: Path, filters: Filters, read: Callable[[StoredNetwork], T]) -> T | None:
    """What read takes from the network under the filters as the build of a graph folder stored it, if it has a
    network file of that very build that reads whole (sanctiongraph.network.stored); None otherwise."""
    from sanctiongraph.builder.dataset import without_cycle_collection
    from sanctiongraph.network.stored import StoredNetwork, build_of, stored_rows

    with without_cycle_collection():  # tens of thousands of objects, no cycles
        rows = stored_rows(build_of(folder))
        try:
            return read(StoredNetwork(rows, filters)) if rows is not None else None
        except (IndexError, KeyError, TypeError, ValueError):  # rows not as the build writes them: the store is read
            return None


def network_of(folder: Path, filters: Filters = Filters()) -> Network:
    """The network of a built graph folder under the filters: read from the network file of its build
    (sanctiongraph.network.stored) when it has one from that very build, else from its store; the same either way."""
    stored = _stored(folder, filters, lambda network: Network(network.graph, network.links))
    if stored is None:
        return read_network(open_store(folder), filters)
    if not stored.graph.number_of_edges():
        raise NetworkError(f"no links in the graph with these filters ({filters.describe()})")
    return stored


def links_of(folder: Path, filters: Filters = Filters()) -> Links:
    """The links of a built graph folder under the filters, for a search hop by hop (sanctiongraph.network.paths):
    looked up among those of its build's network file when it has one from that very build, else in its store; the
    same either way."""
    from sanctiongraph.network.stored import KnownLinks

    store = open_store(folder)
    stored = _stored(folder, filters, lambda network: KnownLinks(store, network, filters))
    return Links(store, filters) if stored is None else stored


__all__ = ["Filters", "Link", "Links", "Network", "links_of", "network_of", "read_network"]
