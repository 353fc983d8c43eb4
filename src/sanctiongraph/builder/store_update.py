"""The store of a new build: the previous build's store carried over and updated graph by graph, or loaded whole.

The previous store is copied into the new build's folder while the sources are read, as RocksDB's checkpoints are
(copied()): its table files are hard links to the previous store's, which RocksDB never writes again once made (it
writes new tables and drops its own links), and the rest is copied; so the new build never changes a file that the
current build's readers use; a store written since its build (by a server that accepts updates) is not copied. The copy
then loses the graphs the new build no longer has and, for each graph whose hash
changed, the lines that went and gains the lines that came, the previous lines read from the previous N-Quads export
(where its manifest says) and checked against its hash. A copy that cannot be made, a previous export that does not
match its manifest, or a graph updated whose number of quads is not the new build's is thrown away, never trusted:
the store is then loaded from the new N-Quads export, a slice at a time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import BinaryIO, Iterable

import pyoxigraph as ox

from sanctiongraph.builder.exports import STEM
from sanctiongraph.builder.manifest import MANIFEST_FILE, Graph, Manifest
from sanctiongraph.builder.parts import graph_digest
from sanctiongraph.query.store import STORE_LINK

NQUADS = f"{STEM}.nq"
# Bytes of N-Quads per bulk_load call (about 70,000 quads): Oxigraph's bulk loader holds about 0.9 KB per quad it is
# given at once (10,000 sources, 1.47M quads: +1.37 GB in one call; BENCHMARKS.md, "What changed in the builder").
LOAD_CHUNK = 16 * 1024 * 1024


class _Untrusted(Exception):
    """The previous build cannot be carried over."""


def new_store(build: Path, manifest: Manifest, previous: Path | None, before: Manifest | None, copy: ox.Store | None) -> tuple[ox.Store, bool]:
    """The store of build, in build/store; and whether it was carried over from the previous build folder: copy is the
    copy of its store made there (copied()), if it could be, and is updated; the store is loaded otherwise."""
    target = build / STORE_LINK
    if copy is not None and previous is not None and before is not None:
        try:
            _update(copy, previous, before, build / NQUADS, manifest.graphs)
            return copy, True
        except (_Untrusted, OSError, SyntaxError, ValueError):
            pass
    del copy  # closed before its files are removed
    shutil.rmtree(target, ignore_errors=True)
    return loaded(target, build / NQUADS), False


def copied(previous: Path, build: Path) -> ox.Store | None:
    """The store of the previous build folder copied into build/store and opened to be updated; None if it cannot be
    carried over (written since its build, or unreadable). Made while the sources are read: opening it takes a
    hundredth of a second alone, and a tenth or more beside the exports' copies.

    The copy is made as RocksDB's checkpoints are, of a store no process writes (a build's store is written only by its
    build, and a store written since is not copied): its table files hard-linked (RocksDB never writes one again once
    made, and drops its own links), the rest copied, the write-ahead log included, which opening the copy replays and
    writes into a table there. So a build need not write its store's log into a table before it is published (a RocksDB
    flush, which waits for the disk: up to 0.4 s while the exports are copied); pyoxigraph's Store.backup of a store
    opened read-only would leave the log out."""
    if written_since(previous):
        return None
    target = build / STORE_LINK
    try:
        target.mkdir()
        for entry in os.scandir(previous / STORE_LINK):
            if entry.name != "LOCK" and not entry.name.startswith("LOG"):  # RocksDB's lock file and its logs of events
                (os.link if entry.name.endswith(".sst") else shutil.copyfile)(entry.path, target / entry.name)
        return ox.Store(str(target))
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return None


def loaded(target: Path, nquads: Path) -> ox.Store:
    """A new store in the folder target, holding the quads of an N-Quads file, loaded a slice at a time."""
    with nquads.open("rb") as export:
        return filled(target, iter(lambda: export.read(LOAD_CHUNK) + export.readline(), b""))


def filled(target: Path, slices: Iterable[bytes]) -> ox.Store:
    """A new store in the folder target, holding the quads of slices of N-Quads (whole lines), each bulk-loaded."""
    store = ox.Store(str(target))
    for data in slices:
        store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


def written_since(build: Path) -> bool:
    """Whether the store of a build folder was written after the build (by a server that accepts updates?); a store
    that cannot be listed counts as written."""
    try:
        built = (build / MANIFEST_FILE).stat().st_mtime_ns  # written once the store was closed
        # a read-only open writes nothing; a read-write one new files
        return any(not path.name.startswith("LOG") and path.stat().st_mtime_ns > built for path in (build / STORE_LINK).iterdir())
    except OSError:
        return True


def _update(store: ox.Store, previous: Path, before: Manifest, nquads: Path, graphs: dict[str, Graph]) -> None:
    """Make the copy of the previous build's store hold the build's graphs (their lines in the N-Quads export nquads)."""
    with (previous / NQUADS).open("rb") as old, nquads.open("rb") as new:
        for name in sorted(set(before.graphs) - set(graphs)):
            store.remove_graph(ox.NamedNode(name))
        changed = []
        for name, graph in graphs.items():
            was = before.graphs.get(name)
            if was is not None and was.digest == graph.digest:
                continue
            gone = set(_lines(old, name, was)) if was is not None else set()
            came = set(_lines(new, name, graph))
            for quad in ox.parse(b"".join(sorted(gone - came)), format=ox.RdfFormat.N_QUADS):
                store.remove(quad)
            store.extend(ox.parse(b"".join(sorted(came - gone)), format=ox.RdfFormat.N_QUADS))
            changed.append(name)
    # Each graph written is counted; the others are the previous store's, which held them and was not written since.
    # (Counting the whole store would read every quad: 0.2 s and more at 10,000 sources.)
    for name in changed:
        if sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(name))) != graphs[name].triples:
            raise _Untrusted(f"{name}: the updated store does not hold the build's quads of this graph")


def _lines(export: BinaryIO, name: str, graph: Graph) -> list[bytes]:
    export.seek(graph.offset)
    data = export.read(graph.length)
    if graph_digest(data, name)[0] != graph.digest:
        raise _Untrusted(f"{name}: the N-Quads export does not hold the graph its manifest describes")
    return data.splitlines(keepends=True)
