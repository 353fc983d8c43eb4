"""What the server's query workers do: each job takes the store first and answers with a Reply.

Jobs run in the engine's worker processes (sanctiongraph.server.workers), so they are module-level
functions with picklable arguments. IRIs reach them in the dataset's base and leave in the
public one (Links.rebase)."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from sanctiongraph.errors import QueryError, UsageError, ViewError, ViewTooLarge
from sanctiongraph.evidence import Evidence
from sanctiongraph.identity import AmbiguousName, names_in_store
from sanctiongraph.namespaces import BASE, GRAPH, OA, sg
from sanctiongraph.query.endpoint import Endpoint
from sanctiongraph.query.library import Query, parse_query
from sanctiongraph.query.results import render
from sanctiongraph.query.running import Result, entity_lookup, evaluate, labels_of, labels_query, query_form, results_document
from sanctiongraph.query.store import Readable
from sanctiongraph.server import pages
from sanctiongraph.server.federation import FetchRefused, refuse_fetches
from sanctiongraph.server.negotiation import GRAPH_MEDIA, HTML, MEDIA_TYPE, ROW_MEDIA, content_type, negotiate
from sanctiongraph.server.pages import Fact, Links, Resource, Statement
from sanctiongraph.server.workers import Reply

TEXT = "text/plain; charset=utf-8"
ONTOLOGY = BASE + "ontology"
PAGE_ROWS = 2000  # rows of each list on a page; the query editor has them all
Bindings = dict[str, ox.NamedNode | ox.Literal]


def failure(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, TEXT, (message.rstrip() + "\n").encode("utf-8"), headers)


def named_answer(store: Readable, query: Query, given: dict[str, str], form: dict[str, str], accept: str, limit: int,
                 links: Links, own: frozenset[str]) -> Reply:
    """A named query's answer, its parameters bound from the values given, where an iri parameter takes a registry
    ID, label or alias as the command's --param does (sanctiongraph.query.running.entity_lookup). A parameter that is
    missing or does not fit is a 400, or the query's form with the error when the client takes HTML (the form alone,
    with status 200, on a first visit, when nothing was given)."""
    try:
        bindings = query.bindings(given, entity_lookup(partial(evaluate, store)))
    except UsageError as error:
        if negotiate(accept, GRAPH_MEDIA + (HTML,)) != HTML:
            return failure(400, str(error))
        return Reply(400 if form else 200, content_type(HTML[1]), pages.query_form_page(query, form, links, error=str(error) if form else ""))
    return answer(store, query, bindings, accept, limit, links, own, None, form)


def answer(
    store: Readable, query: Query, bindings: Bindings, accept: str, limit: int, links: Links, own: frozenset[str],
    dataset: tuple[list[str], list[str]] | None = None, form: dict[str, str] | None = None,
) -> Reply:
    """A query's result in the format the client prefers. `own` holds the IRIs of this server's endpoint (a SERVICE
    to one is run here; any other is refused, see sanctiongraph.server.federation). `dataset` holds the protocol's
    default-graph-uri and named-graph-uri; `form` (the parameters as given) marks a named query, which also answers
    as an HTML page."""
    default, named = dataset or ([], [])
    graphs = {"default_graph": [ox.NamedNode(g) for g in default] or None, "named_graphs": [ox.NamedNode(g) for g in named] or None}
    try:
        checked = refuse_fetches(query.text, own=own)
        query = query if checked is query.text else replace(query, text=checked)
        if isinstance(store, Endpoint) and query_form(query) in ("SELECT", "ASK"):
            chosen = negotiate(accept, ROW_MEDIA + ((HTML,) if form is not None else ()))
            if chosen is not None and chosen[0] == "json":  # the store's own format: its answer goes as it came
                document = results_document(store, query, bindings, limit=limit, **graphs)
                return Reply(200, content_type(chosen[1]), links.rebase.to_public(document), (("Vary", "Accept"),))
        result = evaluate(store, query, bindings, limit=limit, **graphs)
    except QueryError as error:
        if form is not None and negotiate(accept, ROW_MEDIA + (HTML,)) == HTML:
            return Reply(400, content_type(HTML[1]), pages.query_form_page(query, form, links, error=str(error)))
        return failure(400, str(error))
    offers = (GRAPH_MEDIA if result.kind == "graph" else ROW_MEDIA) + ((HTML,) if form is not None else ())
    chosen = negotiate(accept, offers)
    if chosen is None:
        return failure(406, f"no acceptable format for this {result.kind} result; it comes as {', '.join(m for _, m in offers)}")
    fmt, media = chosen
    if fmt == "html":
        iris = sorted({t.value for row in result.rows for t in row if isinstance(t, ox.NamedNode)})
        labels = labels_of(evaluate(store, labels_query(iris))) if iris else {}
        body = pages.query_form_page(query, form or {}, links, result=result, labels=labels)
    else:
        body = links.rebase.to_public(render(result, fmt))
    return Reply(200, content_type(media), body, (("Vary", "Accept"),))


def exists(store: Readable, iri: str) -> Reply:
    """200 when the graph says anything about the IRI or refers to it, else 404."""
    node = ox.NamedNode(iri)
    found = next(store.quads_for_pattern(node, None, None), None) or next(store.quads_for_pattern(None, None, node), None)
    return Reply(200 if found else 404, TEXT, b"")


def entity_named(store: Readable, name: str) -> Reply:
    """303 from a label or an alias under /id/ to the entity it names (/id/kuzbass to kemerovo-oblast), else 404."""
    try:
        entity = names_in_store(store).resolve(name)
    except AmbiguousName as error:
        return failure(404, str(error))
    if entity is None:
        return failure(404, f"nothing is known about {name}")
    return Reply(303, TEXT, b"", (("Location", quote(entity)),))


def describe(store: Readable, iri: str, fmt: str, limit: int, links: Links) -> Reply:
    """A resource as an HTML page, or its description as RDF: its own triples and those pointing at it in all
    graphs, its evidence with selectors (the ontology document: the whole ontology graph)."""
    if exists(store, iri).status == 404:
        return failure(404, f"nothing is known about {links.rebase.iri(iri)}")
    if fmt == "html":
        return Reply(200, content_type(HTML[1]), pages.resource_page(_resource(store, iri), links))
    node = ox.NamedNode(iri)
    patterns: list[tuple[Any, None, Any, ox.NamedNode | None]]
    if iri == ONTOLOGY:
        patterns = [(None, None, None, ox.NamedNode(GRAPH + "ontology"))]
    else:
        evidence = {q.object for q in store.quads_for_pattern(node, ox.NamedNode(sg.evidence), None)}
        selectors = {q.object for e in evidence for q in store.quads_for_pattern(e, ox.NamedNode(OA + "hasSelector"), None)}  # type: ignore[arg-type]
        patterns = [(node, None, None, None), (None, None, node, None)] + [(n, None, None, None) for n in evidence | selectors]
    triples: dict[ox.Triple, None] = {}
    for pattern in patterns:
        for quad in store.quads_for_pattern(*pattern):
            triples[quad.triple] = None
            if len(triples) > limit:
                return failure(400, f"the description of {links.rebase.iri(iri)} has more than {limit} triples, the limit")
    return Reply(200, content_type(MEDIA_TYPE[fmt]), links.rebase.to_public(render(Result("graph", triples=list(triples)), fmt)))


def dataset(store: Readable, void: bytes, links: Links) -> Reply:
    """The site root: the VoID description with an index of the registry's entities."""
    rows = evaluate(store, _ENTITIES).rows
    entities = [(row[0].value, row[1].value, row[2].value) for row in rows if None not in row]  # type: ignore[union-attr]
    if len(rows) == PAGE_ROWS:
        entities.append(("", f"the first {PAGE_ROWS} only", ""))
    triples = [quad.triple for quad in ox.parse(void, format=ox.RdfFormat.TURTLE)]
    return Reply(200, content_type(HTML[1]), pages.dataset_page(triples, entities, links, limit=PAGE_ROWS))


def graph_contents(store: Readable, graph: str | None, fmt: str, limit: int, links: Links) -> Reply:
    """A named graph (None: the default graph, the union of all) as RDF: the Graph Store Protocol's GET."""
    if graph is not None and not store.contains_named_graph(ox.NamedNode(graph)):
        return failure(404, f"no graph {links.rebase.iri(graph)} here")
    target = ox.NamedNode(graph) if graph is not None else None
    triples: dict[ox.Triple, None] = {}
    for quad in store.quads_for_pattern(None, None, None, target):
        triples[quad.triple] = None
        if len(triples) > limit:
            return failure(400, f"the graph has more than {limit} triples, the limit; download the dumps under graph/")
    return Reply(200, content_type(MEDIA_TYPE[fmt]), links.rebase.to_public(render(Result("graph", triples=list(triples)), fmt)))


def view(store: Readable, entity: str | None, query: Query | None, links: Links, own: frozenset[str]) -> Reply:
    """A network view (sanctiongraph.viz): an entity's neighbourhood, or the network of a CONSTRUCT query (checked as
    `answer` checks a query)."""
    from sanctiongraph import viz
    from sanctiongraph.query.facts import load_facts

    if query is not None:
        try:
            query = replace(query, text=refuse_fetches(query.text, own=own))
        except QueryError as error:
            return failure(400, str(error))
    facts = load_facts(store)  # read for the view's nodes only, as the page asks for them
    try:
        drawn = viz.entity_view(store, facts, entity) if entity is not None else viz.query_view(store, facts, query)  # type: ignore[arg-type]
    except ViewTooLarge as error:
        return failure(400, str(error))
    except ViewError as error:
        return failure(404 if entity is not None else 400, str(error))
    if len(drawn.nodes) > viz.MAX_NODES:
        return failure(400, f"{drawn.title} has {len(drawn.nodes)} nodes, more than the {viz.MAX_NODES} a view draws; narrow the query")
    # the page brings its own policy (its inline scripts by hash); this one adds that nothing may load and no site may frame it
    policy = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; "
              "frame-ancestors 'none'")
    body = links.rebase.to_public(viz.render(drawn, facts).encode("utf-8"))
    return Reply(200, content_type(HTML[1]), body, (("Content-Security-Policy", policy),))



def update(store: ox.Store, text: str, own: frozenset[str]) -> Reply:
    """Run a SPARQL update (only on a server started with updates allowed, whose store is writable); one that
    would fetch (LOAD, SERVICE) is refused as `answer` refuses a query."""
    try:
        store.update(refuse_fetches(text, update=True, own=own))
    except FetchRefused as error:
        return failure(400, str(error))
    except SyntaxError as error:
        return failure(400, f"SPARQL update syntax error: {' '.join(str(error).split())}")
    except (OSError, RuntimeError) as error:
        return failure(400, f"the update failed: {error}")
    return Reply(204, TEXT, b"")


def write_graph(store: ox.Store, method: str, graph: str | None, body: bytes, media_type: str) -> Reply:
    """The Graph Store Protocol's writes: PUT replaces a graph, POST adds to it, DELETE drops it (None: the default graph)."""
    target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(graph) if graph is not None else ox.DefaultGraph()
    existed = graph is None or store.contains_named_graph(target)
    if method == "DELETE":
        if not existed:
            return failure(404, f"no graph {graph} here")
        store.clear_graph(target) if graph is None else store.remove_graph(target)
        return Reply(204, TEXT, b"")
    try:
        quads = [ox.Quad(q.subject, q.predicate, q.object, target) for q in ox.parse(body, format=ox.RdfFormat.from_media_type(media_type))]
    except SyntaxError as error:
        return failure(400, f"the RDF sent does not parse: {error}")
    if method == "PUT" and existed:
        store.clear_graph(target)
    store.extend(quads)
    return Reply(201 if not existed else 204, TEXT, b"")


# --- the data of a resource page

_PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
"""
_FACTS = parse_query(_PREFIXES + """SELECT ?resource ?p ?o (SAMPLE(?pl) AS ?pLabel) (SAMPLE(?ol) AS ?oLabel)
WHERE { ?resource ?p ?o OPTIONAL { ?p rdfs:label ?pl } OPTIONAL { ?o rdfs:label|skos:prefLabel ?ol } }
GROUP BY ?resource ?p ?o ORDER BY ?p ?o LIMIT """ + str(PAGE_ROWS), "facts")
# Every evidence overlaps at least one sentence and every source has a label (the builder makes both), so these are
# required patterns: as OPTIONALs Oxigraph would evaluate them over the whole store (0.4 s instead of 1 ms at 1M quads).
_EVIDENCE = parse_query(_PREFIXES + """SELECT ?resource ?statement ?evidence ?quote ?index ?sentence ?source ?sourceLabel
WHERE {
  ?statement ?relation ?resource ; sg:evidence ?evidence ; sg:statedIn ?source .
  ?evidence oa:hasSelector/oa:exact ?quote ; sg:sentence ?s . ?s rdf:value ?sentence ; sg:sentenceIndex ?index .
  ?source rdfs:label ?sourceLabel
} LIMIT """ + str(PAGE_ROWS), "evidence")
_OWN_EVIDENCE = parse_query(_PREFIXES + """SELECT ?resource ?evidence ?quote ?index ?sentence ?source ?sourceLabel
WHERE {
  ?resource sg:evidence ?evidence ; sg:statedIn ?source .
  ?evidence oa:hasSelector/oa:exact ?quote ; sg:sentence ?s . ?s rdf:value ?sentence ; sg:sentenceIndex ?index .
  ?source rdfs:label ?sourceLabel
}""", "own-evidence")
_STATEMENTS = parse_query(_PREFIXES + """SELECT ?resource ?statement ?label ?class ?relation ?source ?sourceLabel ?accordingTo
WHERE {
  ?statement ?p ?resource ; sg:statedIn ?source .
  OPTIONAL { ?statement rdfs:label ?label }
  OPTIONAL { ?statement a/rdfs:label ?class }
  OPTIONAL { ?p rdfs:label ?relation }
  OPTIONAL { ?source rdfs:label ?sourceLabel }
  OPTIONAL { ?statement prov:wasAttributedTo/rdfs:label ?accordingTo }
} LIMIT """ + str(PAGE_ROWS), "statements")
_REFERRERS = parse_query(_PREFIXES + """SELECT ?resource ?s ?p (SAMPLE(?sl) AS ?sLabel) (SAMPLE(?pl) AS ?pLabel)
WHERE {
  ?s ?p ?resource FILTER NOT EXISTS { ?s sg:statedIn ?any } FILTER (?p != sg:evidence)
  OPTIONAL { ?s rdfs:label|skos:prefLabel ?sl } OPTIONAL { ?p rdfs:label ?pl }
} GROUP BY ?resource ?s ?p ORDER BY ?p ?s LIMIT """ + str(PAGE_ROWS), "referrers")
_TERMS = parse_query(_PREFIXES + """SELECT ?term (SAMPLE(?l) AS ?label) (SAMPLE(?c) AS ?comment)
WHERE { GRAPH <https://w3id.org/sanctiongraph/graph/ontology> { ?term rdfs:label ?l OPTIONAL { ?term rdfs:comment ?c } }
  FILTER STRSTARTS(STR(?term), "https://w3id.org/sanctiongraph/ontology#") }
GROUP BY ?term ORDER BY ?term""", "terms")
_ENTITIES = parse_query(_PREFIXES + """SELECT ?entity (SAMPLE(?l) AS ?label) (SAMPLE(?tl) AS ?type)
WHERE { GRAPH <https://w3id.org/sanctiongraph/graph/registry> { ?entity a ?t ; rdfs:label ?l }
        GRAPH <https://w3id.org/sanctiongraph/graph/ontology> { ?t rdfs:label ?tl } }
GROUP BY ?entity ORDER BY ?label LIMIT """ + str(PAGE_ROWS), "entities")


def _resource(store: Readable, iri: str) -> Resource:
    node = {"resource": ox.NamedNode(iri)}

    def value(term: object) -> str:
        return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else ""

    answers = {name: evaluate(store, query, node).rows for name, query in
               (("facts", _FACTS), ("evidence", _EVIDENCE), ("statements", _STATEMENTS), ("referrers", _REFERRERS))}
    own_rows = [(r[0], r[0], *r[1:]) for r in evaluate(store, _OWN_EVIDENCE, node).rows]  # as (resource, statement, ...)
    facts = [Fact(r[1], value(r[3]) or None, r[2], value(r[4]) or None) for r in answers["facts"]]  # type: ignore[arg-type]
    label = next((f.value.value for f in facts if f.predicate.value.endswith(("#label", "#prefLabel"))), None)
    sentences: dict[tuple[str, str], dict[int, str]] = {}  # by (statement, evidence): the sentences by index
    quoted: dict[tuple[str, str], tuple[str, str]] = {}  # the quote and the source
    source_labels: dict[str, str] = {}
    for row in own_rows + answers["evidence"]:
        _, statement, evidence, quote, index, sentence, source, source_label = (value(t) for t in row)
        quoted[(statement, evidence)] = (quote, source)
        source_labels[source] = source_label
        sentences.setdefault((statement, evidence), {})[int(index or 0)] = sentence
    evidence_of: dict[str, set[Evidence]] = {}
    for (statement, evidence), (quote, source) in quoted.items():
        in_order = tuple(text for _, text in sorted(sentences[(statement, evidence)].items()) if text)
        evidence_of.setdefault(statement, set()).add(Evidence(quote, in_order, source))
    statements: dict[str, Statement] = {}
    for row in answers["statements"]:
        _, statement, label_, class_, relation, source, source_label, according = (value(t) for t in row)
        entry_ = statements.setdefault(statement, Statement(statement, label_ or statement, source, source_label or source))
        entry_.classes.update([class_] if class_ else [])
        entry_.relations.update([relation] if relation else [])
        entry_.according_to.update([according] if according else [])
        entry_.evidence = sorted(evidence_of.get(statement, set()))
    referrers = [Fact(r[2], value(r[4]) or None, r[1], value(r[3]) or None) for r in answers["referrers"]]  # type: ignore[arg-type]
    terms = [(value(r[0]), value(r[1]), value(r[2])) for r in evaluate(store, _TERMS).rows] if iri == ONTOLOGY else []
    ordered = sorted(statements.values(), key=lambda s: (s.source, s.label))
    truncated = any(len(rows) == PAGE_ROWS for rows in answers.values())
    own = sorted(evidence_of.get(iri, set()))
    return Resource(iri, label, facts, own, ordered, referrers, source_labels, terms, truncated)

