"""The shortest connections between two entities of the network, each hop with the links that make it.

The network is walked out from both ends, a hop at a time from the end with the fewer entities to expand, reading
only the links at those entities (Links.at), until the two meet or the hop limit is passed: every shortest
connection then lies among the links found, which networkx searches (all_shortest_paths).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice, pairwise

import networkx as nx
import pyoxigraph as ox

from sanctiongraph.errors import UsageError
from sanctiongraph.network.links import Link, Links, in_order
from sanctiongraph.network.results import Value, result
from sanctiongraph.query.running import Result

MAX_PATHS = 25
MAX_HOPS = 6


@dataclass(frozen=True)
class Hop:
    """A step of a route from one entity to the next, by one link (`forward`: in the link's own direction)."""

    route: int
    step: int
    start: str
    end: str
    link: Link

    @property
    def forward(self) -> bool:
        return self.link.start == self.start


@dataclass(frozen=True)
class Connections:
    """The shortest routes between two entities (at most MAX_PATHS), and their hops: every link of each step."""

    start: str
    end: str
    routes: tuple[tuple[str, ...], ...]
    hops: tuple[Hop, ...]

    @property
    def length(self) -> int | None:
        return len(self.routes[0]) - 1 if self.routes else None


def shortest_connections(links: Links, start: str, end: str, *, max_hops: int = MAX_HOPS, limit: int = MAX_PATHS) -> Connections:
    """The shortest connections between two entities (IDs, IRIs, labels or aliases) of at most `max_hops` links;
    none (no routes) when there is no such connection."""
    if max_hops < 1:
        raise UsageError(f"--max-hops must be at least 1, not {max_hops}")
    first, last = links.resolve(start), links.resolve(end)
    if first == last:
        return Connections(first, last, ((first,),), ())
    sides = [({first}, {first}), ({last}, {last})]  # (reached, frontier) of each end
    found: set[Link] = set()
    depth = 0
    while not sides[0][0] & sides[1][0]:
        reached, frontier = min(sides, key=lambda side: len(side[1]))
        if not frontier or depth >= max_hops:
            return Connections(first, last, (), ())
        depth += 1
        expand = sorted(frontier)
        frontier.clear()
        for link in links.at(expand):
            found.add(link)
            for node in (link.start, link.end):
                if node not in reached:
                    reached.add(node)
                    frontier.add(node)
    ordered = in_order(found)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(sides[0][0] | sides[1][0]))
    graph.add_edges_from(dict.fromkeys((link.start, link.end) for link in ordered))  # each pair once, first as found
    routes = tuple(tuple(route) for route in islice(nx.all_shortest_paths(graph, first, last), limit))
    if len(routes[0]) - 1 > max_hops:
        return Connections(first, last, (), ())
    between: dict[frozenset[str], list[Link]] = {}
    for link in ordered:
        between.setdefault(frozenset((link.start, link.end)), []).append(link)
    hops = tuple(Hop(number, step, a, b, link)
                 for number, route in enumerate(routes, 1) for step, (a, b) in enumerate(pairwise(route), 1)
                 for link in between[frozenset((a, b))])
    return Connections(first, last, routes, hops)


HOP_COLUMNS = ["route", "hop", "from", "fromRole", "relation", "toRole", "to", "direction", "registry",
               "statement", "source", "evidence", "sentence", "address"]


def hop_rows(connections: Connections, links: Links) -> Result:
    """The hops as rows: the link's ends in the route's order, its roles and relation, its direction (forward when
    the route follows the link's own direction), whether the registry states it, and how its statement is attested:
    the statement, its source, its evidence (the quotes) and the sentences they lie in, and the source's address."""
    attested = links.attestations(hop.link.statement for hop in connections.hops if hop.link.statement)
    rows: list[list[Value]] = []
    for hop in connections.hops:
        link = hop.link
        roles = (link.start_role, link.end_role) if hop.forward else (link.end_role, link.start_role)
        row: list[Value] = [hop.route, hop.step, ox.NamedNode(hop.start), _iri(roles[0]), ox.NamedNode(link.relation), _iri(roles[1]),
                            ox.NamedNode(hop.end), "forward" if hop.forward else "backward", link.registry]
        statement = link.statement
        said = attested.get(statement) if statement else None
        rows.append(row + ([ox.NamedNode(statement), ox.NamedNode(said.document), said.evidence, said.sentence, said.address]
                           if statement and said else [None] * 5))
    return result(HOP_COLUMNS, rows)


def _iri(value: str | None) -> ox.NamedNode | None:
    return ox.NamedNode(value) if value else None
