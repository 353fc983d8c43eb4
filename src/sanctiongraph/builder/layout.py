"""Where each part of a build is in its exports, so that the next build copies what did not change.

`layout.json` in each build folder, beside the exports: for each named graph, the part it belongs to and its place
(offset and length in bytes) in the N-Quads, TriG and JSON-LD exports, which hold the graphs in order of their names;
for the union exports (N-Triples, Turtle), sorted by subject, the runs of subjects of one part with their first and
last subjects and their places; the place of each part's lines in the network file (sanctiongraph.builder.network);
and each export's size.

The next build trusts a previous build's exports only if that build has a whole manifest and layout of this format,
made from the same shared inputs (ontology, registry, vocabularies, checks, builder), and if each export has the size
the layout says and was last written before the manifest (written once the build was done): an export written since
(damaged, truncated, replaced) makes the next build read every part's texts from the cache instead. Bytes changed on disk without a write
(a failing disk) are not detected: checking them would mean reading them all, which is what this layout avoids."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import orjson

from sanctiongraph.builder.manifest import MANIFEST_FILE, Manifest
from sanctiongraph.builder.parts import Summary
from sanctiongraph.files import write_atomically

LAYOUT_FILE = "layout.json"
FORMAT = 2
Place = tuple[int, int]  # offset and length in bytes


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class Run:
    """Consecutive subjects of one part in the union exports: the first and the last (in N-Triples form), and their
    place in the N-Triples and in the Turtle export."""

    part: str
    first: str
    last: str
    nt: Place
    ttl: Place


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class GraphPlace:
    """A named graph's part and its place in the N-Quads, TriG and JSON-LD exports (in JSON-LD, its object in the
    top-level @graph, without the comma that separates it from the next)."""

    part: str
    nq: Place
    trig: Place
    jsonld: Place


@dataclass
class Layout:
    sizes: dict[str, int]  # of each export, by file name
    graphs: dict[str, GraphPlace]
    runs: list[Run]
    network: dict[str, Place]  # each part's lines in the network file, by the part's key

    def write(self, build: Path) -> None:
        data = {"format": FORMAT, "sizes": self.sizes,
                "graphs": {name: [place.part, *place.nq, *place.trig, *place.jsonld] for name, place in sorted(self.graphs.items())},
                "runs": [[run.part, run.first, run.last, *run.nt, *run.ttl] for run in self.runs],
                "network": {key: list(place) for key, place in sorted(self.network.items())}}
        write_atomically(build / LAYOUT_FILE, orjson.dumps(data))  # orjson: 20,000 graphs in 1/8 of json's time

    @classmethod
    def read(cls, build: Path) -> Layout | None:
        """The layout of the build folder, or None if it has none whole of this format."""
        try:
            data = orjson.loads((build / LAYOUT_FILE).read_bytes())
            if data["format"] != FORMAT:
                return None
            graphs = {name: GraphPlace(part, (a, b), (c, d), (e, f)) for name, (part, a, b, c, d, e, f) in data["graphs"].items()}
            runs = [Run(part, first, last, (a, b), (c, d)) for part, first, last, a, b, c, d in data["runs"]]
            network = {key: (offset, length) for key, (offset, length) in data["network"].items()}
            return cls({str(name): int(size) for name, size in data["sizes"].items()}, graphs, runs, network)
        except (OSError, ValueError, KeyError, TypeError):
            return None


@dataclass
class Previous:
    """The exports of the previous build, trusted to copy from: its folder, manifest and layout."""

    folder: Path
    manifest: Manifest
    layout: Layout

    @classmethod
    def of(cls, build: Path | None, shared: str) -> Previous | None:
        """The previous build folder's exports if they can be trusted for a build of the given shared digest."""
        if build is None:
            return None
        manifest, layout = Manifest.read(build), Layout.read(build)
        if manifest is None or layout is None or manifest.shared != shared or set(manifest.graphs) != set(layout.graphs):
            return None
        try:
            done = (build / MANIFEST_FILE).stat().st_mtime_ns
            for name, size in layout.sizes.items():
                status = (build / name).stat()
                if status.st_size != size or status.st_mtime_ns >= done:
                    return None
        except OSError:
            return None
        return cls(build, manifest, layout)

    def __post_init__(self) -> None:
        self._graphs_of = Counter(place.part for place in self.layout.graphs.values())
        self._answers: dict[str, tuple[Summary, bool]] = {}  # by part key: a summary asked about, and the answer

    def has(self, part: Summary) -> bool:
        """Whether the previous build had this part as it is: the same graphs, with the same hashes (asked of each
        part several times in a build: answered once per summary)."""
        answered = self._answers.get(part.key)
        if answered is not None and answered[0] is part:
            return answered[1]
        key, places, graphs = part.key, self.layout.graphs, self.manifest.graphs
        found = self._graphs_of[key] == len(part.graphs) and all(
            name in places and places[name].part == key and graphs[name].digest == graph.digest for name, graph in part.graphs.items())
        self._answers[key] = (part, found)
        return found
