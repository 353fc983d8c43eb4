"""Some quads rendered once for every export, a block per subject, so that a build assembles its exports from parts:
one part per source (cached with its contribution), one for the ontology and the registry, one for the build itself.
A part also holds its lines of the network file (sanctiongraph.builder.network).

Every export is sorted by graph, then subject, then the rest; and each of Oxigraph's writers starts a subject's
statements on a line of their own, so the export of a whole dataset is the blocks of all its parts in that order,
between a header and a footer (sanctiongraph.builder.exports). Within a part the blocks of a graph, and those of the
union of its graphs, are in order and stored end to end in one string per format, with their lengths."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyoxigraph as ox

from sanctiongraph.builder.jsonld import node_lines
from sanctiongraph.namespaces import ID, PREFIXES, RDF

GRAPH_FORMATS = ("nq", "trig", "jsonld")  # the dataset, graph by graph
UNION_FORMATS = ("nt", "ttl")  # the union of all graphs, as triples
_RDF_TYPE = f"<{RDF}type>"


@dataclass
class Blocks:
    """The subject blocks of one graph (or of a part's union): the subjects in N-Triples form, in order; the number of
    quads of each, whether each is an entity (union only: an IRI of ours with a type), and each format's text, end to end."""

    keys: list[str]
    counts: list[int]
    text: dict[str, bytes | memoryview]  # a memoryview of the cache entry it was read from: read once, not copied
    lengths: dict[str, list[int]]
    entities: list[bool] = field(default_factory=list)
    opening: str = ""  # of a graph: the TriG line that opens it
    digest: str = ""  # of a graph: its content hash and the size of its N-Triples (graph_digest)
    size: int = 0

    def offsets(self, name: str) -> list[int]:
        """Where each block of format name starts in its text, and (last) where the text ends."""
        offsets = [0]
        for length in self.lengths[name]:
            offsets.append(offsets[-1] + length)
        return offsets


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class GraphSummary:
    digest: str  # its content hash (graph_digest)
    triples: int
    size: int  # of its N-Triples


@dataclass
class Summary:
    """What a build needs of a part whose exports it copies from the previous build's (sanctiongraph.builder.layout):
    its graphs' hashes, the triples, subjects and entities of its union, the properties and classes it uses. The part's
    key is its first graph's name: each graph is in one part, and each subject in one part's graphs."""

    graphs: dict[str, GraphSummary]
    union: tuple[int, int, int]
    properties: list[str]
    classes: list[str]

    @functools.cached_property
    def key(self) -> str:  # asked of each part several times a build
        return min(self.graphs)

    @property
    def quads(self) -> int:
        return sum(graph.triples for graph in self.graphs.values())

    def as_json(self) -> list[Any]:
        return [{name: [g.digest, g.triples, g.size] for name, g in self.graphs.items()}, self.union, self.properties, self.classes]

    @classmethod
    def from_json(cls, value: list[Any]) -> Summary:
        """The summary as_json() gave; a ValueError, KeyError or TypeError if value is not one."""
        graphs, union, properties, classes = value
        return cls({name: GraphSummary(*graph) for name, graph in graphs.items()}, tuple(union), properties, classes)


@dataclass
class Part:
    """Some quads, rendered: the blocks of each graph they are in and of their union, the properties and classes used,
    and the lines of the network they make."""

    graphs: dict[str, Blocks]
    union: Blocks
    properties: list[str]
    classes: list[str]
    network: bytes | memoryview = b""

    @property
    def quads(self) -> int:
        return sum(sum(blocks.counts) for blocks in self.graphs.values())

    @property
    def key(self) -> str:
        return min(self.graphs)

    @property
    def summary(self) -> Summary:
        return Summary({name: GraphSummary(blocks.digest, sum(blocks.counts), blocks.size) for name, blocks in self.graphs.items()},
                       (sum(self.union.counts), len(self.union.keys), sum(self.union.entities)), self.properties, self.classes)

    def dump(self) -> bytes:
        """The part as one line of JSON (everything but the texts), then the texts end to end."""
        every = [*self.graphs.values(), self.union]
        index = {"graphs": {name: _index(blocks) for name, blocks in self.graphs.items()}, "union": _index(self.union),
                 "properties": self.properties, "classes": self.classes, "network": len(self.network)}
        texts = [*(blocks.text[name] for blocks in every for name in blocks.text), self.network]
        return json.dumps(index, ensure_ascii=False).encode("utf-8") + b"\n" + b"".join(texts)

    @classmethod
    def load(cls, data: bytes, start: int = 0) -> Part:
        """The part that dump() wrote, from data[start:]; a ValueError, KeyError or TypeError if that is not one."""
        line = data.index(b"\n", start)
        index = json.loads(data[start:line])
        view = memoryview(data)
        position = line + 1

        def blocks(entry: dict[str, Any]) -> Blocks:
            nonlocal position
            text: dict[str, bytes | memoryview] = {}
            for name, lengths in entry["lengths"].items():
                size = sum(lengths)
                text[name] = view[position:position + size]
                position += size
                if len(lengths) != len(entry["keys"]) or len(text[name]) != size:
                    raise ValueError("a part's texts do not match its index")
            return Blocks(entry["keys"], entry["counts"], text, entry["lengths"], entry["entities"], entry["opening"],
                          entry["digest"], entry["size"])

        graphs = {name: blocks(entry) for name, entry in index["graphs"].items()}
        part = cls(graphs, blocks(index["union"]), index["properties"], index["classes"],
                   view[position:position + index["network"]])
        position += index["network"]
        if position != len(data):
            raise ValueError("a part's texts do not match its index")
        return part


def summary_of(part: Part | Summary) -> Summary:
    """What a build needs of a part, rendered or not."""
    return part.summary if isinstance(part, Part) else part


def _index(blocks: Blocks) -> dict[str, Any]:
    return {"keys": blocks.keys, "counts": blocks.counts, "lengths": blocks.lengths, "entities": blocks.entities,
            "opening": blocks.opening, "digest": blocks.digest, "size": blocks.size}


def render(quads: Iterable[ox.Quad], network: bytes = b"") -> Part:
    """The part of some quads (distinct, in named graphs), with its lines of the network."""
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in set(quads):
        if not isinstance(quad.graph_name, ox.NamedNode):
            raise ValueError(f"a part's quads are in named graphs, not {quad.graph_name}")
        by_graph.setdefault(quad.graph_name.value, []).append(quad)
    graphs = {name: graph_blocks(sorted(by_graph[name], key=str)) for name in sorted(by_graph)}
    triples = sorted({quad.triple for graph in by_graph.values() for quad in graph}, key=str)
    properties = sorted({triple.predicate.value for triple in triples})
    classes = sorted({triple.object.value for triple in triples if triple.predicate.value == RDF + "type"})  # type: ignore[union-attr]
    return Part(graphs, union_blocks(triples), properties, classes, network)


def subjects(lines: list[str]) -> tuple[list[str], list[int]]:
    """The subjects of sorted N-Triples or N-Quads lines and the number of lines of each."""
    keys: list[str] = []
    counts: list[int] = []
    for line in lines:
        subject = line[:line.index(" ")]
        if keys and keys[-1] == subject:
            counts[-1] += 1
        else:
            keys.append(subject)
            counts.append(1)
    return keys, counts


def split_blocks(text: str, starts: str, keys: list[str], what: str) -> list[bytes]:
    """The blocks of an Oxigraph TriG graph or Turtle document: a block begins at each line that starts with `starts`
    and then not with whitespace. There must be one per subject."""
    blocks: list[str] = []
    depth = len(starts)
    for line in text.splitlines(keepends=True):
        if line.startswith(starts) and line[depth:depth + 1] not in ("\t", " "):
            blocks.append(line)
        else:
            blocks[-1] += line
    if len(blocks) != len(keys):
        raise ValueError(f"{what}: {len(blocks)} blocks for {len(keys)} subjects")
    return [block.encode("utf-8") for block in blocks]


def _body(data: bytes) -> str:
    """Oxigraph's TriG or Turtle output without its prefix lines."""
    text = data.decode("utf-8")
    start = 0
    while text.startswith("@prefix ", start):
        start = text.index("\n", start) + 1
    return text[start:]


def graph_blocks(quads: list[ox.Quad]) -> Blocks:
    """The blocks of some quads of one named graph, distinct and sorted."""
    lines = [str(quad) for quad in quads]
    keys, counts = subjects(lines)
    nq = _grouped([f"{line} .\n".encode("utf-8") for line in lines], counts)
    trig = _body(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES))  # type: ignore[arg-type]
    opening, _, rest = trig.partition("\n")
    if not rest.endswith("}\n"):
        raise ValueError(f"TriG of one graph ends with {rest[-10:]!r}")
    trig_blocks = split_blocks(rest[:-2], "\t", keys, "TriG")
    jsonld = [f"{line},\n".encode("utf-8") for line in node_lines(lines)]
    blocks = _blocks(keys, counts, {"nq": nq, "trig": trig_blocks, "jsonld": jsonld}, [], opening + "\n")
    blocks.digest, blocks.size = graph_digest(b"".join(nq), quads[0].graph_name.value)  # type: ignore[union-attr]
    return blocks


def union_blocks(triples: list[ox.Triple]) -> Blocks:
    """The blocks of some triples, distinct and sorted."""
    lines = [str(triple) for triple in triples]
    keys, counts = subjects(lines)
    nt = _grouped([f"{line} .\n".encode("utf-8") for line in lines], counts)
    ttl = split_blocks(_body(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)), "", keys, "Turtle")  # type: ignore[arg-type]
    typed = set()
    for line in lines:
        subject, predicate = line.split(" ", 2)[:2]
        if predicate == _RDF_TYPE:
            typed.add(subject)
    entities = [key in typed and key.startswith(f"<{ID}") for key in keys]
    return _blocks(keys, counts, {"nt": nt, "ttl": ttl}, entities, "")


def _grouped(lines: list[bytes], counts: list[int]) -> list[bytes]:
    blocks, start = [], 0
    for count in counts:
        blocks.append(b"".join(lines[start:start + count]))
        start += count
    return blocks


def _blocks(keys: list[str], counts: list[int], texts: dict[str, list[bytes]], entities: list[bool], opening: str) -> Blocks:
    return Blocks(keys, counts, {name: b"".join(blocks) for name, blocks in texts.items()},
                  {name: [len(block) for block in blocks] for name, blocks in texts.items()}, entities, opening)


def as_ntriples(nquads: bytes, graph: str) -> bytes:
    """Whole N-Quads lines of one named graph as N-Triples: the graph's name taken off each line."""
    return nquads.replace(f" <{graph}> .\n".encode("utf-8"), b" .\n")


def graph_digest(nquads: bytes, graph: str) -> tuple[str, int]:
    """The content hash of a graph from its sorted N-Quads (sanctiongraph.query.publish: that of its N-Triples lines,
    sorted, joined by newlines) and the size of its N-Triples."""
    ntriples = as_ntriples(nquads, graph)
    return "sha256:" + hashlib.sha256(ntriples[:-1]).hexdigest(), len(ntriples)
