"""The embedded query engine: an Oxigraph store on disk next to the exports, replaced atomically on rebuild.

`graph/store` is a symbolic link to a folder `graph/.store-<id>`; a build loads a new
folder, checks it, and only then swaps the link in one rename, so a reader sees the old
store or the new one, never half of either."""

from __future__ import annotations

import functools
import os
import shutil
import uuid
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.errors import SanctionGraphError

STORE_LINK = "store"
# Quads per bulk_extend call: Oxigraph's bulk loader holds about 0.9 KB per quad it is given at once (1.47M quads:
# +1.37 GB in one call, +0.18 GB in calls of 200,000, in about the same time; BENCHMARKS.md, "What changed in the builder").
LOAD_CHUNK = 200_000


def load_new_store(quads: list[ox.Quad], folder: Path) -> tuple[ox.Store, Path]:
    """A new on-disk store in folder holding quads, not yet the one folder/store points to."""
    target = folder / f".store-{uuid.uuid4().hex[:16]}"
    store = ox.Store(str(target))
    for start in range(0, len(quads), LOAD_CHUNK):
        store.bulk_extend(quads[start:start + LOAD_CHUNK])
    return store, target


def publish_store(store: ox.Store, target: Path) -> Path:
    """Make target the store of its folder, and remove the store it replaces."""
    store.flush()
    folder = target.parent
    link = folder / STORE_LINK
    temporary = folder / f".{STORE_LINK}-link-{target.name}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target.name)
    previous = os.readlink(link) if link.is_symlink() else None
    os.replace(temporary, link)
    if previous and previous != target.name:
        shutil.rmtree(folder / previous, ignore_errors=True)
    return link


def open_store(folder: Path, *, writable: bool = False) -> ox.Store:
    """The built store of folder, opened read-only (once per built store and process); read-write only for a
    server that accepts updates."""
    link = os.path.join(folder, STORE_LINK)
    try:  # one system call per query: a rebuild swaps the link, and the next query sees the new store
        target = os.path.join(folder, os.readlink(link))
    except FileNotFoundError:
        raise SanctionGraphError(f"{link}: no built store here; run `sanctiongraph build` first") from None
    except OSError:  # not a link: a store copied or restored as a plain folder
        target = link
    if writable:
        try:
            return ox.Store(target)
        except OSError as error:
            raise SanctionGraphError(f"{link}: cannot open the store for writing: {error}") from None
    return _open(os.path.abspath(target))


@functools.lru_cache(maxsize=8)
def _open(path: str) -> ox.Store:
    try:
        return ox.Store.read_only(path)
    except OSError as error:
        raise SanctionGraphError(f"{path}: cannot open the store: {error}") from None
