"""Writing the dataset as linked data: TriG, N-Quads, Turtle, N-Triples, JSON-LD and a VoID/DCAT description.

Every export is sorted, so the same sources give byte-identical files, and all of
them are written to a temporary folder first and moved into place only when every
one has been written."""

from __future__ import annotations

import functools
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.namespaces import BASE, DCAT, DCTERMS, GRAPH, ID, PREFIXES, RDF, RDFS, SG, VOID, XSD

STEM = "sanctiongraph"
SD = "http://www.w3.org/ns/sparql-service-description#"


@dataclass(frozen=True)
class Export:
    suffix: str
    media_type: str
    union: bool  # True: the union of all graphs as triples; False: the dataset with its named graphs


EXPORTS = (
    Export("trig", "application/trig", False),
    Export("nq", "application/n-quads", False),
    Export("ttl", "text/turtle", True),
    Export("nt", "application/n-triples", True),
    Export("jsonld", "application/ld+json", False),
)
VOID_FILE = "void.ttl"


def sort_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Distinct quads in a stable order: by graph, subject, predicate, object."""
    return sorted(set(quads), key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def union_triples(quads: list[ox.Quad]) -> list[ox.Triple]:
    return sorted({q.triple for q in quads}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def serialize(quads: list[ox.Quad], union: list[ox.Triple], export: Export) -> bytes:
    """One export of the sorted quads, or of their union as sorted triples (see union_triples)."""
    if export.suffix == "jsonld":
        return jsonld(quads)
    formats = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
    data: list[Any] = union if export.union else quads
    prefixes = PREFIXES if export.suffix in ("trig", "ttl") else None
    return ox.serialize(data, format=formats[export.suffix], prefixes=prefixes)


def write_exports(quads: list[ox.Quad], folder: Path) -> list[Path]:
    """Write every export and the VoID description into folder, atomically per run."""
    ordered = sort_quads(quads)
    union = union_triples(ordered)
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        sizes = {}
        for export in EXPORTS:
            data = serialize(ordered, union, export)
            (staging / f"{STEM}.{export.suffix}").write_bytes(data)
            sizes[export] = len(data)
        (staging / VOID_FILE).write_bytes(void(ordered, union, sizes))
        written = []
        for path in sorted(staging.iterdir()):
            target = folder / path.name
            os.replace(path, target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@functools.lru_cache(maxsize=1 << 16)
def _curie(value: str) -> str:
    """The IRI as prefix:local with the longest namespace that leaves a local part, else the IRI itself."""
    for prefix, namespace in _LONGEST_FIRST:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return value


def _jsonld_value(term: ox.Term) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": _curie(term.value)}
    assert isinstance(term, ox.Literal), f"blank nodes are never minted: {term}"
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD + "string":
        return term.value
    return {"@value": term.value, "@type": _curie(term.datatype.value)}


def jsonld(quads: list[ox.Quad]) -> bytes:
    """JSON-LD 1.1 with a compact context: one object per named graph, one node object per subject."""
    graphs: dict[str, dict[str, dict[str, list[Any]]]] = {}
    for quad in quads:
        assert isinstance(quad.graph_name, ox.NamedNode), "every quad is in a named graph"
        nodes = graphs.setdefault(_curie(quad.graph_name.value), {})
        node = nodes.setdefault(_curie(quad.subject.value), {})
        if quad.predicate.value == RDF + "type":
            node.setdefault("@type", []).append(_curie(quad.object.value))  # type: ignore[union-attr]
        else:
            node.setdefault(_curie(quad.predicate.value), []).append(_jsonld_value(quad.object))
    # One node object per line: json.dumps without indent runs in C, several times faster than with it.
    blocks = []
    for graph_id, nodes in graphs.items():
        lines = ",\n".join(f"   {_json({'@id': subject, **properties})}" for subject, properties in nodes.items())
        blocks.append(f'  {{"@id": {_json(graph_id)}, "@graph": [\n{lines}\n  ]}}')
    head = f'{{"@context": {_json(dict(sorted(PREFIXES.items())))},\n "@graph": [\n'
    return (head + ",\n".join(blocks) + "\n ]}\n").encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def void(quads: list[ox.Quad], union: list[ox.Triple], sizes: dict[Export, int]) -> bytes:
    """A VoID and DCAT description of the dataset, with one subset per named graph and one distribution per export."""
    dataset = ox.NamedNode(BASE + "dataset")
    triples: list[ox.Triple] = []

    def add(subject: ox.NamedNode, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(subject, ox.NamedNode(predicate), obj))

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))

    add(dataset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
    add(dataset, RDF + "type", ox.NamedNode(DCAT + "Dataset"))
    add(dataset, DCTERMS + "title", ox.Literal("sanctiongraph", language="en"))
    add(dataset, DCTERMS + "description", ox.Literal(
        "Who sanctions whom, which commodities are hit, and who said what, built from annotated news sources; "
        "every statement carries the sentence that supports it.", language="en"))
    add(dataset, DCTERMS + "license", ox.NamedNode("https://creativecommons.org/licenses/by/4.0/"))
    add(dataset, DCTERMS + "creator", ox.Literal(f"sanctiongraph {__version__}"))
    add(dataset, VOID + "uriSpace", ox.Literal(ID))
    add(dataset, VOID + "triples", count(len(union)))
    add(dataset, VOID + "distinctSubjects", count(len({t.subject for t in union})))
    add(dataset, VOID + "properties", count(len({t.predicate for t in union})))
    classes = {t.object for t in union if t.predicate.value == RDF + "type"}
    add(dataset, VOID + "classes", count(len(classes)))
    add(dataset, VOID + "entities", count(len({t.subject for t in union if t.predicate.value == RDF + "type" and t.subject.value.startswith(ID)})))
    for namespace in (SG, "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#", "http://www.w3.org/2006/time#",
                      "http://www.w3.org/2004/02/skos/core#", RDFS):
        add(dataset, VOID + "vocabulary", ox.NamedNode(namespace))
    per_graph: dict[str, int] = {}
    for quad in quads:
        per_graph[quad.graph_name.value] = per_graph.get(quad.graph_name.value, 0) + 1  # type: ignore[union-attr]
    for name, size in sorted(per_graph.items()):
        subset = ox.NamedNode(f"{BASE}dataset/{name[len(GRAPH):]}")
        add(dataset, VOID + "subset", subset)
        add(subset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        add(subset, SD + "name", ox.NamedNode(name))
        add(subset, VOID + "triples", count(size))
    for export, size in sizes.items():
        download = ox.NamedNode(f"{GRAPH}{STEM}.{export.suffix}")
        distribution = ox.NamedNode(f"{BASE}dataset/distribution/{export.suffix}")
        add(dataset, VOID + "dataDump", download)
        add(dataset, DCAT + "distribution", distribution)
        add(distribution, RDF + "type", ox.NamedNode(DCAT + "Distribution"))
        add(distribution, DCAT + "downloadURL", download)
        add(distribution, DCAT + "mediaType", ox.NamedNode(f"https://www.iana.org/assignments/media-types/{export.media_type}"))
        add(distribution, DCAT + "byteSize", ox.Literal(str(size), datatype=ox.NamedNode(XSD + "nonNegativeInteger")))
        add(distribution, DCTERMS + "description", ox.Literal(
            "the union of all graphs, as triples" if export.union else "the dataset with one named graph per source, and provenance",
            language="en"))
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
