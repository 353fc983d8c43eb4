"""The cache of a graph folder: each source's contribution (sanctiongraph.builder.contribution), kept between builds.

    graph/cache/
      inputs.json     the digests of the inputs every source depends on, as of the last build
      digests.json    the digests of the sources' files by their status (sanctiongraph.builder.digests)
      heads.json      the head (record and summary) of every entry, so that a build reads one file rather than one per source
      <key>.shared    the part of the shared inputs' own quads (ontology, registry, links), with the registry's entities
                      as its record
      <key>.source    one contribution: a line of JSON (format, key, length and CRC-32 of the next line, CRC-32 of the
                      rest), a line of its record and its part's summary, its part (its quads rendered for every
                      export: sanctiongraph.builder.parts)

An entry is found by its key: the digest of the annotation file (name and bytes) and of everything every source
depends on: the ontology, the vocabularies, the registry, the builder's code and whether drafts are allowed. It is
used only if its text file is unchanged, every statement of another source it refers to is still the same, and it
reads back whole: a corrupt entry, one of another format or builder, or one half-written by a killed build is
rebuilt, never trusted. When the previous build has the part as it is (sanctiongraph.builder.layout), its exports are
copied from that build's, and only the entry's head is read: from `heads.json`, which the builds append to (blocks
with their own checksums; one that is not read whole is ignored, and those after it), or else from the entry's first
lines (and checked). Otherwise the
whole entry is read. Entries and heads are written once the build has passed its checks, and once it is published
the entries it did not use are removed: a build that fails leaves the cache as it was."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder.contribution import Contribution
from sanctiongraph.builder.digests import DIGESTS, FileDigests
from sanctiongraph.builder.inputs import read_input
from sanctiongraph.builder.parts import Part, Summary, render
from sanctiongraph.errors import SourceError
from sanctiongraph.files import write_atomically
from sanctiongraph.namespaces import GRAPH, ID

FORMAT = 3
COMPACT_SHARE = 0.1  # of the heads file's lines that no build uses, above which it is written whole again
_FIRST_READ = 1 << 14  # bytes read of an entry at first: its header, record and summary, most often
INPUTS = "inputs.json"
HEADS = "heads.json"
SUFFIX = ".source"
SHARED = ".shared"  # the entry of the shared inputs' own part, named by the key
_BUILDER = Path(__file__).resolve().parent  # the builder's modules: a change to any of them makes a new key
_NETWORK = (_BUILDER.parent / "network" / "links.py", _BUILDER.parent / "network" / "roles.toml")  # the link rule parts render


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _beside(path: Path, name: str) -> str:
    """The path of a file named (as an annotation names its text) relative to the folder of the file at path."""
    return os.path.join(os.path.dirname(path), name)


class SourceCache:
    """The entries of one cache folder, for the shared inputs of one build (a name for each, and its path)."""

    def __init__(self, folder: Path | None, sources_folder: Path, inputs: Mapping[str, Path], allow_drafts: bool) -> None:
        """Without a folder, the keys only: nothing is found or kept."""
        self.folder = folder
        self.sources_folder = sources_folder
        self.inputs = {name: _digest(read_input(path, sources_folder, name) if path.is_relative_to(sources_folder) else path.read_bytes())
                       for name, path in inputs.items()}  # a file of the sources read as their files are: inside the folder
        code = {path.name: _digest(path.read_bytes()) for path in sorted([*_BUILDER.glob("*.py"), *_NETWORK])}
        self.key = _digest(json.dumps([FORMAT, __version__, code, self.inputs, allow_drafts], sort_keys=True).encode())
        self.used: set[str] = set()
        self.pending: dict[str, tuple[dict[str, Any], Part]] = {}  # entries to write: record and part
        self.kept: dict[str, tuple[dict[str, Any], Summary]] = {}  # the head of each entry this build uses
        self.heads = _Heads.read(folder / HEADS) if folder is not None else _Heads()
        self._names: dict[Path, str | None] = {}
        self._prefix = os.path.join(sources_folder, "")  # of the paths of the sources' files, as strings (a build has thousands)
        self.files = FileDigests(folder, sources_folder)
        self._entries: set[str] | None = None  # the names in the cache folder, once write() has listed them

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
            text = str(path)
            shown_as = text[len(self._prefix):] if text.startswith(self._prefix) else path.relative_to(self.sources_folder).as_posix()
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
            text = self.files.digest(_beside(path, contribution.text_file), contribution.shown_as, contribution.text_file)
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
            self.kept[name] = (self.pending[name][0], contribution.part.summary)
            self.heads.taken.discard(name)
            self.files.remember(_beside(path, contribution.text_file), contribution.text_digest)

    def shared(self, known: Callable[[Summary], bool] = lambda summary: False) -> tuple[dict[str, Any], Part | Summary] | None:
        """The record and part of the shared inputs alone (the ontology, the registry and its links, with its lines of
        the network), if cached whole for this state of them (the part's summary only, if known(summary))."""
        return self._read(self.key + SHARED, known)

    def put_shared(self, quads: list[ox.Quad], network: bytes, record: dict[str, Any]) -> Part:
        """The part of the shared inputs' quads and network lines, rendered; kept with record, and written by commit()."""
        part = render(quads, network)
        if self.folder is not None:
            name = self.key + SHARED
            self.used.add(name)
            self.pending[name] = (record, part)
            self.kept[name] = (record, part.summary)
            self.heads.taken.discard(name)
        return part

    def _read(self, name: str, known: Callable[[Summary], bool]) -> tuple[dict[str, Any], Part | Summary] | None:
        """The record and part of the entry name if it reads back whole (the part's summary only if known(summary))."""
        if self.folder is None:
            return None
        self.used.add(name)
        head = self.heads.get(name)
        if head is not None and known(head[1]):
            self.kept[name] = head
            self.heads.taken.add(name)
            return head
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
                    self.kept[name] = (record, summary)
                    return record, summary
                data += entry.read()
                if fields.get("check") != zlib.crc32(memoryview(data)[end:]):
                    return None
                self.kept[name] = (record, summary)
                return record, Part.load(data, end)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self) -> None:
        """Write the new entries, the heads of every entry this build uses and the files' digests, once the build has
        passed its checks, while its last exports may still be written (entries are named by what they were made from:
        any build may use them). Written once per build."""
        if self.folder is None or self._entries is not None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for name, (record, part) in self.pending.items():
            self._write(self.folder, name, record, part)
        self.pending.clear()
        self._entries = {entry.name for entry in os.scandir(self.folder)}
        self.heads.write(self.folder / HEADS, {name: self.kept[name] for name in sorted(self.kept) if name in self._entries})
        self.files.commit()

    def commit(self) -> None:
        """Once the build is published: write what write() writes (unless done), remove every entry the build did not
        use (removed or changed sources, leftovers of killed builds), and record the shared inputs."""
        if self.folder is None:
            return
        self.write()
        assert self._entries is not None
        for name in self._entries - self.used - {INPUTS, DIGESTS, HEADS}:  # as listed by write(), which wrote since
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.folder / name)
        write_atomically(self.folder / INPUTS, json.dumps(self.inputs, indent=1, sort_keys=True).encode())

    def _write(self, folder: Path, name: str, record: dict[str, Any], part: Part) -> None:
        head = json.dumps([record, part.summary.as_json()], ensure_ascii=False).encode("utf-8") + b"\n"
        rest = part.dump()
        header = json.dumps({"format": FORMAT, "key": name, "head": [len(head), zlib.crc32(head)], "check": zlib.crc32(rest)}).encode()
        write_atomically(folder / name, header + b"\n" + head + rest)


class _Heads:
    """The heads of the entries (`heads.json`), in blocks appended by the builds that made new entries: each a line of
    JSON (format, size and CRC-32 of the rest of the block), a line of the strings its heads add to those that many
    heads repeat (the classes of the statements, the properties and classes of the parts), referred to by their number
    in all the blocks so far, then a line for each entry: its name, record and summary, a source's with its IRIs and
    places shortened (_compacted). A later line of an entry stands for it. A build appends the heads it did not take
    from here as they are (an edit: one or two lines, not the 10 MB of 10,000 sources), and writes the file whole, in
    one block, when it has none whole or the lines no build uses would pass COMPACT_SHARE of those it does. Reading
    stops at a block that does not read whole (an append cut short): the next append replaces it."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.lines: dict[str, bytes] = {}  # by entry name, as read
        self.heads: dict[str, list[Any]] = {}  # by entry name: record and summary, as encoded
        self.count = 0  # of the lines in the file, an entry's earlier ones included
        self.end = 0  # of the blocks that read whole: where the next is appended
        self.taken: set[str] = set()  # the entries whose head the build took from here, as it is (SourceCache)

    @classmethod
    def read(cls, path: Path) -> _Heads:
        """The heads in the file at path, as far as its blocks read whole; none if it is missing."""
        heads = cls()
        try:
            data = path.read_bytes()
        except OSError:
            return heads
        while heads.end < len(data):
            try:
                start = data.index(b"\n", heads.end) + 1
                fields = json.loads(data[heads.end:start])
                body = data[start:start + fields["size"]]
                if fields["format"] != FORMAT or len(body) != fields["size"] or fields["check"] != zlib.crc32(body):
                    break
                strings, *lines, last = body.split(b"\n")
                rows = orjson.loads(b"[" + b",".join(lines) + b"]")  # 10,000 sources: 0.09 s; json 0.16 s
                added = json.loads(strings)
                if last or not isinstance(added, list) or not all(isinstance(row, list) and len(row) == 3 for row in rows):
                    break
            except (ValueError, KeyError, TypeError):
                break
            heads.strings += added
            heads.lines.update((row[0], line) for row, line in zip(rows, lines))
            heads.heads.update((row[0], row[1:]) for row in rows)
            heads.count += len(rows)
            heads.end = start + len(body)
        return heads

    def get(self, name: str) -> tuple[dict[str, Any], Summary] | None:
        """The record and summary of the entry name, if the file has them."""
        if name not in self.heads:
            return None
        try:
            record, (graphs, union, properties, classes) = self.heads[name]
            strings = self.strings
            if "id" in record:
                source, file = f"{SOURCE}{record['id']}", f"{record['shown_as']}:"
                graphs = {_NAMES[key] + record["id"] if key in _NAMES else key: graph for key, graph in graphs.items()}
                record = {**record, "statements": {key: strings[number] for key, number in record["statements"].items()},
                          "locations": {source + key if not key or key[0] == "/" else key: f"{file}{where}" if type(where) is int else where
                                        for key, where in record["locations"].items()}}
            head = record, Summary.from_json([graphs, union, [strings[n] for n in properties], [strings[n] for n in classes]])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        return head

    def write(self, path: Path, heads: dict[str, tuple[dict[str, Any], Summary]]) -> None:
        """Keep the heads given in the file at path: append those not taken from here as they are, or write them all."""
        new = [name for name in heads if name not in self.taken]
        whole = not self.end or self.count + len(new) - len(heads) > COMPACT_SHARE * len(heads)
        numbers = {string: number for number, string in enumerate(self.strings)}  # kept, so that the lines read stay true
        known = len(numbers)

        def number(value: str) -> int:
            return numbers.setdefault(value, len(numbers))

        lines = []
        for name in heads if whole else new:
            if name in self.taken:
                lines.append(self.lines[name])
                continue
            record, summary = heads[name]
            graphs, union, properties, classes = summary.as_json()
            if "id" in record:
                record, graphs = _compacted(record, graphs, number)
            encoded = [name, record, [graphs, union, [number(p) for p in properties], [number(c) for c in classes]]]
            lines.append(json.dumps(encoded, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        if not whole and not lines:
            return
        body = b"\n".join([json.dumps(list(numbers)[0 if whole else known:], ensure_ascii=False).encode("utf-8"), *lines, b""])
        block = json.dumps({"format": FORMAT, "size": len(body), "check": zlib.crc32(body)}).encode() + b"\n" + body
        if whole:
            write_atomically(path, block)
            return
        with path.open("r+b") as file:  # a block cut short by a kill is not read, and replaced by the next
            file.seek(self.end)
            file.write(block)
            file.truncate()


SOURCE = f"{ID}source/"
_NAMES = {"s": f"{GRAPH}source/", "p": f"{GRAPH}provenance/"}  # a source's two graphs: the prefix of each, before its id


def _compacted(record: dict[str, Any], graphs: dict[str, Any], number: Callable[[str], int]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A source's record and its part's graphs as the heads file keeps them, half their size (the file is read whole by
    each build): the statements' classes by number; a location's IRI without the source's IRI that opens it, and its
    place by its line alone, when in the source's annotation file; the source's two graphs by a letter."""
    source, file = f"{SOURCE}{record['id']}", f"{record['shown_as']}:"
    locations: dict[str, str | int] = {}
    for iri, where in record["locations"].items():
        rest = iri[len(source):]
        key = rest if iri.startswith(source) and (not rest or rest[0] == "/") else iri
        line = where[len(file):] if where.startswith(file) else ""
        locations[key] = int(line) if line.isascii() and line.isdigit() and str(int(line)) == line else where
    named = {prefix + record["id"]: letter for letter, prefix in _NAMES.items()}
    return ({**record, "statements": {key: number(value) for key, value in record["statements"].items()}, "locations": locations},
            {named.get(name, name): graph for name, graph in graphs.items()})
