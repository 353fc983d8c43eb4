"""The network as the build stored it (`network.jsonl`, sanctiongraph.builder.network), read under the filters: the
same graph as reading the store gives (sanctiongraph.network.graph), at the cost of parsing one file.

The file is read only when it is of this format and from the build the graph folder's store belongs to: its header
names the hash of the build's provenance graph, which must be the one the build's manifest (graphs.json) holds."""

from __future__ import annotations

import json
import os
from datetime import date
from operator import itemgetter
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
_NO_ROLE = -1  # a registry link's roles


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
        rows = json.loads(b"[" + data[end:].rstrip(b"\n").replace(b"\n", b",") + b"]")  # a JSON line holds no newline
    except (OSError, ValueError):
        return None
    return rows if isinstance(rows, list) else None


class StoredNetwork:
    """The network of the rows under the filters: its graph, as sanctiongraph.network.graph makes it, and its links
    (made only when asked for)."""

    def __init__(self, rows: list[list[Any]], filters: Filters) -> None:
        terms: list[str] = []
        labels: list[str] = []
        entities: list[list[str]] = []
        sources: set[str] = set()
        edges: list[tuple[tuple[int, int, int, str, str, int, int], dict[str, Any]]] = []
        wanted = {SOURCE_GRAPH + source for source in filters.sources}
        start, end = str(filters.start or date.min), str(filters.end or date.max)
        graph = document = title = address = ""
        kept = True
        for row in rows:
            kind = row[0]
            if kind == "statement":
                _, statement, cls, summary, evidence, sentence, earliest, latest, links = row
                if not kept or filters.windowed and not ((earliest or str(date.min)) <= end and (latest or str(date.max)) >= start):
                    continue
                relation, label = terms[cls], labels[cls]
                for first, second, first_role, second_role in links:
                    edges.append(((first, second, cls, graph, statement, first_role, second_role), {
                        "relation": relation, "label": label, "registry": False, "graph": graph, "statement": statement,
                        "summary": summary, "startRole": labels[first_role], "endRole": labels[second_role], "source": document,
                        "sourceTitle": title, "address": address, "evidence": evidence, "sentence": sentence}))
            elif kind == "source":
                _, graph, document, title, address = row
                sources.add(graph)
                kept = not wanted or graph in wanted
            elif kind == "term":
                terms.append(row[1])
                labels.append(row[2])
            elif kind == "entity":
                entities.append(row[1:])
            elif kind == "registry" and not filters.evidence_only:
                _, subject, prop, obj = row
                edges.append(((subject, obj, prop, REGISTRY, "", _NO_ROLE, _NO_ROLE), {
                    "relation": terms[prop], "label": labels[prop], "registry": True, "graph": REGISTRY, "statement": "",
                    "summary": "", "startRole": "", "endRole": "", "source": "", "sourceTitle": "", "address": "",
                    "evidence": "", "sentence": ""}))
        unknown = sorted(wanted - sources)
        if unknown:
            names = ", ".join(sorted(g.removeprefix(SOURCE_GRAPH) for g in sources))
            raise NetworkError(f"no source {shown(unknown[0].removeprefix(SOURCE_GRAPH))} in the graph; sources: {names or 'none'}")
        edges.sort(key=itemgetter(0))  # numbers sort as the IRIs they stand for: the order of sanctiongraph.network.graph
        self.terms, self.keys = terms, [key for key, _ in edges]
        self.iris = [entity[0] for entity in entities]
        iris = self.iris
        self.graph = nx.MultiDiGraph()
        self.graph.add_nodes_from((iris[number], {"label": entities[number][1], "iri": iris[number], "cls": entities[number][2],
                                                  "aliases": entities[number][3]})
                                  for number in sorted({end for key in self.keys for end in key[:2]}))
        self.graph.add_edges_from((iris[key[0]], iris[key[1]], key[4] or terms[key[2]], attributes) for key, attributes in edges)

    def links(self) -> list[Link]:
        """The links of the graph, in its order."""
        iris, terms = self.iris, self.terms
        return [Link(iris[start], iris[end], terms[cls], graph, statement or None, terms[first] if first != _NO_ROLE else None,
                     terms[second] if second != _NO_ROLE else None)
                for start, end, cls, graph, statement, first, second in self.keys]
