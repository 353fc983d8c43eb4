"""The network as the build stored it (`network.jsonl`, sanctiongraph.builder.network), read under the filters: the
same graph as reading the store gives (sanctiongraph.network.graph), at the cost of parsing one file.

The file is read only when it is of this format and from the build the graph folder's store belongs to: its header
names the hash of the build's provenance graph, which must be the one the build's manifest (graphs.json) holds."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx

from sanctiongraph.builder.exports import NETWORK_FILE, NETWORK_FORMAT
from sanctiongraph.builder.manifest import graph_hash
from sanctiongraph.errors import NetworkError, shown
from sanctiongraph.namespaces import GRAPH
from sanctiongraph.network.links import REGISTRY, SOURCE_GRAPH, Filters, Link
from sanctiongraph.query.store import STORE_LINK

PROVENANCE = GRAPH + "provenance"
# An edge's attributes, in this order, as sanctiongraph.network.graph gives them: empty, but where a link has them.
EDGE: dict[str, Any] = {"relation": "", "label": "", "registry": False, "graph": "", "statement": "", "summary": "",
                        "startRole": "", "endRole": "", "source": "", "sourceTitle": "", "address": "", "evidence": "",
                        "sentence": ""}


def build_of(folder: Path) -> Path:
    """The build folder the graph folder's store leads to (sanctiongraph.query.store.open_store)."""
    return Path(os.path.realpath(folder / STORE_LINK)).parent


def stored_rows(build: Path) -> list[list[Any]] | None:
    """The rows of the build's network file, or None when it has none of this format from this very build."""
    try:
        data = (build / NETWORK_FILE).read_bytes()
        end = data.index(b"\n") + 1
        head = json.loads(data[:end])
        if not isinstance(head, dict) or head.get("format") != NETWORK_FORMAT or head.get("provenance") != graph_hash(build, PROVENANCE):
            return None
        rows = json.loads("[" + data[end:].decode("ascii").rstrip("\n").replace("\n", ",") + "]")  # a JSON line holds no newline
    except (OSError, ValueError):
        return None
    return rows if isinstance(rows, list) else None


class StoredNetwork:
    """The network of the rows under the filters: its graph, as sanctiongraph.network.graph makes it (the rows hold the
    links in the graph's order), and its links (made only when asked for)."""

    def __init__(self, rows: list[list[Any]], filters: Filters) -> None:
        terms: list[str] = []
        labels: list[str] = []
        entities: list[list[str]] = []
        iris: list[str] = []
        sources: set[str] = set()
        self.kept: list[tuple[str, list[Any]]] = []  # the registry's rows and the statements' kept, with their graph
        edges: list[tuple[str, str, str, dict[str, Any]]] = []
        wanted = {SOURCE_GRAPH + source for source in filters.sources}
        start, end = str(filters.start or date.min), str(filters.end or date.max)
        graph = ""
        sourced = EDGE
        kept = True
        for row in rows:
            kind = row[0]
            if kind == "statement":
                _, statement, cls, summary, evidence, sentence, earliest, latest, links = row
                if not kept or filters.windowed and not ((earliest or str(date.min)) <= end and (latest or str(date.max)) >= start):
                    continue
                self.kept.append((graph, row))
                stated = sourced.copy()  # each edge's attributes copied from its source's and statement's: faster than made anew
                stated["relation"], stated["label"], stated["statement"] = terms[cls], labels[cls], statement
                stated["summary"], stated["evidence"], stated["sentence"] = summary, evidence, sentence
                numbers = iter(links)
                for first, second, first_role, second_role in zip(numbers, numbers, numbers, numbers):  # four numbers a link
                    attributes = stated.copy()
                    attributes["startRole"] = labels[first_role]
                    attributes["endRole"] = labels[second_role]
                    edges.append((iris[first], iris[second], statement, attributes))
            elif kind == "source":
                _, graph, document, title, address = row
                sourced = EDGE | {"graph": graph, "source": document, "sourceTitle": title, "address": address}
                sources.add(graph)
                kept = not wanted or graph in wanted
            elif kind == "term":
                terms.append(row[1])
                labels.append(row[2])
            elif kind == "entity":
                entities.append(row[1:])
                iris.append(row[1])
            elif kind == "registry" and not filters.evidence_only:
                _, subject, prop, obj = row
                self.kept.append((REGISTRY, row))
                edges.append((iris[subject], iris[obj], terms[prop],
                              EDGE | {"relation": terms[prop], "label": labels[prop], "registry": True, "graph": REGISTRY}))
        unknown = sorted(wanted - sources)
        if unknown:
            names = ", ".join(sorted(g.removeprefix(SOURCE_GRAPH) for g in sources))
            raise NetworkError(f"no source {shown(unknown[0].removeprefix(SOURCE_GRAPH))} in the graph; sources: {names or 'none'}")
        self.terms, self.iris = terms, iris
        self.graph = nx.MultiDiGraph()
        entity = {row[0]: row for row in entities}
        self.graph.add_nodes_from((iri, {"label": entity[iri][1], "iri": iri, "cls": entity[iri][2], "aliases": entity[iri][3]})
                                  for iri in sorted({edge[0] for edge in edges} | {edge[1] for edge in edges}))
        self.graph.add_edges_from(edges)

    def links(self) -> list[Link]:
        """The links of the graph, in order."""
        iris, terms = self.iris, self.terms
        found = []
        for graph, row in self.kept:
            if graph == REGISTRY:
                found.append(Link(iris[row[1]], iris[row[3]], terms[row[2]], REGISTRY))
                continue
            numbers = iter(row[8])
            found += [Link(iris[first], iris[second], terms[row[2]], graph, row[1], terms[first_role], terms[second_role])
                      for first, second, first_role, second_role in zip(numbers, numbers, numbers, numbers)]
        return sorted(found)
