"""The content digests of the sources' files, remembered by each file's status, as git's index does, so that a build
need not read again every file that did not change to know that it did not.

A digest is remembered with the file's device, inode, size, modification and change times (lstat), and is taken
again from the bytes whenever any of them differs, the file is a link, or it was changed less than a second before the
build that read it began: a file written within one tick of the clock after it was read could keep the same times
(git calls such an entry racily clean). The change time cannot be set back by a user, so an edit always shows. The
digests are kept in `digests.json` in the cache folder, and a file that does not read whole is not used."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

import orjson

from sanctiongraph.builder.inputs import read_input
from sanctiongraph.files import write_atomically

DIGESTS = "digests.json"
FORMAT = 1
_RACY = 1_000_000_000  # nanoseconds: a file changed this shortly before a build began is read again by the next


def _status(path: str | Path) -> os.stat_result | None:
    """The file's status (lstat); None if it has none or is a link, whose digest is never kept."""
    try:
        status = os.lstat(path)
    except OSError:
        return None
    return None if stat.S_ISLNK(status.st_mode) else status


def _signature(status: os.stat_result) -> list[int | str]:
    """What a digest is remembered with: the file's device, inode, size, modification and change times."""
    return [status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns]


class FileDigests:
    """The digests of the files of one sources folder, as of the last build, and those taken by this one."""

    def __init__(self, folder: Path | None, sources_folder: Path) -> None:
        self.folder = folder
        self.sources_folder = sources_folder
        self.started = time.time_ns()
        self.before: dict[str, list[int | str]] = {}
        self.now: dict[str, list[int | str]] = {}
        if folder is not None:
            try:
                data = orjson.loads((folder / DIGESTS).read_bytes())
                if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
                    self.before = data["files"]
            except (OSError, ValueError):
                pass

    def digest(self, path: str | Path, where: str, named_as: str | None = None) -> str:
        """The SHA-256 digest of the file at path (sanctiongraph.builder.inputs.read_input's checks and errors when
        it is read)."""
        status = _status(path)
        key = str(path)
        if status is not None:
            known = self.before.get(key)
            if isinstance(known, list) and known[:-1] == _signature(status):
                self.now[key] = known
                return str(known[-1])
        found = "sha256:" + hashlib.sha256(read_input(path, self.sources_folder, where, named_as)).hexdigest()
        if status is not None:
            self._keep(key, status, found)
        return found

    def remember(self, path: str | Path, found: str) -> None:
        """Remember found as the digest of the file at path, which this build read on its own (a source's text, read
        where the source was loaded), as digest() would: its status taken now shows no change since before the build
        began, so the bytes read were those of this status."""
        status = _status(path)
        if status is not None:
            self._keep(str(path), status, found)

    def _keep(self, key: str, status: os.stat_result, found: str) -> None:
        """Keep found for the next build with the file's status, unless the file changed less than a second before
        this build began (racily clean)."""
        if status.st_ctime_ns < self.started - _RACY:
            self.now[key] = [*_signature(status), found]

    def commit(self) -> None:
        """Keep the digests of the files this build read or found unchanged (once the build is published)."""
        if self.folder is not None:
            write_atomically(self.folder / DIGESTS, orjson.dumps({"format": FORMAT, "files": self.now}))
