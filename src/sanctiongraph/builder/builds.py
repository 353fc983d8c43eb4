"""The builds of a graph folder: each build whole in a folder of its own, and one link that names the current one.

    graph/
      builds/<id>/             one build: the exports, void.ttl and the Oxigraph store (`store/`)
      current -> builds/<id>   the one link a build swaps: a new link renamed over it, one atomic step
      sanctiongraph.trig -> current/sanctiongraph.trig, ..., void.ttl, store   links made once, through `current`
      .lock                    held (flock) by the build writing here
      builds/<id>/.readers     held shared (flock) by each server reading that build: the sweep leaves it until released
      cache/                   each source's contribution, reused by the next build (sanctiongraph.builder.cache)

A build writes its folder in full, then swaps `current`; a reader that resolves `current` once reads one
whole build, the previous or the new one. A kill at any point leaves `current` on a whole build, and the
next build sweeps what the killed one left."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path

from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.query.store import STORE_LINK

BUILDS = "builds"
CURRENT = "current"
CACHE = "cache"
LOCK = ".lock"
READERS = ".readers"  # in each build folder: held shared (flock) by servers reading the build; the sweep skips it then
_NEW_LINK = ".link-"  # a link being made, before it is renamed over its name
# What earlier layouts and killed builds leave beside the links: new links, staging folders, stores.
_LEFTOVERS = (f"{_NEW_LINK}*", ".staging-*", ".store-*")


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[bool]:
    """Hold the build lock of folder (created if missing) while the block runs; yields whether folder was created.

    A second build of the same folder is refused at once rather than queued: it would rebuild what the first
    one is about to publish."""
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SanctionGraphError(f"{folder}: another build is writing to this folder; build again once it has finished") from None
        yield created
    finally:
        os.close(descriptor)


def new_build(folder: Path) -> Path:
    """A new build folder in folder/builds, named by its UTC start time and a random suffix, holding only its readers file."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    build = folder / BUILDS / f"{stamp}-{uuid.uuid4().hex[:8]}"
    build.mkdir(parents=True)
    (build / READERS).touch()
    return build


def publish(build: Path, names: Iterable[str]) -> list[Path]:
    """Make build the current build of its graph folder; return the paths by which its files are read.

    The links folder/NAME -> current/NAME are made first (once: later builds find them in place), then
    `current` is swapped, so the files change from one whole build to the other in that one rename."""
    folder = build.parent.parent
    links = [folder / name for name in names]
    for link in links:
        if link.is_dir() and not link.is_symlink():
            raise SanctionGraphError(f"{link}: a folder where the build puts a link to {CURRENT}/{link.name}; move it away and build again")
    for link in links:
        if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{link.name}"):
            _swap_link(link, f"{CURRENT}/{link.name}")
    _swap_link(folder / CURRENT, f"{BUILDS}/{build.name}")
    return links


def _swap_link(link: Path, target: str) -> None:
    new = link.parent / f"{_NEW_LINK}{uuid.uuid4().hex[:16]}"
    new.symlink_to(target)
    os.replace(new, link)


def sweep(folder: Path, detached: bool = False) -> None:
    """Remove what replaced and killed builds left in folder: every build but the current one, new links never
    renamed, and the staging folders and stores of the earlier layout. What `current` or `store` point to stays,
    and so does a build a reader holds (`hold`). With detached, the builds are removed by processes of their own
    (remove_detached)."""
    in_use = {(folder / name).resolve() for name in (CURRENT, STORE_LINK)}
    builds = folder / BUILDS
    leftovers = [*(builds.iterdir() if builds.is_dir() else ()), *(p for pattern in _LEFTOVERS for p in folder.glob(pattern))]
    for path in leftovers:
        if path.is_symlink() or not path.is_dir():
            path.unlink(missing_ok=True)
        elif path.resolve() in in_use:
            continue
        elif detached and path.parent == builds:
            remove_detached(path)
        else:
            remove(path)


def remove(build: Path) -> None:
    """Remove a build folder that is not current, unless a reader holds it (hold): the next sweep removes it then."""
    descriptor = _lock_readers(build, fcntl.LOCK_EX | fcntl.LOCK_NB)
    if descriptor is not None:
        try:
            shutil.rmtree(build, ignore_errors=True)
        finally:
            os.close(descriptor)


def remove_detached(build: Path) -> int:
    """remove(build) in a process of its own that outlives this one, as git detaches its housekeeping: a command
    that has replaced the build need not wait for the disk to free it (1 GB at 10,000 sources: 0.1 to 0.2 s). What
    that process cannot remove, the next build's sweep does. Returns its process id."""
    devnull = [(os.POSIX_SPAWN_OPEN, number, os.devnull, os.O_RDWR, 0) for number in (0, 1, 2)]
    return os.posix_spawn(sys.executable, [sys.executable, "-c", _REMOVE, str(build)], os.environ, file_actions=devnull, setsid=True)


_REMOVE = "import pathlib, sys; from sanctiongraph.builder.builds import remove; remove(pathlib.Path(sys.argv[1]))"


def hold(build: Path) -> int | None:
    """A shared lock on build's readers file, for a reader (a server) that reads the build for long: the sweep leaves
    a build alone while anyone holds it. The lock lasts until the returned descriptor is closed; None if the build has
    been removed meanwhile (resolve `current` again)."""
    descriptor = _lock_readers(build, fcntl.LOCK_SH)  # waits only while a sweep is removing the build
    if descriptor is not None and not (build / READERS).exists():
        os.close(descriptor)
        return None
    return descriptor


def _lock_readers(build: Path, operation: int) -> int | None:
    """The descriptor of build's readers file, locked; None if the build is gone or (LOCK_NB) the lock is held."""
    try:
        descriptor = os.open(build / READERS, os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, operation)
    except BlockingIOError:
        os.close(descriptor)
        return None
    return descriptor
