"""Reading the files of a sources folder: regular files inside the folder, no larger than a cap.

A source names its text by a path, and a folder may hold links; neither may bring in a file from
elsewhere (`/proc/self/environ`, `../../etc/passwd`), a device (`/dev/zero`) or a FIFO."""

from __future__ import annotations

import functools
import os
import stat
from pathlib import Path

from sanctiongraph.errors import SourceError, shown

SIZE_LIMIT = 16 * 1024 * 1024  # bytes, for an annotation file, the registry or a source text
SIZE_LIMIT_SHOWN = "16 MiB"


def read_input(path: str | Path, folder: Path, where: str, named_as: str | None = None) -> bytes:
    """The bytes of path, a regular file (links resolved) inside folder of at most SIZE_LIMIT bytes.

    Errors are located at where; named_as is how the annotator wrote the path, when it was written."""
    what = f"the file {shown(named_as)}" if named_as is not None else "the file"
    try:
        real = _resolved(path)
        if not real.startswith(_real_folder(folder)):
            raise SourceError(where, f"{what} is outside the sources folder ({real}); only files inside it are read")
        if not stat.S_ISREG(os.stat(real).st_mode):
            raise SourceError(where, f"{what} is not a regular file; a device, a FIFO or a folder is not read")
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it does not wait
        handle = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                raise SourceError(where, f"{what} is not a regular file; a device, a FIFO or a folder is not read")
            # read what the file holds (one more byte, should it have grown), not a buffer of the limit's size
            data = stream.read(min(os.fstat(stream.fileno()).st_size, SIZE_LIMIT) + 1)
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise SourceError(where, f"cannot read {what}: {reason}") from None
    if len(data) > SIZE_LIMIT:
        raise SourceError(where, f"{what} is larger than {SIZE_LIMIT_SHOWN}, the limit for a file of the sources")
    return data


def _resolved(path: str | Path) -> str:
    """The path with its links resolved: its folder's resolution (once per build: forget_links) and its name, unless
    the name is itself a link (10,000 sources: 0.8 s -> 0.2 s for their files)."""
    parent, name = os.path.split(path)
    if name in ("", ".", "..") or stat.S_ISLNK(os.lstat(path).st_mode):
        return os.path.realpath(path, strict=True)
    return os.path.join(_real_parent(parent), name)


@functools.lru_cache(maxsize=256)
def _real_parent(parent: str) -> str:
    return os.path.realpath(parent, strict=True)


def forget_links() -> None:
    """Resolve the folders anew, at the start of each build: their links may have changed since the last (--watch)."""
    _real_parent.cache_clear()
    _real_folder.cache_clear()


@functools.lru_cache(maxsize=16)
def _real_folder(folder: Path) -> str:
    """The folder with its links resolved and a separator after it, once per folder and process (a build reads
    thousands of files in it)."""
    return os.path.join(os.path.realpath(folder, strict=True), "")
