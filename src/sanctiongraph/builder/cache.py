"""The cache of a graph folder: each source's contribution (sanctiongraph.builder.contribution), kept between builds.

    graph/cache/
      inputs.json     the digests of the inputs every source depends on, as of the last build
      digests.json    the digests of the sources' files by their status (sanctiongraph.builder.digests)
      <key>.shared    the part of the shared inputs' own quads (ontology, registry, links), with an empty record
      <key>.source    one contribution: a line of JSON (format, key, length and CRC-32 of the next line, CRC-32 of the
                      rest), a line of its record and its part's summary, its part (its quads rendered for every
                      export: sanctiongraph.builder.parts)

An entry is found by its key: the digest of the annotation file (name and bytes) and of everything every source
depends on: the ontology, the vocabularies, the registry, the builder's code and whether drafts are allowed. It is
used only if its text file is unchanged, every statement of another source it refers to is still the same, and it
reads back whole: a corrupt entry, one of another format or builder, or one half-written by a killed build is
rebuilt, never trusted. When the previous build has the part as it is (sanctiongraph.builder.layout), its exports are
copied from that build's, and only the first lines are read (and checked); else the whole entry is. Entries are
written atomically once the build is published, which removes those it did not use."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder.contribution import Contribution
from sanctiongraph.builder.digests import DIGESTS, FileDigests
from sanctiongraph.builder.parts import Part, Summary, render
from sanctiongraph.errors import SourceError
from sanctiongraph.files import write_atomically

FORMAT = 3
_FIRST_READ = 1 << 14  # bytes read of an entry at first: its header, record and summary, most often
INPUTS = "inputs.json"
SUFFIX = ".source"
SHARED = ".shared"  # the entry of the shared inputs' own part, named by the key
_BUILDER = Path(__file__).resolve().parent  # the builder's modules: a change to any of them makes a new key
_NETWORK = (_BUILDER.parent / "network" / "links.py", _BUILDER.parent / "network" / "roles.toml")  # the link rule parts render


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class SourceCache:
    """The entries of one cache folder, for the shared inputs of one build (a name for each, and its path)."""

    def __init__(self, folder: Path | None, sources_folder: Path, inputs: Mapping[str, Path], allow_drafts: bool) -> None:
        """Without a folder, the keys only: nothing is found or kept."""
        self.folder = folder
        self.sources_folder = sources_folder
        self.inputs = {name: _digest(path.read_bytes()) for name, path in inputs.items()}
        code = {path.name: _digest(path.read_bytes()) for path in sorted([*_BUILDER.glob("*.py"), *_NETWORK])}
        self.key = _digest(json.dumps([FORMAT, __version__, code, self.inputs, allow_drafts], sort_keys=True).encode())
        self.used: set[str] = set()
        self.pending: dict[str, tuple[dict[str, Any], Part]] = {}  # entries to write: record and part
        self._names: dict[Path, str | None] = {}
        self.files = FileDigests(folder, sources_folder)

    def changed_inputs(self) -> list[str]:
        """The shared inputs that changed since the last build that wrote this cache (every source is rebuilt)."""
        if self.folder is None:
            return []
        try:
            before = json.loads((self.folder / INPUTS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(before, dict):
            return []
        return sorted(name for name in {*before, *self.inputs} if before.get(name) != self.inputs.get(name))

    def name(self, path: Path) -> str | None:
        """The entry name of the annotation file at path (the digest of it and of every shared input), or None when it
        cannot be read (its build reports why). Read once per build."""
        if path not in self._names:
            shown_as = path.relative_to(self.sources_folder).as_posix()
            try:
                annotation = self.files.digest(path, shown_as)
            except SourceError:
                self._names[path] = None
            else:
                self._names[path] = _digest(f"{self.key}\0{shown_as}\0{annotation}".encode()) + SUFFIX
        return self._names[path]

    def activity(self, path: Path, text_digest: str) -> str:
        """The digest that names the building of the source at path from its annotation and its text (and the shared
        inputs): the same in every build that has the same inputs for it."""
        return _digest(f"{self.name(path)}\0{text_digest}".encode())

    def get(self, path: Path, known: Callable[[Summary], bool] = lambda summary: False) -> Contribution | None:
        """The cached contribution of the annotation file at path, if there is a whole one and its text is unchanged;
        with its part's summary only if known(summary) (the previous build has the part as it is)."""
        name = self.name(path)
        found = self._read(name, known) if name is not None else None
        if found is None:
            return None
        try:
            contribution = Contribution.from_record(*found)
            text = self.files.digest(path.parent / contribution.text_file, contribution.shown_as, contribution.text_file)
        except (ValueError, KeyError, TypeError, SourceError):
            return None
        return contribution if text == contribution.text_digest else None

    def put(self, path: Path, contribution: Contribution) -> None:
        """Keep contribution for the annotation file at path; it is written by commit()."""
        name = self.name(path)
        if name is not None and self.folder is not None:
            assert isinstance(contribution.part, Part)  # built by this build
            self.used.add(name)
            self.pending[name] = (contribution.record(), contribution.part)

    def shared(self, quads: list[ox.Quad], network: Callable[[], bytes],
               known: Callable[[Summary], bool] = lambda summary: False) -> Part | Summary:
        """The part of the quads of the shared inputs alone (the ontology, the registry and its links), with its lines
        of the network: rendered once for each state of those inputs, then read from the cache (its summary only, if
        known(summary))."""
        name = self.key + SHARED
        found = self._read(name, known)
        if found is not None:
            return found[1]
        part = render(quads, network())
        if self.folder is not None:
            self.used.add(name)
            self.pending[name] = ({}, part)
        return part

    def _read(self, name: str, known: Callable[[Summary], bool]) -> tuple[dict[str, Any], Part | Summary] | None:
        """The record and part of the entry name if it reads back whole (the part's summary only if known(summary))."""
        if self.folder is None:
            return None
        self.used.add(name)
        try:
            with (self.folder / name).open("rb") as entry:
                data = entry.read(_FIRST_READ)
                header = data.index(b"\n") + 1
                fields = json.loads(data[:header])
                if fields.get("format") != FORMAT or fields.get("key") != name:
                    return None
                end = header + fields["head"][0]
                if end > len(data):
                    data += entry.read(end - len(data))
                if zlib.crc32(memoryview(data)[header:end]) != fields["head"][1]:
                    return None
                record, summary_json = json.loads(data[header:end])
                summary = Summary.from_json(summary_json)
                if known(summary):
                    return record, summary
                data += entry.read()
                if fields.get("check") != zlib.crc32(memoryview(data)[end:]):
                    return None
                return record, Part.load(data, end)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def commit(self) -> None:
        """Once the build is published: write the new entries, remove every entry the build did not use (removed or
        changed sources, leftovers of killed builds), and record the shared inputs. A build that fails leaves the cache
        as it was."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, (record, part) in self.pending.items():
            self._write(self.folder, name, record, part)
        self.pending.clear()
        for path in self.folder.iterdir():
            if path.name not in (INPUTS, DIGESTS) and path.name not in self.used:
                path.unlink(missing_ok=True)
        write_atomically(self.folder / INPUTS, json.dumps(self.inputs, indent=1, sort_keys=True).encode())
        self.files.commit()

    def _write(self, folder: Path, name: str, record: dict[str, Any], part: Part) -> None:
        head = json.dumps([record, part.summary.as_json()], ensure_ascii=False).encode("utf-8") + b"\n"
        rest = part.dump()
        header = json.dumps({"format": FORMAT, "key": name, "head": [len(head), zlib.crc32(head)], "check": zlib.crc32(rest)}).encode()
        write_atomically(folder / name, header + b"\n" + head + rest)

