"""The cache of a graph folder: each source's contribution (sanctiongraph.builder.contribution), kept between builds.

    graph/cache/
      inputs.json     the digests of the inputs every source depends on, as of the last build
      <key>.source    one contribution: a line of JSON (format, key, CRC-32 of the rest), its record as JSON, its part
                      (its quads rendered for every export: sanctiongraph.builder.parts)

An entry is found by its key: the digest of the annotation file (name and bytes) and of everything every source
depends on: the ontology, the vocabularies, the registry, the builder's code and whether drafts are allowed. It is
used only if its text file is unchanged, every statement of another source it refers to is still the same, and it
reads back whole: a corrupt entry, one of another format or builder, or one half-written by a killed build is
rebuilt, never trusted. Entries are written atomically once the build is published, which removes those it did not use."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping
from pathlib import Path

from sanctiongraph import __version__
from sanctiongraph.builder.contribution import Contribution
from sanctiongraph.builder.inputs import read_input
from sanctiongraph.errors import SourceError
from sanctiongraph.files import write_atomically

FORMAT = 2
INPUTS = "inputs.json"
SUFFIX = ".source"
_BUILDER = Path(__file__).resolve().parent  # the builder's modules: a change to any of them makes a new key


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SourceCache:
    """The entries of one cache folder, for the shared inputs of one build (a name for each, and its path)."""

    def __init__(self, folder: Path, sources_folder: Path, inputs: Mapping[str, Path], allow_drafts: bool) -> None:
        self.folder = folder
        self.sources_folder = sources_folder
        self.inputs = {name: _digest(path.read_bytes()) for name, path in inputs.items()}
        code = {path.name: _digest(path.read_bytes()) for path in sorted(_BUILDER.glob("*.py"))}
        self.key = _digest(json.dumps([FORMAT, __version__, code, self.inputs, allow_drafts], sort_keys=True).encode())
        self.used: set[str] = set()
        self.pending: dict[str, Contribution] = {}

    def changed_inputs(self) -> list[str]:
        """The shared inputs that changed since the last build that wrote this cache (every source is rebuilt)."""
        try:
            before = json.loads((self.folder / INPUTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(before, dict):
            return []
        return sorted(name for name in {*before, *self.inputs} if before.get(name) != self.inputs.get(name))

    def name(self, path: Path) -> str | None:
        """The entry name of the annotation file at path, or None when it cannot be read (its build reports why)."""
        shown_as = path.relative_to(self.sources_folder).as_posix()
        try:
            annotation = read_input(path, self.sources_folder, shown_as)
        except SourceError:
            return None
        return _digest(self.key.encode() + b"\0" + shown_as.encode() + b"\0" + annotation) + SUFFIX

    def get(self, path: Path) -> Contribution | None:
        """The cached contribution of the annotation file at path, if there is a whole one and its text is unchanged."""
        name = self.name(path)
        if name is None:
            return None
        self.used.add(name)
        try:
            data = (self.folder / name).read_bytes()
            header = data.index(b"\n")
            entry = json.loads(data[:header])
            if entry.get("format") != FORMAT or entry.get("key") != name or entry.get("check") != zlib.crc32(memoryview(data)[header + 1:]):
                return None
            contribution = Contribution.load(data, header + 1)
            text = read_input(path.parent / contribution.text_file, self.sources_folder, contribution.shown_as)
        except (OSError, ValueError, KeyError, TypeError, SourceError):
            return None
        if "sha256:" + _digest(text) != contribution.text_digest:
            return None
        return contribution

    def put(self, path: Path, contribution: Contribution) -> None:
        """Keep contribution for the annotation file at path; it is written by commit()."""
        name = self.name(path)
        if name is not None:
            self.used.add(name)
            self.pending[name] = contribution

    def commit(self) -> None:
        """Once the build is published: write the new entries, remove every entry the build did not use (removed or
        changed sources, leftovers of killed builds), and record the shared inputs. A build that fails leaves the cache
        as it was."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, contribution in self.pending.items():
            self._write(name, contribution)
        self.pending.clear()
        for path in self.folder.iterdir():
            if path.name != INPUTS and path.name not in self.used:
                path.unlink(missing_ok=True)
        write_atomically(self.folder / INPUTS, json.dumps(self.inputs, indent=1, sort_keys=True).encode())

    def _write(self, name: str, contribution: Contribution) -> None:
        rest = contribution.dump()
        header = json.dumps({"format": FORMAT, "key": name, "check": zlib.crc32(rest)}).encode()
        write_atomically(self.folder / name, header + b"\n" + rest)

