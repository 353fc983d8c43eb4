"""Incremental builds: a build reuses the cached contribution of every unchanged source, and its graph is byte for byte
the graph a full build of the same sources writes, after edits, additions and removals, and whatever the cache holds."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
import zlib
from pathlib import Path
from typing import Callable

import pyoxigraph as ox
import pytest
import yaml
from conftest import ONTOLOGY, with_fixture_sources

from sanctiongraph import corpus
from sanctiongraph.builder.builds import CACHE, CURRENT, hold
from sanctiongraph.builder.cache import FORMAT, HEADS, INPUTS, SHARED
from sanctiongraph.builder.checks import run_checks
from sanctiongraph.builder.dataset import CONTEXT_GRAPHS, BuildReport, build, provenance_graph, source_graph
from sanctiongraph.builder.digests import DIGESTS
from sanctiongraph.builder.exports import EXPORTS, NETWORK_FILE, STEM, VOID_FILE
from sanctiongraph.builder.layout import LAYOUT_FILE, Layout
from sanctiongraph.builder.manifest import MANIFEST_FILE, Manifest
from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.namespaces import GRAPH, ID, RDF, sg
from sanctiongraph.query.publish import built_graphs
from sanctiongraph.query.store import STORE_LINK

FILES = [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE, NETWORK_FILE, MANIFEST_FILE, LAYOUT_FILE]


def _quads(graph: Path) -> set[ox.Quad]:
    store = ox.Store.read_only(str((graph / STORE_LINK).resolve()))
    try:
        return set(store)
    finally:
        del store


def _graphs_of_export(nquads: Path) -> list[tuple[str, str, int, int]]:
    """The named graphs of an N-Quads export with their hashes as publish defines them: of their N-Triples lines, sorted."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=nquads, format=ox.RdfFormat.N_QUADS):
        by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)  # type: ignore[union-attr]
    graphs = []
    for name, triples in sorted(by_graph.items()):
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert isinstance(data, bytes)
        lines = data.splitlines()
        graphs.append((name, "sha256:" + hashlib.sha256(b"\n".join(sorted(lines))).hexdigest(), len(lines), len(data)))
    return graphs


def _same_as_full_build(sources: Path, graph: Path, scratch: Path) -> BuildReport:
    """Build graph (with its cache and its current build), build the same sources from scratch, and compare every
    export and the manifest byte for byte, and the stores quad for quad; the manifest's hashes are those of the store."""
    report = build(sources, ONTOLOGY, graph)
    full = scratch / "full"
    shutil.rmtree(full, ignore_errors=True)
    expected = build(sources, ONTOLOGY, full)
    assert expected.dataset.reused == 0 and not expected.carried_over and expected.checked is None
    for name in FILES:
        assert (graph / CURRENT / name).read_bytes() == (full / CURRENT / name).read_bytes(), name
    assert sorted(p.name for p in (graph / CACHE).iterdir()) == sorted(p.name for p in (full / CACHE).iterdir())
    assert _quads(graph) == _quads(full)
    graphs = built_graphs(graph)[1]
    assert [(g.iri, g.digest, g.triples, g.size) for g in graphs] == _graphs_of_export(graph / CURRENT / f"{STEM}.nq")
    assert report.quads == expected.quads == sum(g.triples for g in graphs)
    return report


def _articles(sources: Path) -> list[Path]:
    return sorted((sources / "articles").glob("*.yaml"))


def _edit_annotation(annotation: Path, rng: random.Random) -> None:
    data = yaml.safe_load(annotation.read_text(encoding="utf-8"))
    data["title"] += f" (revised {rng.randrange(1000)})"
    annotation.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _edit_text(annotation: Path, rng: random.Random) -> None:
    text = annotation.with_suffix(".txt")
    text.write_text(text.read_text(encoding="utf-8") + f"\nA line added by the test, number {rng.randrange(1000)}.\n", encoding="utf-8")


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of 16 sources: the first 12 start the project, the others are added later."""
    folder = tmp_path_factory.mktemp("pool") / "sources"
    corpus.generate(folder, sources=16, seed=7, progress=False)
    return folder


def test_random_edits_additions_and_removals(pool: Path, tmp_path: Path) -> None:
    sources, spare = tmp_path / "sources", tmp_path / "spare"
    shutil.copytree(pool, sources)
    spare.mkdir()
    for annotation in _articles(sources)[12:]:
        for path in (annotation, annotation.with_suffix(".txt")):
            path.rename(spare / path.name)
    graph = tmp_path / "graph"
    first = _same_as_full_build(sources, graph, tmp_path)
    assert first.dataset.reused == 0 and not first.carried_over
    rng = random.Random(14)
    for _ in range(4):
        articles = _articles(sources)
        changed = rng.sample(articles, 2)
        _edit_annotation(changed[0], rng)
        _edit_text(changed[1], rng)
        removed = rng.choice([a for a in articles if a not in changed])
        removed.unlink()
        removed.with_suffix(".txt").unlink()
        added = rng.choice(sorted(spare.glob("*.yaml")))
        for path in (added, added.with_suffix(".txt")):
            path.rename(sources / "articles" / path.name)
        report = _same_as_full_build(sources, graph, tmp_path)
        assert report.dataset.reused == len(articles) - 3  # less the two changed and the removed one
        assert report.carried_over
        graphs = [graph_of(yaml.safe_load(path.read_text(encoding="utf-8"))["id"]).value
                  for path in [*changed, sources / "articles" / added.name] for graph_of in (source_graph, provenance_graph)]
        assert report.checked is not None  # the checks per graph ran on the changed sources' two graphs and their context only
        assert {GRAPH + "provenance", *graphs} <= set(report.checked) <= {*CONTEXT_GRAPHS, GRAPH + "provenance", *graphs}
        assert len(list((graph / CACHE).glob("*.source"))) == len(articles)  # the removed one dropped, the added one in
    with (sources / "entities.yaml").open("a", encoding="utf-8") as registry:
        registry.write("# an edit to the registry\n")
    report = _same_as_full_build(sources, graph, tmp_path)
    assert report.dataset.reused == 0 and report.dataset.changed_inputs == ["entities.yaml"]
    assert report.checked is None  # every check on the whole graph
    assert _same_as_full_build(sources, graph, tmp_path).dataset.changed_inputs == []


def _rewritten(path: Path) -> None:
    """The file written again with the same bytes, as an editor saving it does: written since its build."""
    path.write_bytes(path.read_bytes())


def test_a_damaged_cache_is_rebuilt_not_trusted(pool: Path, tmp_path: Path) -> None:
    """With the heads file damaged too: an entry damaged in its first lines (header, record, summary) is rebuilt at
    once; one damaged in its part's texts is not read while the previous build's exports have the part, and is rebuilt
    once they are needed."""
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    entries = sorted((graph / CACHE).glob("*.source"))
    whole = entries[0].read_bytes()
    flipped = bytearray(entries[1].read_bytes())
    flipped[-20] ^= 1
    entries[1].write_bytes(bytes(flipped))  # a flipped bit in the quads
    entries[2].write_bytes(entries[2].read_bytes()[:-100])  # half-written, in the texts
    header, _, rest = entries[3].read_bytes().partition(b"\n")
    entries[3].write_bytes(header.replace(f'"format": {FORMAT}'.encode(), b'"format": 0') + b"\n" + rest)  # another format
    entries[4].write_bytes(whole)  # whole, but another source's
    entries[5].write_bytes(b"\0" * 64)
    entries[6].write_bytes(entries[6].read_bytes()[:len(header) + 50])  # half-written, in the record
    summary = bytearray(entries[7].read_bytes())
    summary[summary.index(b"sha256:", len(header) + 1) + 9] ^= 1  # a flipped bit in the record
    entries[7].write_bytes(bytes(summary))
    shared = next((graph / CACHE).glob(f"*{SHARED}"))
    shared.write_bytes(shared.read_bytes()[:-1000])  # the shared inputs' part half-written: rendered again
    (graph / CACHE / ".left-by-a-killed-build.tmp").write_bytes(b"partial")
    (graph / CACHE / DIGESTS).write_bytes(b'{"format": 1, "files": {')  # half-written: every file read
    heads = graph / CACHE / HEADS
    heads.write_bytes(heads.read_bytes()[:-10])  # half-written: every entry's head read from the entry
    report = _same_as_full_build(pool, graph, tmp_path)
    assert report.dataset.reused == len(entries) - 5
    assert not (graph / CACHE / ".left-by-a-killed-build.tmp").exists()
    _rewritten((graph / CURRENT / f"{STEM}.ttl").resolve())  # the exports cannot be copied: every part's texts are read
    assert _same_as_full_build(pool, graph, tmp_path).dataset.reused == len(entries) - 2
    assert build(pool, ONTOLOGY, graph).dataset.reused == len(entries)  # the damaged entries written anew


@pytest.mark.parametrize("damage", [lambda data: data[:-1], lambda data: data.replace(b"synthetic", b"synthetiq", 1),
                                    lambda data: data.replace(b'"format": ', b'"format": 1', 1), lambda data: b""],
                         ids=["half-written", "a changed byte", "another format", "empty"])
def test_a_damaged_heads_file_is_not_trusted(damage: Callable[[bytes], bytes], pool: Path, tmp_path: Path) -> None:
    """The heads file that does not read whole is ignored: every entry's head is read from the entry instead."""
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    heads = graph / CACHE / HEADS
    damaged = damage(heads.read_bytes())
    assert damaged != heads.read_bytes()
    heads.write_bytes(damaged)
    entry = sorted((graph / CACHE).glob("*.source"))[0]
    entry.write_bytes(entry.read_bytes()[:200])  # its head cut: rebuilt, since the heads file cannot stand in for it
    report = _same_as_full_build(pool, graph, tmp_path)
    assert report.dataset.reused == len(list((graph / CACHE).glob("*.source"))) - 1


def test_an_entry_is_not_read_while_the_heads_file_and_the_exports_stand_for_it(pool: Path, tmp_path: Path) -> None:
    """An entry's head comes from the heads file, and its part from the previous build's exports: the entry itself
    is not read, so one damaged whole goes unnoticed until its texts are needed, and is rebuilt then."""
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    entry = sorted((graph / CACHE).glob("*.source"))[0]
    entry.write_bytes(b"\0" * 64)
    count = len(list((graph / CACHE).glob("*.source")))
    assert _same_as_full_build(pool, graph, tmp_path).dataset.reused == count
    _rewritten((graph / CURRENT / f"{STEM}.nq").resolve())  # the part's texts needed: the exports cannot be copied
    assert _same_as_full_build(pool, graph, tmp_path).dataset.reused == count - 1
    assert build(pool, ONTOLOGY, graph).dataset.reused == count


def _blocks(heads: Path) -> int:
    """The number of blocks in a heads file (each opened by a line with the size of the rest)."""
    data, at, count = heads.read_bytes(), 0, 0
    while at < len(data):
        start = data.index(b"\n", at) + 1
        at = start + json.loads(data[at:start])["size"]
        count += 1
    assert at == len(data)
    return count


def test_the_heads_file_grows_by_the_heads_a_build_adds(pool: Path, tmp_path: Path) -> None:
    """An edit appends its source's new head to the heads file, where the next build reads it (the entry itself stays
    unread); an append cut short is not read, and replaced by the next; once the lines no build uses would pass a tenth
    of the others, the file is written whole again."""
    sources, graph = tmp_path / "sources", tmp_path / "graph"
    shutil.copytree(pool, sources)
    build(sources, ONTOLOGY, graph)
    heads, count = graph / CACHE / HEADS, len(_articles(sources))
    whole = heads.read_bytes()
    heads.write_bytes(whole + b'{"format": %d, "size": 900, "check": 1}\n["a string"]\n["an entry' % FORMAT)  # an append cut short
    entries = {path.name for path in (graph / CACHE).glob("*.source")}
    rng = random.Random(5)
    _edit_annotation(_articles(sources)[0], rng)
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == count - 1
    assert heads.read_bytes().startswith(whole) and _blocks(heads) == 2 and b"an entry" not in heads.read_bytes()
    (added,) = {path.name for path in (graph / CACHE).glob("*.source")} - entries
    (graph / CACHE / added).write_bytes(b"\0" * 64)  # its head is in the appended block: the entry is not read
    assert build(sources, ONTOLOGY, graph).dataset.reused == count
    _edit_annotation(_articles(sources)[1], rng)  # two stale lines of 17: written whole
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == count - 1
    assert _blocks(heads) == 1 and not heads.read_bytes().startswith(whole)


def test_a_source_is_rebuilt_when_a_statement_it_refers_to_changes(tmp_path: Path) -> None:
    """The fixture sources refer to statements of the first source: changing one of those rebuilds them too."""
    sources = with_fixture_sources(tmp_path / "sources")
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    first = sources / "articles" / "newsweek-2025-03-russia-mines.yaml"
    first.write_text(first.read_text(encoding="utf-8").replace("id: seredyuk-mines-suspended", "id: seredyuk-mines-halted"), encoding="utf-8")
    with pytest.raises(SanctionGraphError, match="fixture-kuzbass-ledger-2025-03-mines.yaml:33: reportsSameAs: the source .newsweek-2025-03-russia-mines. has no statement .seredyuk-mines-suspended."):
        build(sources, ONTOLOGY, graph)
    first.write_text(first.read_text(encoding="utf-8").replace("id: seredyuk-mines-halted", "id: seredyuk-mines-suspended"), encoding="utf-8")
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == len(list((sources / "articles").glob("*.yaml")))
    others = {p.name for p in (graph / CACHE).iterdir() if not p.name.endswith(".source")}
    shared = [name for name in others if name.endswith(SHARED)]
    assert len(shared) == 1 and others - set(shared) == {DIGESTS, HEADS, INPUTS}


def _files(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir()) if path.is_file()}


def test_the_current_build_is_never_written_by_the_next(pool: Path, tmp_path: Path) -> None:
    """The new store is a checkpoint of the current one (hard links to its tables): updating it changes none of the
    current build's files, and the current store still reads as it did."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    current = (graph / CURRENT).resolve()
    before, quads = _files(current / STORE_LINK), _quads(graph)
    for annotation in sorted((sources / "articles").glob("*.yaml"))[:3]:
        _edit_annotation(annotation, random.Random(annotation.name))
    descriptor = hold(current)  # as a server reading it does
    assert descriptor is not None
    try:
        report = build(sources, ONTOLOGY, graph)
        assert report.carried_over and (graph / CURRENT).resolve() != current
        assert _files(current / STORE_LINK) == before
        reader = ox.Store.read_only(str(current / STORE_LINK))
        assert set(reader) == quads
        del reader
    finally:
        os.close(descriptor)


def _damage_export(current: Path) -> None:
    """A flipped bit in the provenance graph of the N-Quads export (a graph every build changes, so the next reads it)."""
    provenance = Manifest.read(current).graphs[GRAPH + "provenance"]  # type: ignore[union-attr]
    nquads = current / f"{STEM}.nq"
    data = bytearray(nquads.read_bytes())
    data[provenance.offset + provenance.length // 2] ^= 1
    nquads.write_bytes(bytes(data))


def _damage_store(current: Path) -> None:
    store = ox.Store(str(current / STORE_LINK))
    store.add(ox.Quad(ox.NamedNode(ID + "stray"), ox.NamedNode(RDF + "type"), ox.NamedNode(sg.Claim), ox.NamedNode(GRAPH + "provenance")))
    store.flush()
    del store


def _replace_in_store(current: Path) -> None:
    """As a server that accepts updates does: one quad replaced by another, so the store holds as many as before."""
    store = ox.Store(str(current / STORE_LINK))
    old = next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH + "registry"))))
    store.remove(old)
    store.add(ox.Quad(old.subject, old.predicate, ox.Literal("replaced"), old.graph_name))
    store.flush()
    del store


def _remove_store(current: Path) -> None:
    shutil.rmtree(current / STORE_LINK)
    (current / STORE_LINK).mkdir()


def _damage_manifest(current: Path) -> None:
    (current / MANIFEST_FILE).write_text('{"format": 1, "shared": ', encoding="utf-8")  # half-written


def _damage_layout(current: Path) -> None:
    layout = current / LAYOUT_FILE
    layout.write_bytes(layout.read_bytes()[:100])  # half-written


def _truncate_export(current: Path) -> None:
    """An export cut short, its modification time set back: its size no longer the one its layout says."""
    turtle = current / f"{STEM}.ttl"
    status = turtle.stat()
    turtle.write_bytes(turtle.read_bytes()[:-1000])
    os.utime(turtle, ns=(status.st_atime_ns, status.st_mtime_ns))


@pytest.mark.parametrize("damage", [_damage_export, _damage_store, _replace_in_store, _remove_store, _damage_manifest,
                                    _damage_layout, _truncate_export])
def test_a_damaged_current_build_is_not_carried_over(damage: Callable[[Path], None], pool: Path, tmp_path: Path) -> None:
    """A previous export that does not match its manifest or layout, a store that holds other quads or none or was
    written since, a half-written manifest or layout: the store is loaded whole and the exports are not copied from
    the previous build, and the build equals a full one."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    _edit_text(sorted((sources / "articles").glob("*.yaml"))[4], random.Random(5))
    damage((graph / CURRENT).resolve())
    report = _same_as_full_build(sources, graph, tmp_path)
    assert not report.carried_over and report.dataset.reused == len(list((sources / "articles").glob("*.yaml"))) - 1


def test_a_cache_entry_whose_part_does_not_match_its_index_is_rebuilt(pool: Path, tmp_path: Path) -> None:
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    entry = sorted((graph / CACHE).glob("*.source"))[0]
    header, _, rest = entry.read_bytes().partition(b"\n")
    rest = rest[:-40]  # the part's texts cut short, the header's digest made to match
    fields = json.loads(header)
    fields["check"] = zlib.crc32(rest)
    entry.write_bytes(json.dumps(fields).encode() + b"\n" + rest)
    _rewritten((graph / CURRENT / f"{STEM}.nq").resolve())  # the part's texts needed: the exports cannot be copied
    report = _same_as_full_build(pool, graph, tmp_path)
    assert report.dataset.reused == len(list((graph / CACHE).glob("*.source"))) - 1


def test_checks_per_graph_find_what_they_find_on_the_whole_graph(pool: Path, tmp_path: Path) -> None:
    """A check declared per graph (`# scope: graph`) finds a violation in the graphs it is given, as on the whole."""
    graph = tmp_path / "graph"
    build(pool, ONTOLOGY, graph)
    store = ox.Store(str((graph / STORE_LINK).resolve()))
    bad = ox.NamedNode(GRAPH + "source/a-broken-one")
    store.add(ox.Quad(ox.NamedNode(ID + "source/a-broken-one/claim"), ox.NamedNode(RDF + "type"), ox.NamedNode(sg.Claim), bad))
    whole = run_checks(store, ONTOLOGY, {})
    scoped = run_checks(store, ONTOLOGY, {}, [*CONTEXT_GRAPHS, bad.value])
    elsewhere = run_checks(store, ONTOLOGY, {}, [*CONTEXT_GRAPHS, GRAPH + "provenance"])
    claims = [line for line in whole if "[check claim-complete]" in line]
    assert claims and set(claims) <= set(scoped)
    assert not [line for line in elsewhere if "[check claim-complete]" in line]


def test_a_source_whose_subjects_fall_among_another_sources(pool: Path, tmp_path: Path) -> None:
    """Source ids of which one extends the other (`x`, `x2`): the subjects of x2 sort between those of x
    (`<…/x/…>` < `<…/x2…>` < `<…/x>`), so adding x2 splits x's run of subjects copied from the previous build; editing
    and removing either gives what a full build gives."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    first, second = _articles(sources)[2:4]
    base = yaml.safe_load(first.read_text(encoding="utf-8"))["id"]
    other = yaml.safe_load(second.read_text(encoding="utf-8"))["id"]
    second.write_text(second.read_text(encoding="utf-8").replace(f"id: {other}\n", f"id: {base}2\n", 1), encoding="utf-8")
    spare = tmp_path / "spare"
    spare.mkdir()
    for path in (second, second.with_suffix(".txt")):
        path.rename(spare / path.name)
    graph = tmp_path / "graph"
    _same_as_full_build(sources, graph, tmp_path)
    for path in (spare / second.name, spare / second.with_suffix(".txt").name):
        path.rename(sources / "articles" / path.name)
    runs = [run.part for run in Layout.read((graph / CURRENT).resolve()).runs]  # type: ignore[union-attr]
    assert _same_as_full_build(sources, graph, tmp_path).dataset.reused == len(_articles(sources)) - 1
    after = [run.part for run in Layout.read((graph / CURRENT).resolve()).runs]  # type: ignore[union-attr]
    assert after.count(provenance_graph(base).value) == runs.count(provenance_graph(base).value) + 1  # split by the new one
    _edit_annotation(first, random.Random(1))
    _same_as_full_build(sources, graph, tmp_path)
    _edit_annotation(second, random.Random(2))
    _same_as_full_build(sources, graph, tmp_path)
    first.unlink()
    first.with_suffix(".txt").unlink()
    _same_as_full_build(sources, graph, tmp_path)


def test_an_edit_that_keeps_the_size_and_time_of_a_file_is_seen(pool: Path, tmp_path: Path) -> None:
    """A file whose status (inode, size, times) is unchanged is not read again; one edited to the same size with its
    modification time set back still has a new change time, and is read and rebuilt."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    time.sleep(1.1)  # files changed within a second before a build are read again by the next (racily clean)
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    digests = json.loads((graph / CACHE / DIGESTS).read_bytes())["files"]
    assert len(digests) == 2 * len(_articles(sources))  # the annotations, and the texts read where the sources were loaded
    build(sources, ONTOLOGY, graph)
    assert json.loads((graph / CACHE / DIGESTS).read_bytes())["files"] == digests
    annotation = _articles(sources)[5]
    status = annotation.stat()
    data = annotation.read_bytes()
    at = data.index(b"title: ") + len(b"title: ")
    annotation.write_bytes(data[:at] + (b"X" if data[at:at + 1] != b"X" else b"Y") + data[at + 1:])  # the same size
    os.utime(annotation, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert annotation.stat().st_size == status.st_size and annotation.stat().st_mtime_ns == status.st_mtime_ns
    report = _same_as_full_build(sources, graph, tmp_path)
    assert report.dataset.reused == len(_articles(sources)) - 1


def test_a_text_edited_after_a_full_build_is_seen(pool: Path, tmp_path: Path) -> None:
    """A full build remembers the digests of the texts that the sources' loading read (their files unchanged since
    before it began); a text then edited to the same size, its modification time set back, is read again (and its
    quotes no longer found in it)."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    time.sleep(1.1)  # files changed within a second before a build are read again by the next (racily clean)
    graph = tmp_path / "graph"
    build(sources, ONTOLOGY, graph)
    text = _articles(sources)[3].with_suffix(".txt")
    assert str(text) in json.loads((graph / CACHE / DIGESTS).read_bytes())["files"]
    status = text.stat()
    data = text.read_bytes()
    text.write_bytes(data[:10] + (b"X" if data[10:11] != b"X" else b"Y") + data[11:])  # the same size
    os.utime(text, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert text.stat().st_size == status.st_size and text.stat().st_mtime_ns == status.st_mtime_ns
    with pytest.raises(SanctionGraphError, match=f"{text.stem}.yaml:[0-9]+: quote not found in the text"):
        build(sources, ONTOLOGY, graph)


def test_a_build_that_would_write_what_the_current_build_holds_keeps_it(pool: Path, tmp_path: Path) -> None:
    """Nothing changed (files saved again with the same bytes included): the current build is kept as it is, and only
    the cache is written. A store written since its build, or a change to any source, makes a new build."""
    sources = tmp_path / "sources"
    shutil.copytree(pool, sources)
    graph = tmp_path / "graph"
    first = build(sources, ONTOLOGY, graph)
    kept = (graph / CURRENT).resolve()
    _rewritten(_articles(sources)[2])
    report = _same_as_full_build(sources, graph, tmp_path)
    assert report.unchanged and report.checked == [] and report.quads == first.quads
    assert (graph / CURRENT).resolve() == kept and report.written == first.written
    store = ox.Store(str(kept / STORE_LINK))  # as a server that accepts updates would
    store.add(ox.Quad(ox.NamedNode(ID + "stray"), ox.NamedNode(RDF + "type"), ox.NamedNode(sg.Claim), ox.NamedNode(GRAPH + "provenance")))
    store.flush()
    del store
    report = _same_as_full_build(sources, graph, tmp_path)
    assert not report.unchanged and not report.carried_over and (graph / CURRENT).resolve() != kept
    _edit_text(_articles(sources)[4], random.Random(3))
    report = _same_as_full_build(sources, graph, tmp_path)
    assert not report.unchanged and report.carried_over
