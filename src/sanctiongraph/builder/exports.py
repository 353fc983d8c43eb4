"""Writing the dataset as linked data: TriG, N-Quads, Turtle, N-Triples, JSON-LD and a VoID/DCAT description.

Every export is sorted, so the same sources give byte-identical files. Each is assembled from the rendered blocks
of the dataset's parts (sanctiongraph.builder.parts), merged in order: a part's blocks are copied, not rendered
again, so a build that reuses most parts writes its exports at about the speed of copying them. The files are
written into the folder of a new build, which becomes current only once all of it is written
(sanctiongraph.builder.builds); `graphs.json` beside them holds each named graph's hash (sanctiongraph.builder.manifest)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder.jsonld import CLOSING, OPENING, curie
from sanctiongraph.builder.manifest import Graph
from sanctiongraph.builder.parts import GRAPH_FORMATS, UNION_FORMATS, Blocks, Part, graph_blocks, graph_digest, union_blocks
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


@dataclass
class Merged:
    """Blocks of several parts in order, as pieces of their texts for each format; how many quads (or triples), subjects
    and entities they hold."""

    pieces: dict[str, list[memoryview]] = field(default_factory=dict)
    count: int = 0
    subjects: int = 0
    entities: int = 0


def merged(sources: list[Blocks], formats: tuple[str, ...], again: Callable[[list[bytes]], Blocks]) -> Merged:
    """The blocks of sources (each in order) in the order of their subjects. A run of blocks of one source is one
    piece; a subject that more than one source has is rendered again by `again` from the lines of all of them."""
    if len(sources) == 1:
        blocks = sources[0]
        return Merged({name: [memoryview(blocks.text[name])] for name in formats}, sum(blocks.counts), len(blocks.keys), sum(blocks.entities))
    keys = [key for blocks in sources for key in blocks.keys]
    owner = [number for number, blocks in enumerate(sources) for _ in blocks.keys]
    position = [index for blocks in sources for index in range(len(blocks.keys))]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    shared = {keys[a] for a, b in zip(order, order[1:]) if keys[a] == keys[b]}
    fresh = again([line for number, blocks in enumerate(sources) for line in _lines(blocks, shared, formats[0])]) if shared else None
    fresh_at = {key: index for index, key in enumerate(fresh.keys)} if fresh else {}
    runs: list[tuple[int, int, int]] = []  # (source, first block, after the last block); source -1 is fresh
    last = ""
    for index in order:
        key = keys[index]
        number, at = (-1, fresh_at[key]) if key in fresh_at else (owner[index], position[index])
        if number == -1 and key == last:
            continue  # a shared subject, rendered once
        last = key
        if runs and runs[-1][0] == number and runs[-1][2] == at:
            runs[-1] = (number, runs[-1][1], at + 1)
        else:
            runs.append((number, at, at + 1))
    result = Merged({name: [] for name in formats})
    offsets: dict[tuple[int, str], list[int]] = {}
    for number, first, end in runs:
        chosen = sources[number] if number >= 0 else fresh
        assert chosen is not None
        result.count += sum(chosen.counts[first:end])
        result.subjects += end - first
        result.entities += sum(chosen.entities[first:end])
        for name in formats:
            starts = offsets.get((number, name))
            if starts is None:
                starts = offsets[number, name] = chosen.offsets(name)
            result.pieces[name].append(memoryview(chosen.text[name])[starts[first]:starts[end]])
    return result


def _lines(blocks: Blocks, shared: set[str], name: str) -> Iterable[bytes]:
    """The lines (N-Quads or N-Triples) of the blocks of the shared subjects."""
    starts = blocks.offsets(name)
    for index, key in enumerate(blocks.keys):
        if key in shared:
            yield from bytes(blocks.text[name][starts[index]:starts[index + 1]]).splitlines(keepends=True)


def _graph_again(lines: list[bytes]) -> Blocks:
    return graph_blocks(sorted(set(ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)), key=str))


def _union_again(lines: list[bytes]) -> Blocks:
    return union_blocks(sorted({quad.triple for quad in ox.parse(b"".join(lines), format=ox.RdfFormat.N_TRIPLES)}, key=str))


def _prefix_lines(format: ox.RdfFormat) -> bytes:
    """The prefix lines Oxigraph's writer starts a TriG or Turtle document with."""
    quad = ox.Quad(ox.NamedNode(ID + "x"), ox.NamedNode(RDF + "type"), ox.NamedNode(ID + "x"), ox.NamedNode(GRAPH + "x"))
    data = ox.serialize([quad] if format == ox.RdfFormat.TRIG else [quad.triple], format=format, prefixes=PREFIXES)
    assert isinstance(data, bytes)
    return b"".join(line for line in data.splitlines(keepends=True) if line.startswith(b"@prefix "))


def write_exports(parts: list[Part], folder: Path, done: Callable[[str], None] = lambda name: None) -> tuple[list[str], dict[str, Graph]]:
    """Write every export and the VoID description of the parts into folder, calling done with the name of each file
    written; return the names of the files written and the named graphs, with where each is in the N-Quads export."""
    sources: dict[str, list[Blocks]] = {}
    for part in parts:
        for name, blocks in part.graphs.items():
            sources.setdefault(name, []).append(blocks)
    names = sorted(sources)
    graphs = {name: merged(sources[name], GRAPH_FORMATS, _graph_again) for name in names}
    union = merged([part.union for part in parts], UNION_FORMATS, _union_again)
    entries: dict[str, Graph] = {}
    sizes = {}
    for export in EXPORTS:
        path = folder / f"{STEM}.{export.suffix}"
        with path.open("wb") as output:
            if export.suffix == "trig":
                output.write(_prefix_lines(ox.RdfFormat.TRIG))
                for name in names:
                    _write(output, sources[name][0].opening.encode("utf-8"), *graphs[name].pieces["trig"], b"}\n")
            elif export.suffix == "nq":
                for name in names:
                    offset = output.tell()
                    _write(output, *graphs[name].pieces["nq"])
                    entries[name] = _entry(name, sources[name], graphs[name], offset, output.tell() - offset)
            elif export.suffix == "jsonld":
                _write_jsonld(output, names, graphs)
            else:
                output.write(_prefix_lines(ox.RdfFormat.TURTLE) if export.suffix == "ttl" else b"")
                _write(output, *union.pieces[export.suffix])
        sizes[export] = path.stat().st_size
        done(path.name)
    properties = sorted({name for part in parts for name in part.properties})
    classes = sorted({name for part in parts for name in part.classes})
    (folder / VOID_FILE).write_bytes(void({name: graphs[name].count for name in names}, union, properties, classes, sizes))
    done(VOID_FILE)
    return [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE], entries


def _write(output: BinaryIO, *pieces: bytes | memoryview) -> None:
    for piece in pieces:
        output.write(piece)


def _write_jsonld(output: BinaryIO, names: list[str], graphs: dict[str, Merged]) -> None:
    output.write(OPENING.encode("utf-8"))
    for number, name in enumerate(names):
        pieces = graphs[name].pieces["jsonld"]
        separator = ",\n" if number else ""
        opening = f'{separator}  {{"@id": {json.dumps(curie(name), ensure_ascii=False)}, "@graph": [\n'
        _write(output, opening.encode("utf-8"), *pieces[:-1], pieces[-1][:-2], b"\n  ]}")  # the last node without its ",\n"
    output.write(CLOSING.encode("utf-8"))


def _entry(name: str, sources: list[Blocks], graph: Merged, offset: int, length: int) -> Graph:
    """A named graph's manifest entry: its hash as its only part rendered it, else computed from its N-Quads."""
    if len(sources) == 1:
        return Graph(sources[0].digest, graph.count, sources[0].size, offset, length)
    digest, size = graph_digest(b"".join(graph.pieces["nq"]), name)
    return Graph(digest, graph.count, size, offset, length)


def void(per_graph: dict[str, int], union: Merged, properties: list[str], classes: list[str], sizes: dict[Export, int]) -> bytes:
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
    add(dataset, VOID + "triples", count(union.count))
    add(dataset, VOID + "distinctSubjects", count(union.subjects))
    add(dataset, VOID + "properties", count(len(properties)))
    add(dataset, VOID + "classes", count(len(classes)))
    add(dataset, VOID + "entities", count(union.entities))
    for namespace in (SG, PROV, OA, TIME, SKOS, RDFS):
        add(dataset, VOID + "vocabulary", ox.NamedNode(namespace))
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
