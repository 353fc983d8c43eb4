"""The network as the build stored it (`network.jsonl`, sanctiongraph.builder.network), read under the filters: the
same graph as reading the store gives (sanctiongraph.network.graph), at the cost of parsing one file.

The file is read only when it is of this format and from the build the graph folder's store belongs to: its header
names the hash of the build's provenance graph, which must be the one the build's manifest (graphs.json) holds."""

from __future__ import annotations

import functools
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import networkx as nx
import orjson

from sanctiongraph.builder.exports import NETWORK_FILE, NETWORK_FORMAT
from sanctiongraph.builder.manifest import graph_hash
from sanctiongraph.namespaces import GRAPH
from sanctiongraph.network.links import REGISTRY, SOURCE_GRAPH, Attestation, Entity, Filters, Link, Links, check_sources, in_order
from sanctiongraph.query.store import STORE_LINK, Readable

PROVENANCE = GRAPH + "provenance"
# An edge's attributes, in this order, as sanctiongraph.network.graph gives them: empty, but where a link has them.
EDGE: dict[str, Any] = {"relation": "", "label": "", "registry": False, "graph": "", "statement": "", "summary": "",
                        "startRole": "", "endRole": "", "source": "", "sourceTitle": "", "address": "", "evidence": "",
                        "sentence": ""}
REGISTRY_EDGE = EDGE | {"registry": True, "graph": REGISTRY}


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
        rows = orjson.loads(b"[" + data[end:].rstrip(b"\n").replace(b"\n", b",") + b"]")  # a JSON line holds no newline
    except (OSError, ValueError):
        return None
    return rows if isinstance(rows, list) else None


class StoredNetwork:
    """The network of the rows under the filters: its graph, as sanctiongraph.network.graph makes it (the rows hold the
    links in the graph's order), and its links (made only when asked for)."""

    def __init__(self, rows: list[list[Any]], filters: Filters) -> None:
        self.terms: list[str] = []
        self.labels: list[str] = []
        self.iris: list[str] = []
        self.registry: list[list[Any]] = []  # the entity rows: IRI, class (a term), names
        self.sources: set[str] = set()
        self.kept: list[tuple[dict[str, Any], list[Any]]] = []  # the rows of the links kept, with their source's attributes
        ends: set[int] = set()
        wanted = {SOURCE_GRAPH + source for source in filters.sources}
        start, end = str(filters.start or date.min), str(filters.end or date.max)
        sourced = EDGE
        kept = True
        for row in rows:
            kind = row[0]
            if kind == "statement":
                earliest, latest, links = row[6:]
                if not kept or filters.windowed and not ((earliest or str(date.min)) <= end and (latest or str(date.max)) >= start):
                    continue
                self.kept.append((sourced, row))
                ends.update(links[0::4], links[1::4])  # four numbers a link: its start, end and their roles
            elif kind == "source":
                _, graph, document, title, address = row
                sourced = EDGE | {"graph": graph, "source": document, "sourceTitle": title, "address": address}
                self.sources.add(graph)
                kept = not wanted or graph in wanted
            elif kind == "term":
                self.terms.append(row[1])
                self.labels.append(row[2])
            elif kind == "entity":
                self.registry.append(row[1:])
                self.iris.append(row[1])
            elif kind == "registry" and not filters.evidence_only:
                self.kept.append((REGISTRY_EDGE, row))
                ends.update((row[1], row[3]))
        check_sources(wanted, self.sources)
        self.ends = ends

    def entity(self, number: int) -> Entity:
        """An entity of the registry, by its number."""
        iri, cls, names = self.registry[number]
        return Entity(iri, [self.terms[cls]], list(names))

    @functools.cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The network as a graph, made the first time it is asked for (a search hop by hop needs only the links)."""
        graph = nx.MultiDiGraph()
        graph.add_nodes_from(map(self._node, sorted(self.ends)))  # numbers sort as the IRIs they stand for
        graph.add_edges_from(self._edges())
        return graph

    def _node(self, number: int) -> tuple[str, dict[str, str]]:
        """An entity as a node: its IRI, and its label, IRI, class (by its label) and aliases."""
        entity = self.entity(number)
        return entity.iri, {"label": entity.label, "iri": entity.iri, "cls": self.labels[self.registry[number][1]],
                            "aliases": "; ".join(entity.names[1:])}

    def _edges(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """Each link kept as an edge: its ends, its key and its attributes. One dict of attributes serves a statement's
        links, changed link by link: networkx copies an edge's attributes as it adds the edge, before it takes the next."""
        terms, labels, iris = self.terms, self.labels, self.iris
        for sourced, row in self.kept:
            if row[0] == "registry":
                _, subject, prop, obj = row
                yield iris[subject], iris[obj], terms[prop], sourced | {"relation": terms[prop], "label": labels[prop]}
                continue
            _, statement, cls, summary, evidence, sentence, _, _, links = row
            stated = sourced | {"relation": terms[cls], "label": labels[cls], "statement": statement, "summary": summary,
                                "evidence": evidence, "sentence": sentence}
            numbers = iter(links)
            for first, second, first_role, second_role in zip(numbers, numbers, numbers, numbers):
                stated["startRole"], stated["endRole"] = labels[first_role], labels[second_role]
                yield iris[first], iris[second], statement, stated

    def links(self) -> list[Link]:
        """The links of the graph, in order."""
        return in_order(link for sourced, row in self.kept for link in self.row_links(sourced, row))

    def row_links(self, sourced: dict[str, Any], row: list[Any], at: set[str] | None = None) -> list[Link]:
        """The links of a kept row: a registry link, or those of a statement; `at`: only those with an end at one of
        these entities."""
        iris, terms = self.iris, self.terms
        if row[0] == "registry":
            link = Link(iris[row[1]], iris[row[3]], terms[row[2]], REGISTRY)
            return [link] if at is None or link.start in at or link.end in at else []
        numbers = iter(row[8])
        return [Link(iris[first], iris[second], terms[row[2]], sourced["graph"], row[1], terms[first_role], terms[second_role])
                for first, second, first_role, second_role in zip(numbers, numbers, numbers, numbers)
                if at is None or iris[first] in at or iris[second] in at]

    def rows_at(self) -> dict[str, list[int]]:
        """The kept rows (their index in `kept`) that have a link at each entity (its IRI); a ValueError when a row
        names an entity or a term the file does not hold."""
        at: dict[int, list[int]] = defaultdict(list)
        named: set[int] = set()  # the terms the rows name
        for index, (_, row) in enumerate(self.kept):
            if row[0] == "registry":
                ends = {row[1], row[3]}
                named.add(row[2])
            else:
                links = row[8]
                ends = {*links[0::4], *links[1::4]}
                named.update(links[2::4], links[3::4], (row[2],))
            for end in ends:
                at[end].append(index)
        if not (_numbered(at, self.iris) and _numbered(named, self.terms)):
            raise ValueError("a row names an entity or a term that the file does not hold")
        return {self.iris[end]: indices for end, indices in at.items()}


def _numbered(numbers: Iterable[int], named: list[str]) -> bool:
    """Whether every number is that of one of the things named."""
    return all(0 <= number < len(named) for number in numbers)


class KnownLinks(Links):
    """The links of a build's network file under the filters, for a search hop by hop (sanctiongraph.network.paths):
    the registry's entities, the links at given entities and the statements' attestations are looked up among the
    file's rows rather than in the store, with the same answers."""

    def __init__(self, store: Readable, network: StoredNetwork, filters: Filters) -> None:
        self.network = network
        self.rows_at = network.rows_at()
        super().__init__(store, filters)

    def _entities(self) -> dict[str, Entity]:
        return {entity.iri: entity for entity in map(self.network.entity, range(len(self.network.registry)))}

    def _sources(self) -> set[str]:
        return self.network.sources

    def at(self, entities: Iterable[str]) -> list[Link]:
        """The links with an end at one of these entities, in order: made of the rows that have them only."""
        wanted = set(entities)
        indices = sorted({index for entity in wanted for index in self.rows_at.get(entity, ())})
        return in_order(link for index in indices for link in self.network.row_links(*self.network.kept[index], wanted))

    def attestations(self, statements: Iterable[str]) -> dict[str, Attestation]:
        wanted = set(statements)
        return {row[1]: Attestation(sourced["source"], row[4], row[5], sourced["address"] or None)
                for sourced, row in self.network.kept if row[0] == "statement" and row[1] in wanted}
