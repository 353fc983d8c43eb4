"""Which nodes and edges a view shows: the triples of a CONSTRUCT query, narrowed to a source, a neighbourhood or a path.

A view query's triples are read thus: an `rdf:type` triple puts its subject in the view (drawn even without
edges, styled by its class); any other triple between two IRIs is an edge; literals and blank nodes are not drawn.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from itertools import islice, pairwise
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from sanctiongraph import paths
from sanctiongraph.errors import ViewError
from sanctiongraph.namespaces import GRAPH, ID, RDF
from sanctiongraph.queries import Query, load_query
from sanctiongraph.viz.facts import Facts

MAX_PATHS = 25


@dataclass(frozen=True, order=True)
class Edge:
    """A triple drawn as an edge, with the named graphs that hold it (none when the view's query derived it)."""

    subject: str
    predicate: str
    object: str
    graphs: tuple[str, ...]


@dataclass(frozen=True)
class View:
    """A network to draw: its nodes and edges, a title, and how to narrow it when it is too large to draw."""

    slug: str
    title: str
    description: str
    nodes: tuple[str, ...]
    edges: tuple[Edge, ...]
    narrow: str


def construct(store: ox.Store, query: Query) -> tuple[set[str], list[Edge]]:
    """The nodes and edges of a CONSTRUCT query over the union of all graphs."""
    results = store.query(query.text, use_default_graph_as_union=True)
    if not isinstance(results, ox.QueryTriples):
        raise ViewError(f"query {query.name} is not a CONSTRUCT query; a view draws the triples a CONSTRUCT returns (see queries/views/)")
    nodes: set[str] = set()
    edges: set[Edge] = set()
    for subject, predicate, obj in results:
        if not isinstance(subject, ox.NamedNode):
            continue
        nodes.add(subject.value)
        if predicate.value == RDF + "type" or not isinstance(obj, ox.NamedNode):
            continue
        nodes.add(obj.value)
        quads = store.quads_for_pattern(subject, predicate, obj, None)
        graphs = {quad.graph_name.value for quad in quads if isinstance(quad.graph_name, ox.NamedNode)}
        edges.add(Edge(subject.value, predicate.value, obj.value, tuple(sorted(graphs))))
    return nodes, sorted(edges)


def _source_graph(facts: Facts, source: str) -> str:
    graph = GRAPH + "source/" + source
    if graph not in facts.sources:
        known = ", ".join(sorted(g.removeprefix(GRAPH + "source/") for g in facts.sources))
        raise ViewError(f"no source {source!r} in the graph; sources: {known or 'none'}")
    return graph


def _within_source(facts: Facts, nodes: set[str], edges: list[Edge], graph: str) -> tuple[set[str], list[Edge]]:
    """What one source says: its statements and claims, what they link to, and the other links among those nodes."""
    stated = [edge for edge in edges if graph in edge.graphs]
    kept = {n for n in nodes if n in facts.items and facts.items[n].graph == graph}
    kept |= {edge.subject for edge in stated} | {edge.object for edge in stated}
    return kept, [edge for edge in edges if edge.subject in kept and edge.object in kept]


def _view(store: ox.Store, facts: Facts, query: Query, source: str | None, slug: str, title: str, narrow: str) -> View:
    nodes, edges = construct(store, query)
    description = query.description
    if source is not None:
        graph = _source_graph(facts, source)
        nodes, edges = _within_source(facts, nodes, edges, graph)
        slug, title = f"{slug}-{source}", f"{title}: {facts.sources[graph].title}"
        description += f" Only what the source {source!r} states or relays, and the registry's links between the nodes it names."
    return View(slug, title, description, tuple(sorted(nodes)), tuple(edges), narrow)


def view_query(name_or_file: str | Path) -> Query:
    """A view query: by name from queries/views/, or any query file given as a Path."""
    if isinstance(name_or_file, Path):
        if not name_or_file.is_file():
            raise ViewError(f"{name_or_file}: no such query file")
        return load_query(name_or_file)
    path = paths.views_folder() / f"{name_or_file}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in paths.views_folder().glob("*.rq")))
        raise ViewError(f"no view query {name_or_file!r} in {paths.views_folder()}; views: {known or 'none'}")
    return load_query(path)


def query_view(store: ox.Store, facts: Facts, query: Query, *, source: str | None = None) -> View:
    """The network of a CONSTRUCT query, optionally only what one source says."""
    narrow = "--source ID, or a query that matches less"
    return _view(store, facts, query, source, f"query-{query.name}", query.title, narrow)


def overview(store: ox.Store, facts: Facts, *, source: str | None = None) -> View:
    """The whole knowledge network (queries/views/overview.rq), optionally only what one source says."""
    query = view_query("overview")
    narrow = "--source ID, `viz entity ID --hops N`, or `viz query NAME` with a narrower view query"
    return _view(store, facts, query, source, "overview", query.title, narrow)


def _graph(view: View) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(view.nodes)
    graph.add_edges_from((edge.subject, edge.object) for edge in view.edges)
    return graph


def _node(view: View, name: str) -> str:
    """The IRI of an entity given by its registry ID or its IRI, if the view has it."""
    iri = name if name.startswith(("http://", "https://")) else ID + name
    if iri in view.nodes:
        return iri
    ids = [node.removeprefix(ID) for node in view.nodes if node.startswith(ID)]
    close = difflib.get_close_matches(name, ids, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; entity IDs are the keys of sources/entities.yaml"
    raise ViewError(f"no node {name!r} in {view.title.lower()}{hint}")


def entity_view(store: ox.Store, facts: Facts, entity: str, *, hops: int = 2, source: str | None = None) -> View:
    """Everything within `hops` edges of an entity in the overview (an entity and the others named in its statements are two hops apart)."""
    if hops < 1:
        raise ViewError(f"--hops must be at least 1, not {hops}")
    base = overview(store, facts, source=source)
    center = _node(base, entity)
    near = set(nx.ego_graph(_graph(base), center, radius=hops))
    edges = tuple(edge for edge in base.edges if edge.subject in near and edge.object in near)
    suffix = base.slug.removeprefix("overview")
    return replace(
        base, slug=f"entity-{center.removeprefix(ID).replace('/', '-')}-{hops}{suffix}",
        title=f"{facts.label(center)}: {hops} hop{'s' if hops > 1 else ''} out",
        description=f"Every node within {hops} edge{'s' if hops > 1 else ''} of {facts.label(center)} in the overview, "
                    "and the edges among them.",
        nodes=tuple(sorted(near)), edges=edges, narrow="fewer --hops, or --source ID")


def path_view(store: ox.Store, facts: Facts, start: str, end: str, *, source: str | None = None) -> View:
    """The shortest connections between two entities in the overview (at most MAX_PATHS of them)."""
    base = overview(store, facts, source=source)
    first, last = _node(base, start), _node(base, end)
    try:
        routes = list(islice(nx.all_shortest_paths(_graph(base), first, last), MAX_PATHS))
    except nx.NetworkXNoPath:
        raise ViewError(f"{facts.label(first)} and {facts.label(last)} are not connected in {base.title.lower()}") from None
    steps = {frozenset(pair) for route in routes for pair in pairwise(route)}
    nodes = {node for route in routes for node in route}
    edges = tuple(edge for edge in base.edges if frozenset((edge.subject, edge.object)) in steps)
    length = len(routes[0]) - 1
    return replace(
        base, slug=f"path-{first.removeprefix(ID)}-{last.removeprefix(ID)}{base.slug.removeprefix('overview')}".replace("/", "-"),
        title=f"{facts.label(first)} to {facts.label(last)}",
        description=f"The {len(routes)} shortest connection{'s' if len(routes) > 1 else ''} ({length} edges each"
                    f"{f', the first {MAX_PATHS} only' if len(routes) == MAX_PATHS else ''}) "
                    f"between {facts.label(first)} and {facts.label(last)} in the overview.",
        nodes=tuple(sorted(nodes)), edges=edges, narrow="--source ID")
