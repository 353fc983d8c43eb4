"""Writing the dataset as linked data: TriG, N-Quads, Turtle, N-Triples, JSON-LD and a VoID/DCAT description.

Every export is sorted, so the same sources give byte-identical files. They are written into
the folder of a new build, which becomes current only once all of it is written (sanctiongraph.builder.builds)."""

from __future__ import annotations

import functools
import io
import itertools
import json
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.namespaces import BASE, DCAT, DCTERMS, GRAPH, ID, OA, PREFIXES, PROV, RDF, RDFS, SD, SG, SKOS, TIME, VOID, XSD

STEM = "sanctiongraph"


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
_RDF_TYPE = RDF + "type"
_XSD_STRING = XSD + "string"


def sort_quads(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Distinct quads in a stable order: by graph, subject, predicate, object.

    Sorted one graph at a time by the quad's N-Quads form, which orders as the (subject,
    predicate, object) tuple would, since every term's N-Triples form ends with its own delimiter;
    one string per quad is both faster and smaller than four."""
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in set(quads):
        by_graph.setdefault(str(quad.graph_name), []).append(quad)
    return [quad for name in sorted(by_graph) for quad in sorted(by_graph.pop(name), key=str)]


def union_ntriples(quads: list[ox.Quad]) -> bytes:
    """The union of all graphs as N-Triples: distinct triples ordered by subject, predicate, object.

    Kept as text (a triple's str() is its N-Triples line) rather than as a million Triple objects,
    and encoded a slice at a time so that no second full-size copy is made."""
    lines = sorted({str(q.triple) for q in quads})
    buffer = io.BytesIO()
    for start in range(0, len(lines), 1 << 16):
        buffer.write("".join(f"{line} .\n" for line in lines[start:start + (1 << 16)]).encode("utf-8"))
    return buffer.getvalue()


def _union(union_nt: bytes) -> Iterator[ox.Quad]:
    return iter(ox.parse(union_nt, format=ox.RdfFormat.N_TRIPLES))


def serialize(quads: list[ox.Quad], union_nt: bytes, export: Export, path: Path) -> None:
    """Write one export of the sorted quads, or of their union (see union_ntriples), to path."""
    if export.suffix == "jsonld":
        with path.open("wb") as output:
            write_jsonld(quads, output)
    elif export.suffix == "nt":
        path.write_bytes(union_nt)
    else:
        formats = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE}
        data: Iterable[ox.Quad] = _union(union_nt) if export.union else quads
        prefixes = PREFIXES if export.suffix in ("trig", "ttl") else None
        ox.serialize(data, output=str(path), format=formats[export.suffix], prefixes=prefixes)


def write_exports(quads: list[ox.Quad], folder: Path, done: Callable[[str], None] = lambda name: None) -> list[str]:
    """Write every export and the VoID description into folder, calling done with the name of each file written;
    return the names of the files written.

    The sorted copies the exports need are freed on return."""
    ordered = sort_quads(quads)
    union_nt = union_ntriples(ordered)
    sizes = {}
    for export in EXPORTS:
        path = folder / f"{STEM}.{export.suffix}"
        serialize(ordered, union_nt, export, path)
        sizes[export] = path.stat().st_size
        done(path.name)
    (folder / VOID_FILE).write_bytes(void(ordered, union_nt, sizes))
    done(VOID_FILE)
    return [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE]


_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


@functools.lru_cache(maxsize=1 << 16)
def curie(value: str) -> str:
    """The IRI as prefix:local with the longest namespace that leaves a local part, else the IRI itself."""
    for prefix, namespace in _LONGEST_FIRST:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return value


def _jsonld_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": _node_id(term)}
    assert isinstance(term, ox.Literal), f"RDF-star terms are not written: {term}"
    language = term.language
    if language:
        return {"@value": term.value, "@language": language}
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": curie(datatype)}


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else curie(term.value)


def jsonld(quads: list[ox.Quad]) -> bytes:
    """The JSON-LD document of some quads (a CONSTRUCT result: quads in the default graph)."""
    buffer = io.BytesIO()
    write_jsonld(quads, buffer)
    return buffer.getvalue()


def write_jsonld(quads: list[ox.Quad], output: BinaryIO) -> None:
    """JSON-LD 1.1 with a compact context: one node object per subject, in one object per named graph
    (quads in the default graph, as in a CONSTRUCT result, are top-level nodes).

    The quads come sorted by graph (sort_quads), so each graph is written and dropped in turn."""
    output.write(f'{{"@context": {_json(dict(sorted(PREFIXES.items())))},\n "@graph": [\n'.encode("utf-8"))
    separator = ""
    for graph_name, graph_quads in itertools.groupby(quads, key=operator.attrgetter("graph_name")):
        nodes: dict[str, dict[str, list[Any]]] = {}
        subject, node = "", {}
        for quad in graph_quads:
            if quad.subject.value != subject:  # type: ignore[union-attr]  # sorted: a subject's quads are consecutive
                subject = quad.subject.value  # type: ignore[union-attr]  # no quoted triples in our graphs
                node = nodes.setdefault(_node_id(quad.subject), {})  # type: ignore[arg-type]
            predicate = quad.predicate.value
            if predicate == _RDF_TYPE:
                node.setdefault("@type", []).append(curie(quad.object.value))  # type: ignore[union-attr]
            else:
                node.setdefault(curie(predicate), []).append(_jsonld_value(quad.object))
        # One node object per line: json.dumps without indent runs in C, several times faster than with it.
        lines = ",\n".join(f"   {_json({'@id': subject, **properties})}" for subject, properties in nodes.items())
        if isinstance(graph_name, ox.NamedNode):
            output.write(f'{separator}  {{"@id": {_json(curie(graph_name.value))}, "@graph": [\n{lines}\n  ]}}'.encode("utf-8"))
        elif lines:
            output.write(f"{separator}{lines}".encode("utf-8"))
        separator = ",\n"
    output.write(b"\n ]}\n")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def void(quads: list[ox.Quad], union_nt: bytes, sizes: dict[Export, int]) -> bytes:
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
    # The union is sorted by subject, so distinct subjects and typed entities are counted as they change.
    size = subjects = entities = 0
    properties: set[str] = set()
    classes: set[str] = set()
    for subject, group in itertools.groupby(_union(union_nt), key=lambda triple: triple.subject.value):  # type: ignore[union-attr]
        subjects += 1
        typed = False
        for triple in group:
            size += 1
            properties.add(triple.predicate.value)
            if triple.predicate.value == RDF + "type":
                classes.add(triple.object.value)  # type: ignore[union-attr]  # no quoted triples in our graphs
                typed = True
        entities += typed and subject.startswith(ID)
    add(dataset, VOID + "triples", count(size))
    add(dataset, VOID + "distinctSubjects", count(subjects))
    add(dataset, VOID + "properties", count(len(properties)))
    add(dataset, VOID + "classes", count(len(classes)))
    add(dataset, VOID + "entities", count(entities))
    for namespace in (SG, PROV, OA, TIME, SKOS, RDFS):
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
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)  # type: ignore[return-value]  # bytes when no output file is given
