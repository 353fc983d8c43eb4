"""The network of actors rendered by the builder, part by part, so that `to_networkx` reads it from one file instead of
asking the store (sanctiongraph.network.stored reads it).

`network.jsonl` in each build folder, beside the exports, is internal to sanctiongraph (its format is versioned and
may change; the network's exports for other tools are GraphML and GEXF): a header line (sanctiongraph.builder.exports
writes it), then the lines of every part of the dataset in order of the parts' keys, each a JSON array led by its kind,
in ASCII (a file of ASCII is parsed a third faster):

- the shared part (ontology, registry): `["term", IRI, label]` for every class and object property a link or an
  entity can name, and `["entity", IRI, class, [name, ...]]` for every entity of the registry (its class a term; its
  names as sanctiongraph.network.links.Entity holds them: labels, then aliases, each sorted, none twice), each in
  order of their IRIs; then `["registry", subject, property, object]` for every registry link;
- a source's part: `["source", graph, document, title, address]`, then `["statement", IRI, class, summary, evidence,
  sentence, earliest, latest, [start, end, startRole, endRole, start, ...]]` for every statement that links entities
  (its earliest and latest day, or null; its links in order, four numbers each), in order of their IRIs.

So the file holds the links in the order the network's graph has them (sanctiongraph.network.graph: the registry's,
then by source graph and statement), and a reader adds them as it reads.

Terms and entities are named, past their own lines, by their number in order of their lines (from 0): numbers parse
faster than IRIs. The shared part comes first (its key, `graph:links`, sorts before every
source's), and every part is rendered anew when the ontology or the registry changes, so the numbers hold.

The lines are read off each part's quads with the link rule of sanctiongraph.network.links (the same statement_links
and registry_links the store's reading uses, roles.toml's roles), and mean what network/queries/*.rq mean on the store:
a test reads the network both ways and compares every node, edge and attribute. A part's lines depend on its own
quads and on the shared inputs only, so an incremental build copies those of the parts it did not rebuild from the
previous build's file (sanctiongraph.builder.exports), as it does their exports."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from sanctiongraph.builder.ontology import closure
from sanctiongraph.namespaces import DCTERMS, GRAPH, OA, OWL, RDF, RDFS, SCHEMA, SG, SKOS, iri_words, sg
from sanctiongraph.network.links import Roles, evidence_text, in_order, registry_links, statement_links

_REGISTRY = GRAPH + "registry"
_TIMES = (SG + "date", SG + "startDate", SG + "referencePeriod")


def _lines(rows: Iterable[list[object]]) -> bytes:
    """Each row as a line of JSON, in ASCII (other characters escaped)."""
    return b"".join(json.dumps(row, separators=(",", ":")).encode("ascii") + b"\n" for row in rows)


@dataclass(frozen=True)
class Rules:
    """What the ontology and the registry decide of links: the roles (object properties not minted), the classes of
    statements and of entities (subclasses of sg:Statement or sg:Claim; of sg:Entity but sg:Document), the terms (those
    roles and classes, by IRI) with their labels (as the views label them), the registry's entities (by IRI, with their
    class) and how roles make links (roles.toml)."""

    roles: frozenset[str]
    statement_classes: frozenset[str]
    labels: dict[str, str]  # by term, in order of the terms' IRIs
    entities: dict[str, str]  # the class of each entity, in order of their IRIs
    term: dict[str, int]  # each term's number
    entity: dict[str, int]  # each entity's number
    order: Roles

    @classmethod
    def of(cls, ontology: Iterable[ox.Triple], entities: Mapping[str, str]) -> Rules:
        """The rules of the ontology's triples and the registry's entities (IRI -> class)."""
        children: dict[str, set[str]] = defaultdict(set)
        properties: set[str] = set()
        minted: set[str] = set()
        names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for triple in ontology:
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            if not isinstance(subject, ox.NamedNode):
                continue
            if predicate == RDFS + "subClassOf" and isinstance(obj, ox.NamedNode):
                children[obj.value].add(subject.value)
            elif predicate == RDF + "type" and obj == ox.NamedNode(OWL + "ObjectProperty"):
                properties.add(subject.value)
            elif predicate == SG + "minted" and isinstance(obj, ox.Literal) and obj.value == "true":
                minted.add(subject.value)
            elif predicate in (RDFS + "label", SKOS + "prefLabel") and isinstance(obj, ox.Literal):
                names[subject.value][predicate].append(obj.value)
        statement_classes = _below([sg.Statement, sg.Claim], children)
        entity_classes = _below([sg.Entity], children) - _below([sg.Document], children)
        roles = frozenset(properties - minted)
        labels = {iri: min(kinds.get(RDFS + "label") or kinds[SKOS + "prefLabel"]) for iri, kinds in names.items()}
        terms = sorted(roles | statement_classes | entity_classes)
        kept = sorted(iri for iri, entity_class in entities.items() if entity_class in entity_classes)
        return cls(roles, statement_classes, {iri: labels.get(iri) or iri_words(iri) for iri in terms},
                   {iri: entities[iri] for iri in kept}, {iri: number for number, iri in enumerate(terms)},
                   {iri: number for number, iri in enumerate(kept)}, Roles.load())


def _below(roots: list[str], children: Mapping[str, set[str]]) -> frozenset[str]:
    """The roots and every class below them."""
    return frozenset().union(*(closure(root, children) for root in roots))


Facts = dict[str, dict[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]]


def _facts(quads: Iterable[ox.Quad], graph: str) -> tuple[Facts, set[str]]:
    """Each IRI subject's objects by predicate, in one pass; and the subjects stated (sg:statedIn) in the graph."""
    facts: Facts = defaultdict(lambda: defaultdict(list))
    stated: set[str] = set()
    own, stated_in = ox.NamedNode(graph), ox.NamedNode(SG + "statedIn")
    for quad in quads:
        subject, predicate, obj = quad.subject, quad.predicate, quad.object
        if isinstance(subject, ox.NamedNode) and not isinstance(obj, ox.Triple):
            facts[subject.value][predicate.value].append(obj)
            if predicate == stated_in and quad.graph_name == own:
                stated.add(subject.value)
    return facts, stated


def _values(objects: Iterable[ox.NamedNode | ox.BlankNode | ox.Literal]) -> list[str]:
    return [obj.value for obj in objects if not isinstance(obj, ox.BlankNode)]


def shared_network(quads: list[ox.Quad], rules: Rules) -> bytes:
    """The lines of the shared part: the terms links name, the registry's entities and its links."""
    facts = _facts([quad for quad in quads if isinstance(quad.subject, ox.NamedNode) and quad.subject.value in rules.entity], _REGISTRY)[0]
    rows: list[list[object]] = [["term", iri, label] for iri, label in rules.labels.items()]
    for iri, cls in rules.entities.items():
        names = list(dict.fromkeys([*sorted(_values([*facts[iri][RDFS + "label"], *facts[iri][SKOS + "prefLabel"]])),
                                    *sorted(_values(facts[iri][SKOS + "altLabel"]))]))
        rows.append(["entity", iri, rules.term[cls], names])
    graph = ox.NamedNode(_REGISTRY)
    registry = ((quad.subject, quad.predicate.value, quad.object) for quad in quads if quad.graph_name == graph)
    found = registry_links({"subject": subject.value, "property": prop, "object": obj.value} for subject, prop, obj in registry
                           if prop in rules.roles and isinstance(subject, ox.NamedNode) and subject.value in rules.entity
                           and isinstance(obj, ox.NamedNode) and obj.value in rules.entity)
    rows += [["registry", rules.entity[link.start], rules.term[link.relation], rules.entity[link.end]] for link in in_order(set(found))]
    return _lines(rows)


def source_network(quads: list[ox.Quad], graph: str, document: str, rules: Rules) -> bytes:
    """The lines of a source's part (its graph's and its provenance graph's quads): the source, then each statement
    that links entities, with its links, labels, evidence and when it holds."""
    facts, stated = _facts(quads, graph)  # a statement is stated in its source's graph, which holds all its triples
    rows = ({"statement": statement, "class": cls.value, "graph": graph, "role": role, "entity": entity.value}
            for statement, item in sorted((statement, facts[statement]) for statement in stated) for cls in item[RDF + "type"]
            if isinstance(cls, ox.NamedNode) and cls.value in rules.statement_classes
            for role, objects in item.items() if role in rules.roles
            for entity in objects if isinstance(entity, ox.NamedNode) and entity.value in rules.entity)
    found = statement_links(rows, rules.order)
    about = facts[document]
    title = min(_values(about[DCTERMS + "title"]), default=document)
    lines: list[list[object]] = [["source", graph, document, title, min(_values(about[SCHEMA + "url"]), default="")]]
    published = _span([day for node in _values(about[SG + "publicationDate"]) for day in _days(facts[node])])
    for statement, links in sorted(found.items()):
        if not links:
            continue
        item = facts[statement]
        labels = _values(item[RDFS + "label"]) or _values(item[SKOS + "prefLabel"])
        quotes = {iri: (int(start), quote) for iri in _values(item[SG + "evidence"])
                  for selector in _values(facts[iri][OA + "hasSelector"]) for quote in _values(facts[selector][OA + "exact"])
                  for other in _values(facts[iri][OA + "hasSelector"]) for start in _values(facts[other][OA + "start"])}
        ordered = sorted(quotes, key=lambda iri: (quotes[iri][0], iri))  # by where each quote starts
        sentences = [sentence for iri in ordered for sentence in _sentences(iri, facts)]
        times = [day for prop in _TIMES for node in _values(item[prop]) for day in _days(facts[node])]
        earliest, latest = _span(times) if times else published
        lines.append(["statement", statement, rules.term[links[0].relation], min(labels) if labels else iri_words(statement),
                      *evidence_text((quotes[iri][1] for iri in ordered), sentences), earliest, latest,
                      [number for link in in_order(links) for number in (rules.entity[link.start], rules.entity[link.end],
                                                                        rules.term[link.start_role or ""], rules.term[link.end_role or ""])]])
    return _lines(lines)


def _days(node: Mapping[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]) -> list[tuple[str, str]]:
    """The (earliest, latest) pairs of a time node."""
    return [(first, last) for first in _values(node[SG + "earliest"]) for last in _values(node[SG + "latest"])]


def _span(days: list[tuple[str, str]]) -> tuple[str | None, str | None]:
    return (min(first for first, _ in days), max(last for _, last in days)) if days else (None, None)


def _sentences(evidence: str, facts: Mapping[str, Mapping[str, list[ox.NamedNode | ox.BlankNode | ox.Literal]]]) -> list[str]:
    """The sentences a piece of evidence lies in, in text order."""
    found = {(int(index), text) for node in _values(facts[evidence][SG + "sentence"])
             for text in _values(facts[node][RDF + "value"]) for index in _values(facts[node][SG + "sentenceIndex"])}
    return list(dict.fromkeys(text for _, text in sorted(found)))
