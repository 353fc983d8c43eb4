"""Writing the dataset as linked data: TriG, N-Quads, Turtle, N-Triples, JSON-LD and a VoID/DCAT description.

Every export is sorted, so the same sources give byte-identical files. The N-Quads, TriG and JSON-LD exports hold the
named graphs in order of their names, each whole in one part of the dataset (sanctiongraph.builder.parts); the
N-Triples and Turtle exports the subjects of all graphs in order, each in one part. A graph the previous build had
with the same hash, and a run of subjects of a part it had as it is, are copied from its exports (a kernel copy:
os.copy_file_range), where its layout says they are (sanctiongraph.builder.layout); the rest are the rendered blocks
of the parts built or read from the cache, merged in order. So a build that changes one source reads and renders
that source only. The files are written into the folder of a new build, which becomes current only once all of it
is written (sanctiongraph.builder.builds); `graphs.json` beside them holds each named graph's hash
(sanctiongraph.builder.manifest), `layout.json` where each is. `network.jsonl`, the network of actors for
`to_networkx` (sanctiongraph.builder.network), is assembled from the parts' lines the same way, in order of the
parts' keys."""

from __future__ import annotations

import bisect
import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder.jsonld import CLOSING, OPENING, curie
from sanctiongraph.builder.layout import GraphPlace, Layout, Place, Previous, Run
from sanctiongraph.builder.manifest import Graph
from sanctiongraph.builder.parts import Part, Summary, split_blocks, subjects, summary_of
from sanctiongraph.namespaces import BASE, DCAT, DCTERMS, GRAPH, ID, OA, PREFIXES, PROV, RDF, RDFS, SD, SG, SKOS, TIME, VOID, XSD


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
STEM = "sanctiongraph"
FILES = (*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE)  # the files of a build that users read
NETWORK_FILE = "network.jsonl"  # internal: the network of actors, for to_networkx (sanctiongraph.builder.network)
NETWORK_FORMAT = 2  # 2: an entity's class as a term, its names as a list


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class _Item:
    """A graph (or a run of subjects) in an export: copied from the previous build's export (its place there), or new."""

    old: Place | None
    new: tuple[bytes | memoryview, ...] = ()


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class _Segment:
    """Consecutive subjects of one part in the union exports, and the item of each union format."""

    part: str
    first: str
    last: str
    items: dict[str, _Item]


@dataclass
class _File:
    """A file of a build: its header, its items (separated) and its footer, and where each item lands, known before
    it is written."""

    path: Path
    old: Path | None  # the previous build's file, that the items it had are copied from
    items: list[_Item]
    header: bytes
    separator: bytes = b""
    footer: bytes = b""

    def __post_init__(self) -> None:
        self.places: list[Place] = []
        position = len(self.header)
        for number, item in enumerate(self.items):
            gap = len(self.separator) if number else 0
            length = item.old[1] if item.old is not None else sum(len(piece) for piece in item.new)
            self.places.append((position + gap, length))
            position += gap + length
        self.size = position + len(self.footer)

    def write(self) -> None:
        """Write the file: the items the previous build had copied from its file (adjacent ones, and the separator
        between them, in one copy: os.copy_file_range, a copy in the kernel), the others from their pieces."""
        with self.path.open("wb") as output, contextlib.ExitStack() as files:
            output.write(self.header)
            pending: list[int] = []  # [start, end] in old, not yet copied
            source = files.enter_context(self.old.open("rb")) if self.old else None

            def copy() -> None:
                assert source is not None
                output.flush()
                start, end = pending
                while start < end:
                    copied = os.copy_file_range(source.fileno(), output.fileno(), end - start, start)
                    if not copied:
                        raise ValueError(f"{self.old}: shorter than its layout says")
                    start += copied
                pending.clear()

            for number, item in enumerate(self.items):
                gap = self.separator if number else b""
                if item.old is not None:
                    start, length = item.old
                    if pending and pending[1] + len(gap) == start:
                        pending[1] = start + length  # the separator copied with it
                    else:
                        if pending:
                            copy()
                        output.write(gap)
                        pending[:] = [start, start + length]
                else:
                    if pending:
                        copy()
                    output.write(gap)
                    output.writelines(item.new)
            if pending:
                copy()
            output.write(self.footer)


class ExportWriter:
    """The files of a build (every export, the VoID description and the network file), each planned whole before it is
    written: what goes where. The N-Quads export is planned first (the manifest's places, and the store of a build is
    updated from it), so that it can be written while the others are planned; once they are (plan()), the layout and
    VoID (which gives each export's size) are known, and the files can be written on other threads. What the previous
    build had as it is, is copied from its files: a Summary must be such a part."""

    def __init__(self, parts: list[Part | Summary], folder: Path, previous: Previous | None = None) -> None:
        self.owner: dict[str, Part | Summary] = {}
        for part in parts:
            for name in part.graphs:
                if self.owner.setdefault(name, part) is not part:
                    raise ValueError(f"{name}: a named graph in two parts of the dataset")
        self.parts, self.folder, self.previous = parts, folder, previous
        self.names = sorted(self.owner)
        self.graph_items = [_graph_items(name, self.owner[name], previous) for name in self.names]
        self.summaries = [summary_of(part) for part in parts]
        self.summary = {name: summary.graphs[name] for summary in self.summaries for name in summary.graphs}
        self.files = {"nq": self._file("nq", [items["nq"] for items in self.graph_items], b"")}
        # the named graphs, with where each is in the N-Quads export (the manifest's)
        self.graphs = {name: Graph(self.summary[name].digest, self.summary[name].triples, self.summary[name].size, *place)
                       for name, place in zip(self.names, self.files["nq"].places)}
        self.network: _File | None = None

    def nquads(self, done: Callable[[str], None] = lambda name: None) -> None:
        """Write the N-Quads export."""
        self.files["nq"].write()
        done(self.files["nq"].path.name)

    def plan(self) -> Layout:
        """Plan the other files; return the layout of them all."""
        segments = _union(self.parts, self.previous)
        for export in EXPORTS:
            if export.union:
                header = _prefix_lines(ox.RdfFormat.TURTLE) if export.suffix == "ttl" else b""
                self.files[export.suffix] = self._file(export.suffix, [segment.items[export.suffix] for segment in segments], header)
            elif export.suffix == "jsonld":
                self.files["jsonld"] = self._file("jsonld", [items["jsonld"] for items in self.graph_items], OPENING.encode("utf-8"),
                                                  b",\n", CLOSING.encode("utf-8"))
            elif export.suffix == "trig":
                self.files["trig"] = self._file("trig", [items["trig"] for items in self.graph_items], _prefix_lines(ox.RdfFormat.TRIG))
        ordered = sorted(self.parts, key=lambda part: part.key)
        self.network = _File(self.folder / NETWORK_FILE, self.previous.folder / NETWORK_FILE if self.previous else None,
                             [_network_item(part, self.previous) for part in ordered], network_header(self.summary[GRAPH + "provenance"].digest))
        places = {suffix: file.places for suffix, file in self.files.items()}
        return Layout({file.path.name: file.size for file in (*self.files.values(), self.network)},
                      {name: GraphPlace(self.owner[name].key, places["nq"][number], places["trig"][number], places["jsonld"][number])
                       for number, name in enumerate(self.names)},
                      _runs(segments, places), {part.key: place for part, place in zip(ordered, self.network.places)})

    def others(self, done: Callable[[str], None] = lambda name: None) -> None:
        """Write every export but the N-Quads, and the network file (once planned)."""
        assert self.network is not None, "plan() first"
        for suffix, file in self.files.items():
            if suffix != "nq":
                file.write()
                done(file.path.name)
        self.network.write()
        done(NETWORK_FILE)

    def void(self, done: Callable[[str], None] = lambda name: None) -> None:
        """Write the VoID description (once every export is planned: it gives their sizes)."""
        summaries = self.summaries
        union = (sum(s.union[0] for s in summaries), sum(s.union[1] for s in summaries), sum(s.union[2] for s in summaries))
        properties = sorted({name for summary in summaries for name in summary.properties})
        classes = sorted({name for summary in summaries for name in summary.classes})
        (self.folder / VOID_FILE).write_bytes(void({name: self.summary[name].triples for name in self.names}, union, properties, classes,
                                                   {export: self.files[export.suffix].size for export in EXPORTS}))
        done(VOID_FILE)

    def _file(self, suffix: str, items: list[_Item], header: bytes, separator: bytes = b"", footer: bytes = b"") -> _File:
        name = f"{STEM}.{suffix}"
        return _File(self.folder / name, self.previous.folder / name if self.previous else None, items, header, separator, footer)


def write_exports(parts: list[Part | Summary], folder: Path, previous: Previous | None = None,
                  done: Callable[[str], None] = lambda name: None) -> tuple[dict[str, Graph], Layout]:
    """Write every export, the VoID description and the network file of the parts into folder, calling done with the
    name of each file written; return the named graphs (with where each is in the N-Quads export) and the layout."""
    writer = ExportWriter(parts, folder, previous)
    writer.nquads(done)
    layout = writer.plan()
    writer.others(done)
    writer.void(done)
    return writer.graphs, layout


def network_header(provenance: str) -> bytes:
    """The network file's first line: its format, and the hash of the build's provenance graph, which names every input
    of the build: a reader checks it against the build's manifest (graphs.json)."""
    return json.dumps({"format": NETWORK_FORMAT, "provenance": provenance}).encode("utf-8") + b"\n"


def _network_item(part: Part | Summary, previous: Previous | None) -> _Item:
    """A part's lines in the network file (which holds them in order of the parts' keys): the previous build's, if it
    had the part as it is."""
    if previous is not None and previous.has(summary_of(part)) and part.key in previous.layout.network:
        return _Item(previous.layout.network[part.key])
    if isinstance(part, Part):
        return _Item(None, (part.network,))
    raise ValueError(f"{part.key}: a part neither in the previous build nor rendered")


def _graph_items(name: str, part: Part | Summary, previous: Previous | None) -> dict[str, _Item]:
    """A graph's item in each export of the dataset: the previous build's, if it had the graph with the same hash."""
    digest = part.graphs[name].digest
    if previous is not None and name in previous.layout.graphs and previous.manifest.graphs[name].digest == digest:
        place = previous.layout.graphs[name]
        return {"nq": _Item(place.nq), "trig": _Item(place.trig), "jsonld": _Item(place.jsonld)}
    if not isinstance(part, Part):
        raise ValueError(f"{name}: a graph neither in the previous build nor rendered")
    blocks = part.graphs[name]
    nodes = memoryview(blocks.text["jsonld"])
    opening = f'  {{"@id": {json.dumps(curie(name), ensure_ascii=False)}, "@graph": [\n'.encode("utf-8")
    return {"nq": _Item(None, (blocks.text["nq"],)),
            "trig": _Item(None, (blocks.opening.encode("utf-8"), blocks.text["trig"], b"}\n")),
            "jsonld": _Item(None, (opening, nodes[:-2], b"\n  ]}"))}  # the last node without its ",\n"


def _union(parts: list[Part | Summary], previous: Previous | None) -> list[_Segment]:
    """The segments of the union exports in order: the previous build's runs of the parts it had as they are, and the
    subjects of the other parts merged in between (a run split where another part's subject falls inside it)."""
    fresh: list[Part] = []
    kept_parts: set[str] = set()
    for part in parts:
        if isinstance(part, Part) and not (previous and previous.has(part.summary)):
            fresh.append(part)
        elif previous and previous.has(summary_of(part)):
            kept_parts.add(part.key)
        else:
            raise ValueError(f"{part.key}: a part neither in the previous build nor rendered")
    kept = [run for run in previous.layout.runs if run.part in kept_parts] if previous else []
    subjects = sorted((key, number, index) for number, part in enumerate(fresh) for index, key in enumerate(part.union.keys))
    sequence: list[Run | list[int]] = []  # a run of the previous build, or [fresh part, first block, block after the last]
    at = 0
    for position, (key, number, index) in enumerate(subjects):
        if position and subjects[position - 1][0] == key:
            raise ValueError(f"{key}: a subject in two parts of the dataset")
        while at < len(kept) and kept[at].first < key:
            if kept[at].last >= key:  # another part's subject inside this run: split it there
                assert previous is not None
                kept[at:at + 1] = _split(kept[at], key, previous)
            sequence.append(kept[at])
            at += 1
        if at < len(kept) and kept[at].first == key:
            raise ValueError(f"{key}: a subject in two parts of the dataset")
        last = sequence[-1] if sequence else None
        if isinstance(last, list) and last[0] == number and last[2] == index:
            last[2] += 1
        else:
            sequence.append([number, index, index + 1])
    sequence.extend(kept[at:])
    offsets: dict[tuple[int, str], list[int]] = {}

    def rendered(number: int, first: int, end: int) -> _Segment:
        part = fresh[number]
        items = {}
        for name in ("nt", "ttl"):
            starts = offsets.get((number, name)) or offsets.setdefault((number, name), part.union.offsets(name))
            items[name] = _Item(None, (memoryview(part.union.text[name])[starts[first]:starts[end]],))
        return _Segment(part.key, part.union.keys[first], part.union.keys[end - 1], items)

    return [_Segment(entry.part, entry.first, entry.last, {"nt": _Item(entry.nt), "ttl": _Item(entry.ttl)})
            if isinstance(entry, Run) else rendered(*entry) for entry in sequence]


def _split(run: Run, key: str, previous: Previous) -> list[Run]:
    """A run of the previous build in two: its subjects before key, and those after (read from its exports)."""
    with (previous.folder / f"{STEM}.nt").open("rb") as nt, (previous.folder / f"{STEM}.ttl").open("rb") as ttl:
        lines = _read(nt, run.nt).decode("utf-8").splitlines(keepends=True)
        keys, counts = subjects(lines)
        turtle = split_blocks(_read(ttl, run.ttl).decode("utf-8"), "", keys, "Turtle")
    at = bisect.bisect_left(keys, key)
    if at == len(keys) or keys[at] == key or at == 0:
        raise ValueError(f"{key}: a subject in two parts of the dataset")
    nt_length = len("".join(lines[:sum(counts[:at])]).encode("utf-8"))
    ttl_length = sum(len(block) for block in turtle[:at])
    return [Run(run.part, run.first, keys[at - 1], (run.nt[0], nt_length), (run.ttl[0], ttl_length)),
            Run(run.part, keys[at], run.last, (run.nt[0] + nt_length, run.nt[1] - nt_length), (run.ttl[0] + ttl_length, run.ttl[1] - ttl_length))]


def _read(file: BinaryIO, place: Place) -> bytes:
    file.seek(place[0])
    data = file.read(place[1])
    if len(data) != place[1]:
        raise ValueError(f"{file.name}: shorter than its layout says")
    return data


def _runs(segments: list[_Segment], places: dict[str, list[Place]]) -> list[Run]:
    """The runs of the union exports: the segments, those of one part next to each other joined."""
    runs: list[Run] = []
    for segment, nt, ttl in zip(segments, places["nt"], places["ttl"]):
        if runs and runs[-1].part == segment.part:
            run = runs[-1]
            runs[-1] = Run(run.part, run.first, segment.last, (run.nt[0], nt[0] + nt[1] - run.nt[0]), (run.ttl[0], ttl[0] + ttl[1] - run.ttl[0]))
        else:
            runs.append(Run(segment.part, segment.first, segment.last, nt, ttl))
    return runs


def _prefix_lines(format: ox.RdfFormat) -> bytes:
    """The prefix lines Oxigraph's writer starts a TriG or Turtle document with."""
    quad = ox.Quad(ox.NamedNode(ID + "x"), ox.NamedNode(RDF + "type"), ox.NamedNode(ID + "x"), ox.NamedNode(GRAPH + "x"))
    data = ox.serialize([quad] if format == ox.RdfFormat.TRIG else [quad.triple], format=format, prefixes=PREFIXES)
    assert isinstance(data, bytes)
    return b"".join(line for line in data.splitlines(keepends=True) if line.startswith(b"@prefix "))


def void(per_graph: dict[str, int], union: tuple[int, int, int], properties: list[str], classes: list[str], sizes: dict[Export, int]) -> bytes:
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
    add(dataset, VOID + "triples", count(union[0]))
    add(dataset, VOID + "distinctSubjects", count(union[1]))
    add(dataset, VOID + "properties", count(len(properties)))
    add(dataset, VOID + "classes", count(len(classes)))
    add(dataset, VOID + "entities", count(union[2]))
    for namespace in (SG, PROV, OA, TIME, SKOS, RDFS):
        add(dataset, VOID + "vocabulary", ox.NamedNode(namespace))
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
    described = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)  # grouped by subject
    assert isinstance(described, bytes)  # when no output file is given
    # one subset per named graph (tens of thousands of them), written as Turtle text rather than made into objects
    # and serialised: graph names are IRIs the builder minted, in order; void: is one of PREFIXES
    subsets = [f"<{BASE}dataset/{name[len(GRAPH):]}>" for name in per_graph]
    text = [f"<{dataset.value}> void:subset\n\t", " ,\n\t".join(subsets), " .\n"]
    for subset, (name, size) in zip(subsets, per_graph.items()):
        text.append(f"{subset} a void:Dataset ;\n\t<{SD}name> <{name}> ;\n\tvoid:triples {size} .\n")
    return described + "".join(text).encode("utf-8") if per_graph else described
