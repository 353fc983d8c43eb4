"""The network of actors as a networkx MultiDiGraph, for notebooks, analytics and the Gephi exports.

Nodes are entities, with their label, class, aliases and IRI; edges are links (links.py), keyed by the statement
(or, for a registry link, the property), with the relation, its label, the roles, whether the registry states it,
and the statement's source, evidence and sentences. Every attribute is a str or a bool (empty when absent), so that
GraphML and GEXF carry them all.

The statements' sources, labels and evidence are read in one query over the store (queries/evidence.rq), or over
the graphs of the sources of the filter; the few other names (relations, roles, classes) through the views' facts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from sanctiongraph.network.links import Link, Links, evidence_text
from sanctiongraph.query.facts import Facts


@dataclass
class Stated:
    """A statement as an edge shows it: the graph and document it is stated in, its labels, and its evidence: each
    quote with its start, and the sentences it lies in with their index, by the evidence's IRI."""

    graph: str
    document: str
    labels: list[str] = field(default_factory=list)
    quotes: dict[str, tuple[int, str]] = field(default_factory=dict)
    sentences: dict[str, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))

    def evidence(self) -> list[tuple[str, list[str]]]:
        """Each quote with its sentences in text order, in the order of the quotes' starts."""
        ordered = sorted(self.quotes.items(), key=lambda pair: (pair[1][0], pair[0]))
        return [(quote, list(dict.fromkeys(s for _, s in sorted(self.sentences[iri])))) for iri, (_, quote) in ordered]


def stated(links: Links) -> dict[str, Stated]:
    """Every statement of the store (of the sources of the filter, if any) with its source, labels and evidence."""
    found: dict[str, Stated] = {}
    for row in links.of_sources("evidence"):
        item = found.setdefault(row["statement"], Stated(row["graph"], row["document"]))
        if "label" in row:
            item.labels.append(row["label"])
        elif "quote" in row:
            item.quotes[row["evidence"]] = (int(row["start"]), row["quote"])
        elif "sentence" in row and (pair := (int(row["index"]), row["sentence"])) not in item.sentences[row["evidence"]]:
            item.sentences[row["evidence"]].append(pair)
    return found


def edge_order(link: Link) -> tuple[str, str, Link]:
    """The order of the graph's edges: the registry's links, then each source's by statement (as the build stores them,
    sanctiongraph.builder.network); those of one statement, or of the registry, in order."""
    return link.graph, link.statement or "", link


def network_graph(links: Links, found: list[Link], facts: Facts) -> nx.MultiDiGraph:
    """The links found as a graph, with the facts of their entities and statements."""
    facts.cover(sorted({link.relation for link in found} | {link.start_role or "" for link in found} - {""}
                       | {link.end_role or "" for link in found} - {""}))
    facts.all_sources()
    statements = stated(links) if any(link.statement for link in found) else {}
    graph = nx.MultiDiGraph()
    ends = sorted({end for link in found for end in (link.start, link.end)})
    for iri in ends:
        entity = links.entities.get(iri)
        graph.add_node(iri, label=links.label(iri), iri=iri, cls=facts.label(entity.cls) if entity else "",
                       aliases="; ".join(entity.names[1:]) if entity else "")
    for link in sorted(found, key=edge_order):
        item = statements.get(link.statement) if link.statement else None
        document = facts.documents.get(item.graph) if item else None
        evidence = item.evidence() if item else []
        summary = (min(item.labels) if item and item.labels else facts.label(link.statement)) if link.statement else ""
        quotes, sentences = evidence_text((quote for quote, _ in evidence), (s for _, lying_in in evidence for s in lying_in))
        graph.add_edge(link.start, link.end, key=link.statement or link.relation,
                       relation=link.relation, label=facts.label(link.relation), registry=link.registry, graph=link.graph,
                       statement=link.statement or "", summary=summary,
                       startRole=facts.label(link.start_role) if link.start_role else "",
                       endRole=facts.label(link.end_role) if link.end_role else "",
                       source=item.document if item else "", sourceTitle=document.title if document else "",
                       address=(document.address or "") if document else "",
                       evidence=quotes, sentence=sentences)
    return graph
