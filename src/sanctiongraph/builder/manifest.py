"""The manifest of a build, `graphs.json` in its folder beside the exports: each named graph's content hash, number of
triples, size as N-Triples and place in the N-Quads export; and the digest of what every graph depends on.

The next build reads it to update a copy of this build's store graph by graph, and to scope the checks to the graphs
that changed (sanctiongraph.builder.store_update); `sanctiongraph publish` reads the hashes instead of hashing every
graph again (sanctiongraph.query.publish)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import orjson

from sanctiongraph.files import write_atomically

MANIFEST_FILE = "graphs.json"
FORMAT = 1


@dataclass(slots=True)  # not frozen: made tens of thousands of times a build, four times faster
class Graph:
    """A named graph of a build: its content hash (that of its N-Triples lines, sorted, joined by newlines), its number
    of triples, the size of its N-Triples, and where its lines are in the N-Quads export (offset and length in bytes)."""

    digest: str
    triples: int
    size: int
    offset: int
    length: int


@dataclass(frozen=True)
class Manifest:
    shared: str  # the digest of the inputs every graph depends on: ontology, checks, registry, vocabularies, builder
    graphs: dict[str, Graph]

    def encoded(self) -> bytes:
        """The manifest as its file holds it."""
        graphs = {name: [graph.digest, graph.triples, graph.size, graph.offset, graph.length] for name, graph in sorted(self.graphs.items())}
        data = {"format": FORMAT, "fields": [item.name for item in fields(Graph)], "shared": self.shared, "graphs": graphs}
        return orjson.dumps(data).replace(b'],"', b'],\n"')

    def write(self, build: Path, encoded: bytes | None = None) -> None:
        """Write the manifest (encoded already, or now) into the build folder."""
        write_atomically(build / MANIFEST_FILE, encoded if encoded is not None else self.encoded())

    @classmethod
    def read(cls, build: Path) -> Manifest | None:
        """The manifest of the build folder, or None if it has none whole of this format."""
        try:
            data = orjson.loads((build / MANIFEST_FILE).read_bytes())
            if data["format"] != FORMAT:
                return None
            return cls(data["shared"], {name: Graph(*graph) for name, graph in data["graphs"].items()})
        except (OSError, ValueError, KeyError, TypeError):
            return None


def graph_hash(build: Path, name: str) -> str | None:
    """One graph's hash in the build's manifest, found in its bytes (write() makes each entry `"NAME":["HASH",...`)
    rather than parsed from all of them: for a reader that checks a file against its build. None if it has none."""
    try:
        data = (build / MANIFEST_FILE).read_bytes()
    except OSError:
        return None
    entry = orjson.dumps(name) + b':["'
    at = data.find(entry)
    if not data.startswith(b'{"format":%d,' % FORMAT) or at < 0:
        return None
    start = at + len(entry)
    return data[start:data.find(b'"', start)].decode("utf-8")
