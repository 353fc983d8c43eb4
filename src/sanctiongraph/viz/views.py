"""Which nodes and edges a view shows: the triples of a CONSTRUCT query, narrowed to a source, a neighbourhood or a path.

A view query's triples are read thus: an `rdf:type` triple puts its subject in the view (drawn even without
edges, styled by its class); any other triple between two IRIs is an edge; literals and blank nodes are not drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from sanctiongraph import project
from sanctiongraph.errors import ViewError, ViewTooLarge, shown
from sanctiongraph.identity import names_in_store
from sanctiongraph.namespaces import GRAPH, ID, RDF
from sanctiongraph.query.facts import Facts
from sanctiongraph.query.library import Query, load_query
from sanctiongraph.query.slots import Row, batches, fill, slots
from sanctiongraph.query.store import Readable
from sanctiongraph.suggestions import did_you_mean

if TYPE_CHECKING:
    from sanctiongraph.network.links import Filters, Link

MAX_NODES = 2000


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
    scores: Mapping[str, float] = field(default_factory=dict)  # nodes sized and coloured by a score, if any
    score: str = ""


Triple = tuple[str, str, str]  # subject, predicate, object: an edge before its graphs are looked up


def too_large(title: str, count: int, max_nodes: int, narrow: str, *, at_least: bool = False) -> ViewTooLarge:
    """The refusal of a view with more nodes than `max_nodes` (`at_least`: counted before the view was complete)."""
    return ViewTooLarge(f"{title} has {'at least ' if at_least else ''}{count:,} nodes, more than --max-nodes {max_nodes:,} allows; "
                     f"narrow it with {narrow}")


def _triples(results: Iterable[ox.Triple]) -> Iterator[tuple[str, Triple | None]]:
    """The nodes of a view query's triples, each with its edge (None for an rdf:type triple)."""
    for subject, predicate, obj in results:
        if not isinstance(subject, ox.NamedNode):
            continue
        if predicate.value == RDF + "type" or not isinstance(obj, ox.NamedNode):
            yield subject.value, None
        else:
            yield subject.value, (subject.value, predicate.value, obj.value)


def _edges(store: Readable, triples: Iterable[Triple]) -> tuple[Edge, ...]:
    """The triples as edges, each with the named graphs that hold it, in order."""
    edges = []
    for subject, predicate, obj in triples:
        quads = store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), ox.NamedNode(obj), None)
        graphs = {quad.graph_name.value for quad in quads if isinstance(quad.graph_name, ox.NamedNode)}
        edges.append(Edge(subject, predicate, obj, tuple(sorted(graphs))))
    return tuple(sorted(edges))


def _run(store: Readable, query: Query, text: str) -> Iterable[ox.Triple]:
    results = store.query(text, use_default_graph_as_union=True)
    if isinstance(results, (ox.QuerySolutions, ox.QueryBoolean)):
        raise ViewError(f"query {query.name} is not a CONSTRUCT query; a view draws the triples a CONSTRUCT returns (see queries/views/)")
    return results


def _network_of(store: Readable, query: Query, texts: Iterable[str]) -> tuple[set[str], list[Edge]]:
    """The nodes and edges of the view query's triples, run as each of these texts."""
    nodes: set[str] = set()
    triples: set[Triple] = set()
    for text in texts:
        for node, triple in _triples(_run(store, query, text)):
            nodes.add(node)
            if triple is not None:
                nodes.add(triple[2])
                triples.add(triple)
    return nodes, list(_edges(store, triples))


def construct(store: Readable, query: Query) -> tuple[set[str], list[Edge]]:
    """The nodes and edges of a CONSTRUCT query over the union of all graphs."""
    return _network_of(store, query, [query.text])


class Network:
    """The overview as a neighbourhood or a path needs it: which nodes it has, and its edges at given nodes.

    On the store, the overview query is evaluated with its slots (slots.py) holding the nodes asked about; on a view
    already made (the overview of one source), its edges are looked up in memory.
    """

    def __init__(self, store: Readable, title: str, view: View | None = None) -> None:
        self.store, self.title, self.view = store, title, view
        self.query = view_query("overview")
        self.nodes = set(view.nodes) if view is not None else set()
        self.at: dict[str, list[Edge]] = {}
        for edge in view.edges if view is not None else ():
            self.at.setdefault(edge.subject, []).append(edge)
            self.at.setdefault(edge.object, []).append(edge)

    def _bound(self, nodes: list[str] | None, rows: list[Row]) -> Iterator[tuple[str, Triple | None]]:
        edges = ("subject", "object")
        yield from _triples(_run(self.store, self.query, fill(self.query, {("node",): [(n,) for n in nodes or []], edges: rows})))

    def has(self, iri: str) -> bool:
        if self.view is not None:
            return iri in self.nodes
        return any(True for _ in self._bound([iri], [])) or any(True for _ in self.touching([iri]))

    def names(self) -> list[str]:
        """Every node's IRI (for suggestions when a name is not found: on the store, this evaluates the whole overview)."""
        return sorted(self.nodes if self.view is not None else construct(self.store, self.query)[0])

    def touching(self, nodes: Iterable[str], *, incoming: bool = True) -> Iterator[Triple]:
        """The edges from the nodes and (`incoming`) to them, as they are found; an edge may come twice."""
        if self.view is not None:
            for node in nodes:
                yield from ((e.subject, e.predicate, e.object) for e in self.at.get(node, []) if incoming or e.subject == node)
            return
        for batch in batches(nodes):
            directions: list[list[Row]] = [[(n, None) for n in batch], [(None, n) for n in batch]]
            for rows in directions if incoming else directions[:1]:
                yield from (triple for _, triple in self._bound(None, rows) if triple is not None)

    def edges(self, triples: Iterable[Triple]) -> tuple[Edge, ...]:
        if self.view is not None:
            chosen = set(triples)
            return tuple(edge for edge in self.view.edges if (edge.subject, edge.predicate, edge.object) in chosen)
        return _edges(self.store, set(triples))


def _source_graph(facts: Facts, source: str) -> str:
    graph = GRAPH + "source/" + source
    facts.cover([graph])
    if graph not in facts.documents:
        known = ", ".join(sorted(g.removeprefix(GRAPH + "source/") for g in facts.all_sources()))
        raise ViewError(f"no source {shown(source)} in the graph; sources: {known or 'none'}")
    return graph


def _within_source(facts: Facts, nodes: set[str], edges: list[Edge], graph: str) -> tuple[set[str], list[Edge]]:
    """What one source says: its statements and claims, what they link to, and the other links among those nodes."""
    facts.cover(nodes)
    stated = [edge for edge in edges if graph in edge.graphs]
    kept = {n for n in nodes if n in facts.provenance and facts.provenance[n].graph == graph}
    kept |= {edge.subject for edge in stated} | {edge.object for edge in stated}
    return kept, [edge for edge in edges if edge.subject in kept and edge.object in kept]


def _source_overview(store: Readable, query: Query, graph: str) -> tuple[set[str], list[Edge]]:
    """The overview's nodes among the IRIs of a source's graph, and every edge from them: all that _within_source
    keeps (its statements, the ends of the edges it states, the edges among those) lies in there."""
    iris = {term.value for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            for term in (quad.subject, quad.object) if isinstance(term, ox.NamedNode)}
    texts = [fill(query, {("node",): [(n,) for n in batch], ("subject", "object"): [(n, None) for n in batch]})
             for batch in batches(iris)]
    return _network_of(store, query, texts)


def _view(store: Readable, facts: Facts, query: Query, source: str | None, slug: str, title: str, narrow: str) -> View:
    description = query.description
    if source is None:
        nodes, edges = construct(store, query)
    else:
        graph = _source_graph(facts, source)
        bound = {("node",), ("subject", "object")} <= set(slots(query))
        nodes, edges = _source_overview(store, query, graph) if bound else construct(store, query)
        nodes, edges = _within_source(facts, nodes, edges, graph)
        slug, title = f"{slug}-{source}", f"{title}: {facts.documents[graph].title}"
        description += f" Only what the source {source!r} states or relays, and the registry's links between the nodes it names."
    return View(slug, title, description, tuple(sorted(nodes)), tuple(edges), narrow)


def view_query(name_or_file: str | Path) -> Query:
    """A view query: by name from queries/views/, or any query file given as a Path."""
    if isinstance(name_or_file, Path):
        if not name_or_file.is_file():
            raise ViewError(f"{name_or_file}: no such query file")
        return load_query(name_or_file)
    path = project.views_folder() / f"{name_or_file}.rq"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in project.views_folder().glob("*.rq")))
        raise ViewError(f"no view query {shown(name_or_file)} in {project.views_folder()}; views: {known or 'none'}")
    return load_query(path)


def query_view(store: Readable, facts: Facts, query: Query, *, source: str | None = None) -> View:
    """The network of a CONSTRUCT query, optionally only what one source says."""
    narrow = "--source ID, or a query that matches less"
    return _view(store, facts, query, source, f"query-{query.name}", query.title, narrow)


def overview(store: Readable, facts: Facts, *, source: str | None = None) -> View:
    """The whole knowledge network (queries/views/overview.rq), optionally only what one source says."""
    query = view_query("overview")
    narrow = "--source ID, `viz entity ID --hops N`, or `viz query NAME` with a narrower view query"
    return _view(store, facts, query, source, "overview", query.title, narrow)


def _network(store: Readable, facts: Facts, source: str | None) -> Network:
    """The overview to walk: on the store, or (with a source) the overview of that source, made first."""
    if source is None:
        return Network(store, view_query("overview").title)
    base = overview(store, facts, source=source)
    return Network(store, base.title, base)


def _node(network: Network, name: str) -> str:
    """The IRI of an entity given by its IRI, or by its registry ID, a label or an alias, if the network has it."""
    if name.startswith(("http://", "https://")):
        iri = name
    else:
        try:
            iri = ID + names_in_store(network.store).identify(name)
        except ValueError as error:
            raise ViewError(str(error)) from None
    if network.has(iri):
        return iri
    ids = [node.removeprefix(ID) for node in network.names() if node.startswith(ID)]
    hint = did_you_mean(name, ids) or "; entity IDs are the keys of sources/entities.yaml"
    raise ViewError(f"no node {shown(name)} in {network.title.lower()}{hint}")


def entity_view(store: Readable, facts: Facts, entity: str, *, hops: int = 2, source: str | None = None,
                max_nodes: int = MAX_NODES) -> View:
    """Everything within `hops` edges of an entity in the overview (an entity and the others named in its statements are two hops apart).

    The overview is walked out from the entity hop by hop, in both directions, and the walk stops with a ViewError as
    soon as it has found more than `max_nodes` nodes; the edges among the nodes of the last hop are those going out
    of them to nodes already found.
    """
    if hops < 1:
        raise ViewError(f"--hops must be at least 1, not {hops}")
    network = _network(store, facts, source)
    center = _node(network, entity)
    title = f"{facts.label(center)}: {hops} hop{'s' if hops > 1 else ''} out"
    narrow = "fewer --hops, or --source ID"
    near, frontier, triples = {center}, {center}, set[Triple]()
    for _ in range(hops):
        reached = set()
        for triple in network.touching(frontier):
            triples.add(triple)
            for end in (triple[0], triple[2]):
                if end not in near:
                    near.add(end)
                    reached.add(end)
                    if len(near) > max_nodes:
                        raise too_large(title, len(near), max_nodes, narrow, at_least=True)
        frontier = reached
    triples |= {triple for triple in network.touching(frontier, incoming=False) if triple[2] in near}
    suffix = f"-{source}" if source is not None else ""
    return View(
        slug=f"entity-{center.removeprefix(ID).replace('/', '-')}-{hops}{suffix}", title=title,
        description=f"Every node within {hops} edge{'s' if hops > 1 else ''} of {facts.label(center)} in the overview, "
                    "and the edges among them.",
        nodes=tuple(sorted(near)), edges=network.edges(triples), narrow=narrow)


def path_view(store: Readable, facts: Facts, start: str, end: str, *, source: str | None = None, folder: Path | None = None) -> View:
    """The shortest connections between two entities in the network of actors (`sanctiongraph path`'s search, at
    most MAX_PATHS of them): their entities, the statements that link them with the roles that name each end, and
    the registry's links. Searched, as `sanctiongraph path` searches, among the links of the network file of the
    build of `folder` (the built graph folder of the store) when it has one from that very build, else in the store."""
    # imported here: the network reads the store with viz's slots and facts, so it imports this package
    from sanctiongraph.network import Filters, Links, links_of
    from sanctiongraph.network.paths import MAX_HOPS, MAX_PATHS, shortest_connections

    filters = Filters(sources=(source,) if source else ())
    links = links_of(folder, filters) if folder is not None else Links(store, filters)
    found = shortest_connections(links, start, end, limit=MAX_PATHS)
    first, last = found.start, found.end
    if not found.routes:
        raise ViewError(f"{facts.label(first)} and {facts.label(last)} are not connected within {MAX_HOPS} hops")
    nodes, edges = _drawn(store, [hop.link for hop in found.hops])
    length = found.length
    suffix = f"-{source}" if source is not None else ""
    return View(
        slug=f"path-{first.removeprefix(ID)}-{last.removeprefix(ID)}{suffix}".replace("/", "-"),
        title=f"{facts.label(first)} to {facts.label(last)}",
        description=f"The {len(found.routes)} shortest connection{'s' if len(found.routes) > 1 else ''} ({length} links each"
                    f"{f', the first {MAX_PATHS} only' if len(found.routes) == MAX_PATHS else ''}) "
                    f"between {facts.label(first)} and {facts.label(last)} in the network of actors, with the statements "
                    "that link them.",
        nodes=tuple(sorted(nodes | {first})), edges=edges, narrow="--source ID")


def _drawn(store: Readable, links: Iterable[Link]) -> tuple[set[str], tuple[Edge, ...]]:
    """Links of the network of actors as a view draws them: a registry link as its triple, a statement link as the
    statement's node with the edges of the roles that name its two ends."""
    triples: set[Triple] = set()
    for link in links:
        if link.statement is None:
            triples.add((link.start, link.relation, link.end))
        else:
            triples |= {(link.statement, str(link.start_role), link.start), (link.statement, str(link.end_role), link.end)}
    return {node for triple in triples for node in (triple[0], triple[2])}, _edges(store, triples)


def scored_view(store: Readable, filters: Filters, found: list[Link], score: str, values: Mapping[str, float], *,
                max_nodes: int = MAX_NODES) -> View:
    """The network of actors with each entity sized and coloured by a score (`sanctiongraph analyze --view`)."""
    nodes, edges = _drawn(store, found)
    entities = {end for link in found for end in (link.start, link.end)}
    if len(nodes) > max_nodes:
        raise too_large("the network", len(nodes), max_nodes, "--source ID, --from/--to or --evidence-only")
    return View(slug=f"network-{score}", title=f"The network of actors by {score}",
                description=f"Entities sized and coloured by their {score} ({filters.describe()}), linked by the "
                            "statements that name them and by the registry.",
                nodes=tuple(sorted(nodes)), edges=edges, narrow="--source ID, --from/--to or --evidence-only",
                scores={node: values[node] for node in sorted(entities) if node in values}, score=score)
