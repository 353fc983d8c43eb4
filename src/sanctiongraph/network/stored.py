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
from sanctiongraph.builder.manifest import MANIFEST_FILE, Manifest
from sanctiongraph.errors import NetworkError, shown
from sanctiongraph.namespaces import GRAPH
from sanctiongraph.network.links import REGISTRY, SOURCE_GRAPH, Filters, Link
from sanctiongraph.query.store import STORE_LINK

PROVENANCE = GRAPH + "provenance"


def build_of(folder: Path) -> Path:
    """The build folder the graph folder's store leads to (sanctiongraph.query.store.open_store)."""
    return Path(os.path.realpath(folder / STORE_LINK)).parent


def stored_rows(build: Path) -> list[list[Any]] | None:
    """The rows of the build's network file, or None when it has none of this format from this very build."""
    try:
        data = (build / NETWORK_FILE).read_bytes()
        end = data.index(b"\n") + 1
        head = json.loads(data[:end])
    except (OSError, ValueError):
        return None
    manifest = Manifest.read(build) if (build / MANIFEST_FILE).is_file() else None
    if not isinstance(head, dict) or head.get("format") != NETWORK_FORMAT or manifest is None or PROVENANCE not in manifest.graphs \
            or head.get("provenance") != manifest.graphs[PROVENANCE].digest:
        return None
    try:
        rows = json.loads(b"[" + data[end:].rstrip(b"\n").replace(b"\n", b",") + b"]")  # a JSON line holds no newline
    except ValueError:
        return None
    return rows if isinstance(rows, list) else None


def stored_network(rows: list[list[Any]], filters: Filters) -> tuple[nx.MultiDiGraph, list[Link]]:
    """The network of the rows under the filters: its graph, as sanctiongraph.network.graph makes it, and its links."""
    labels: dict[str, str] = {}
    entities: dict[str, dict[str, str]] = {}
    sources: set[str] = set()
    edges: list[tuple[tuple[str, ...], dict[str, Any]]] = []
    wanted = {SOURCE_GRAPH + source for source in filters.sources}
    start, end = str(filters.start or date.min), str(filters.end or date.max)
    source: list[Any] = []
    kept = True
    for row in rows:
        kind = row[0]
        if kind == "statement":
            if not kept:
                continue
            _, statement, cls, summary, evidence, sentence, earliest, latest, links = row
            if filters.windowed and not ((earliest or str(date.min)) <= end and (latest or str(date.max)) >= start):
                continue
            _, graph, document, title, address = source
            for first, second, first_role, second_role in links:
                edges.append(((first, second, cls, graph, statement, first_role, second_role), {
                    "relation": cls, "label": labels[cls], "registry": False, "graph": graph, "statement": statement,
                    "summary": summary, "startRole": labels[first_role], "endRole": labels[second_role], "source": document,
                    "sourceTitle": title, "address": address, "evidence": evidence, "sentence": sentence}))
        elif kind == "source":
            source = row
            sources.add(row[1])
            kept = not wanted or row[1] in wanted
        elif kind == "label":
            labels[row[1]] = row[2]
        elif kind == "entity":
            entities[row[1]] = {"label": row[2], "iri": row[1], "cls": row[3], "aliases": row[4]}
        elif kind == "registry" and not filters.evidence_only:
            _, subject, prop, obj = row
            edges.append(((subject, obj, prop, REGISTRY, "", "", ""), {
                "relation": prop, "label": labels[prop], "registry": True, "graph": REGISTRY, "statement": "", "summary": "",
                "startRole": "", "endRole": "", "source": "", "sourceTitle": "", "address": "", "evidence": "", "sentence": ""}))
    unknown = sorted(wanted - sources)
    if unknown:
        names = ", ".join(sorted(g.removeprefix(SOURCE_GRAPH) for g in sources))
        raise NetworkError(f"no source {shown(unknown[0].removeprefix(SOURCE_GRAPH))} in the graph; sources: {names or 'none'}")
    edges.sort(key=lambda edge: edge[0])
    graph = nx.MultiDiGraph()
    graph.add_nodes_from((iri, entities[iri]) for iri in sorted({end for key, _ in edges for end in key[:2]}))
    graph.add_edges_from((key[0], key[1], key[4] or key[2], attributes) for key, attributes in edges)
    found = [Link(key[0], key[1], key[2], key[3], key[4] or None, key[5] or None, key[6] or None) for key, _ in edges]
    return graph, found
