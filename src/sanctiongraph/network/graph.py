"""The network of actors as a networkx MultiDiGraph, for notebooks, analytics and the Gephi exports.

Nodes are entities, with their label, class, aliases and IRI; edges are links (links.py), keyed by the statement
(or, for a registry link, the property), with the relation, its label, the roles, whether the registry states it,
and the statement's source, evidence and sentences. Every attribute is a str or a bool (empty when absent), so that
GraphML and GEXF carry them all.
"""

from __future__ import annotations

import networkx as nx

from sanctiongraph.network.links import Link, Links
from sanctiongraph.viz.facts import Facts


def network_graph(links: Links, found: list[Link], facts: Facts) -> nx.MultiDiGraph:
    """The links found as a graph, with the facts of their entities and statements."""
    facts.cover(sorted({link.statement for link in found if link.statement} | {link.relation for link in found}
                       | {link.start_role or "" for link in found} - {""} | {link.end_role or "" for link in found} - {""}))
    graph = nx.MultiDiGraph()
    ends = sorted({end for link in found for end in (link.start, link.end)})
    for iri in ends:
        entity = links.entities.get(iri)
        graph.add_node(iri, label=links.label(iri), iri=iri, cls=facts.label(entity.cls) if entity else "",
                       aliases="; ".join(entity.names[1:]) if entity else "")
    for link in found:
        item = facts.provenance.get(link.statement) if link.statement else None
        document = facts.documents.get(item.graph) if item else None
        graph.add_edge(link.start, link.end, key=link.statement or link.relation,
                       relation=link.relation, label=facts.label(link.relation), registry=link.registry, graph=link.graph,
                       statement=link.statement or "", summary=facts.label(link.statement) if link.statement else "",
                       startRole=facts.label(link.start_role) if link.start_role else "",
                       endRole=facts.label(link.end_role) if link.end_role else "",
                       source=item.document if item else "", sourceTitle=document.title if document else "",
                       address=(document.address or "") if document else "",
                       evidence=" … ".join(e.quote for e in item.evidence) if item else "",
                       sentence=" ".join(dict.fromkeys(s for e in item.evidence for s in e.sentences)) if item else "")
    return graph
