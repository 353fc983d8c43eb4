"""Network analytics with networkx's algorithms: centrality, communities, and exposure to listed or sanctioned entities.

Centrality and communities are computed on the undirected simple graph of the network (two entities are adjacent
when any link joins them): degree centrality and the count of neighbours, betweenness (exact up to EXACT_BETWEENNESS
entities, else estimated from that many seeded samples), PageRank, and Louvain communities (seeded), numbered from
the largest. Exposure: the entities within N links of an entity that a statement names in a sanctioned role
(roles.toml), with the shortest path from the nearest such entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from sanctiongraph.errors import UsageError
from sanctiongraph.network.links import Link, Roles
from sanctiongraph.network.results import Value, result
from sanctiongraph.query.running import Result

SCORES = ("degree", "betweenness", "pagerank", "community")
EXACT_BETWEENNESS = 1000
SEED = 1


def simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph of the network, nodes and edges in a fixed order."""
    plain = nx.Graph()
    plain.add_nodes_from(sorted(graph.nodes))
    plain.add_edges_from(sorted({tuple(sorted((a, b))) for a, b in graph.edges() if a != b}))
    return plain


@dataclass(frozen=True)
class Scores:
    """Each entity's scores, by score name (community: its community's number, 1 the largest)."""

    by_name: Mapping[str, Mapping[str, float]]
    neighbours: Mapping[str, int]

    def ranked(self, by: str) -> list[str]:
        if by not in SCORES:
            raise UsageError(f"no score {by!r}; scores: {', '.join(SCORES)}")
        direction = 1 if by == "community" else -1
        return sorted(self.by_name[by], key=lambda node: (direction * self.by_name[by][node], node))


def scores(graph: nx.MultiDiGraph) -> Scores:
    """Degree centrality, betweenness, PageRank and community of every entity of the network."""
    plain = simple(graph)
    sample = None if plain.number_of_nodes() <= EXACT_BETWEENNESS else EXACT_BETWEENNESS
    communities = sorted(nx.community.louvain_communities(plain, seed=SEED), key=lambda c: (-len(c), min(c)))
    return Scores({
        "degree": nx.degree_centrality(plain),
        "betweenness": nx.betweenness_centrality(plain, k=sample, seed=SEED),
        "pagerank": nx.pagerank(plain),
        "community": {node: float(number) for number, members in enumerate(communities, 1) for node in members},
    }, dict(plain.degree()))


def score_rows(graph: nx.MultiDiGraph, found: Scores, *, by: str = "pagerank", top: int | None = None) -> Result:
    """The entities with their scores, best first by one score (community: by number), the first `top` only."""
    rows: list[list[Value]] = []
    for node in found.ranked(by)[:top]:
        rows.append([ox.NamedNode(node), graph.nodes[node]["cls"], found.neighbours[node],
                     found.by_name["degree"][node], found.by_name["betweenness"][node], found.by_name["pagerank"][node],
                     int(found.by_name["community"][node])])
    return result(["entity", "class", "neighbours", "degree", "betweenness", "pagerank", "community"], rows)


def sanctioned(links: list[Link]) -> set[str]:
    """The entities a statement names in a sanctioned role."""
    roles = Roles.load().sanctioned
    return {end for link in links for end, role in ((link.start, link.start_role), (link.end, link.end_role)) if role in roles}


def exposure_rows(graph: nx.MultiDiGraph, links: list[Link], *, hops: int = 2) -> Result:
    """Every entity within `hops` links of a listed or sanctioned one (not itself so), nearest first, with the path
    from the nearest such entity (ties: the first by IRI)."""
    if hops < 1:
        raise UsageError(f"--hops must be at least 1, not {hops}")
    plain = simple(graph)
    listed = sorted(sanctioned(links) & set(plain.nodes))
    rows: list[list[Value]] = []
    if listed:
        distances, paths = nx.multi_source_dijkstra(plain, listed, cutoff=hops)
        for node in sorted(distances, key=lambda n: (distances[n], n)):
            if node in listed:
                continue
            path = paths[node]
            rows.append([ox.NamedNode(node), int(distances[node]), ox.NamedNode(path[0]),
                         " — ".join(graph.nodes[step]["label"] for step in path)])
    return result(["entity", "hops", "sanctioned", "path"], rows)
