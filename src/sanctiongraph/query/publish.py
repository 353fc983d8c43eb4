"""Publishing the built dataset to a SPARQL 1.1 store, one named graph at a time, sending only what changed.

The store keeps a manifest of what was published to it, in a graph of its own (MANIFEST): triples
`<graph> sg:contentHash "VALUE"`, read as one entry per graph, its content hash. A graph's hash is that of its
N-Triples lines, sorted, so the same content gives the same hash on any machine. Each build writes its graphs' hashes
in its manifest (sanctiongraph.builder.manifest) and a publish reads them, and sends a graph's lines from the build's
N-Quads export, rather than hashing and serialising every graph again. A publish sends the graphs whose hash differs
from the manifest's and deletes the graphs the manifest lists that the build no longer has (a removed source's), and
nothing else on the store is touched.

The manifest's values. Written whole, the manifest holds one value per graph, its hash as it is ("sha256:…").
A publish appends values (a Graph Store POST of those triples only), each starting with the publish's generation, a
decimal number one above the highest the manifest held when the publish started, then one space and the graph's new
hash ("7 sha256:…"), PENDING ("7 pending": the graph is being written or deleted) or DELETED ("7 deleted"); a value
without a generation is of generation 0. A graph's entry is read from its values of the highest generation: the one
hash there (DELETED: no entry), or PENDING when there are only pending marks there or more than one hash (two
publishes that read the same generation). Publishes before generations wrote the manifest whole, as now, and marked a
graph pending by adding a plain "pending" beside its hash: so a graph whose highest generation is 0 and has more than
one value reads as pending, and a plain "pending" makes its graph pending whatever else it has (a publish never writes
one now). Such a publish reads an appended value as no hash it has, or as a second value, so it sends that graph again.

Each graph is replaced in one step of the store's (sanctiongraph.query.remote), so it is at every moment the old
one or the new one. When the store takes many graphs in one SPARQL Update request (one transaction), consecutive
graphs of up to BATCH_BYTES of N-Triples in all go in one request, and a larger graph alone (streamed); graphs are
deleted DELETE_BATCH at a time (in one request then). A request of many graphs is made from the build's export just
before it is sent, so a publish holds at most BATCH_BYTES of them per connection, never the dataset. Up to
`connections` requests are in flight at once, each on a connection of its own; each is still one graph or one
transaction of many, a graph gets its new hash once its own request has been answered, in whatever order the answers
come, and after a request fails no other is sent (those in flight are waited for, and recorded if they arrived). With
a Bulk, the graphs that neither the manifest (not even as pending) nor the store has go to the store's bulk loader,
as many bytes of N-Quads a request as the loader takes (Loader.size): they were absent, and each request is all or
nothing (Oxigraph 0.5 shows a bulk request's quads only once all are written; Virtuoso runs one as a transaction), so
each graph is absent until its request is answered, then new; a graph of a bulk request stopped midway stays pending,
and the next publish replaces it whole.

Before a graph is touched its value "N pending" is appended to the manifest. A graph gets its new value only once the
store has answered, and at the end the new values of the graphs changed are appended in one request: a publish costs
what it changed, not the manifest's size. The manifest is written whole (one value per graph, a pending one as
"N pending", none for a deleted one) now and then while graphs are sent (every FLUSH_SECONDS, or less often when
writing it takes long, so that at most FLUSH_SHARE of the time goes to it), and at the end instead of appending when
its stale values (those no entry is read from) would outnumber COMPACT_SHARE of its entries. A publish stopped at any
point (the store killed, the network down, the publish itself killed) leaves a manifest that records only the graphs
that really arrived, so the next publish sends the others.

Two publishes do not write to one store at once: a publish that sends anything holds a lock, the one triple
`<manifest> sg:publishLock "HOST PID TOKEN EXPIRY"` of a graph of its own (LOCK_GRAPH), written before anything else,
renewed with each manifest written whole, and deleted at the end. A publish that finds another's lock refuses
(StoreError) unless the lock has expired (LEASE seconds after its last renewal, for a publish stopped on another
machine) or names a process of this machine that has ended. As the Graph Store Protocol has no compare-and-swap, a
publish reads the lock back SETTLE seconds after writing it and goes on only if it is still its own: of two publishes
that took the lock at once, only the one that wrote last goes on."""

from __future__ import annotations

import os
import queue
import secrets
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.builder.builds import CURRENT
from sanctiongraph.builder.exports import STEM
from sanctiongraph.builder.manifest import MANIFEST_FILE, Graph, Manifest
from sanctiongraph.builder.parts import as_ntriples
from sanctiongraph.errors import SanctionGraphError, StoreError
from sanctiongraph.namespaces import GRAPH, sg
from sanctiongraph.query.remote import Bulk, RemoteStore

MANIFEST = GRAPH + "manifest"
LOCK_GRAPH = MANIFEST + "/lock"
CONTENT_HASH = ox.NamedNode(sg.contentHash)
PENDING = "pending"  # the hash of a graph being written or deleted: it matches no content
DELETED = "deleted"  # appended for a graph deleted: it has no entry then
FLUSH_SECONDS = 5.0
FLUSH_SHARE = 0.1  # at most this share of a publish goes to writing the manifest whole while graphs are sent
LOCK = ox.NamedNode(sg.publishLock)
LEASE = 600.0  # seconds a lock holds without renewal
SETTLE = 0.5  # seconds between writing the lock and reading it back
SEND_CHUNK = 1 << 20  # bytes of a graph's N-Quads read at once while it is sent
BATCH_BYTES = 1 << 20  # bytes of N-Triples in one request of many graphs: what the store parses in one transaction
DELETE_BATCH = 1000  # graphs deleted in one request
# stale values of the manifest, as a share of its entries, that a publish would rather write it whole than leave: each
# one costs every later publish its reading
COMPACT_SHARE = 0.1
# requests in flight at once by default (BENCHMARKS.md, "Publishing"): a second paid nothing for PUTs on Oxigraph and
# cost 4 to 10 % on Virtuoso, but doubled the speed of Oxigraph's bulk loader, whose requests then overlap, and made
# Virtuoso's 1.3 times as fast
CONNECTIONS = 1
BULK_CONNECTIONS = 2


@dataclass(slots=True)
class LocalGraph(Graph):
    """A named graph of the build as its manifest describes it (hash, triples, size, place in the N-Quads export),
    with its IRI."""

    iri: str


@dataclass
class Plan:
    """What a publish does: the graphs to send, the graphs to delete, and how many are the same on the store."""

    send: list[LocalGraph] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class Publication:
    """What a publish did (or, with dry_run, would do)."""

    plan: Plan
    sent: int = 0
    deleted: int = 0
    triples: int = 0
    seconds: float = 0.0


class _GraphBody:
    """A graph's N-Triples: its lines of the build's N-Quads export (where the build's manifest says), read and sent a
    slice at a time."""

    def __init__(self, build: Path, graph: LocalGraph) -> None:
        self._export, self._graph = build / f"{STEM}.nq", graph
        self.size = graph.size

    def __iter__(self) -> Iterator[bytes]:
        with self._export.open("rb") as export:
            export.seek(self._graph.offset)
            left = self._graph.length
            while left:
                chunk = export.read(min(left, SEND_CHUNK))
                chunk += export.readline() if len(chunk) < left else b""
                left -= len(chunk)
                yield as_ntriples(chunk, self._graph.iri)  # whole lines: each chunk ends at one


class _QuadsBody:
    """Graphs' lines of the build's N-Quads export, as they are (with their graph names), read and sent a slice at a
    time: a request to the store's bulk loader."""

    def __init__(self, build: Path, graphs: list[LocalGraph]) -> None:
        self._export, self._graphs = build / f"{STEM}.nq", graphs
        self.size = sum(graph.length for graph in graphs)

    def __iter__(self) -> Iterator[bytes]:
        with self._export.open("rb") as export:
            for graph in self._graphs:
                export.seek(graph.offset)
                for start in range(0, graph.length, SEND_CHUNK):
                    yield export.read(min(SEND_CHUNK, graph.length - start))


def n_triples(triples: Iterable[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)  # type: ignore[return-value]  # bytes when no output file is given


def built_graphs(folder: Path) -> tuple[Path, list[LocalGraph]]:
    """The build `folder/current` names, and its named graphs with their hashes as the build wrote them in its
    manifest (sanctiongraph.builder.manifest)."""
    build = Path(os.path.realpath(folder / CURRENT))
    manifest = Manifest.read(build)
    if manifest is None:
        raise SanctionGraphError(f"{folder / CURRENT}: no whole {MANIFEST_FILE} (a build made before builds wrote one, "
                                 "or none at all); run `sanctiongraph build` first")
    return build, [LocalGraph(graph.digest, graph.triples, graph.size, graph.offset, graph.length, iri)
                   for iri, graph in sorted(manifest.graphs.items())]


@dataclass(frozen=True)
class StoredManifest:
    """A store's manifest as read: each graph's entry (graph IRI to content hash, or PENDING), the highest generation of
    its values and how many values it holds."""

    entries: dict[str, str]
    generation: int = 0
    values: int = 0

    @classmethod
    def of(cls, triples: Iterable[ox.Triple]) -> StoredManifest:
        found: dict[str, list[tuple[int, str]]] = {}
        for t in triples:
            if t.predicate == CONTENT_HASH and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.Literal):
                found.setdefault(t.subject.value, []).append(_generation(t.object.value))
        entries = {iri: entry for iri, values in found.items() if (entry := _entry(values)) != DELETED}
        return cls(entries, max((g for values in found.values() for g, _ in values), default=0), sum(map(len, found.values())))


def _generation(value: str) -> tuple[int, str]:
    """A value of the manifest as its generation and what follows it (generation 0 for a value without one)."""
    generation, space, rest = value.partition(" ")
    return (int(generation), rest) if space and generation.isdigit() else (0, value)


def _entry(values: list[tuple[int, str]]) -> str:
    """A graph's entry from its values, (generation, value) pairs: see the module's docstring."""
    top = max(generation for generation, _ in values)
    if (0, PENDING) in values or top == 0 and len(values) > 1:
        return PENDING
    settled = {value for generation, value in values if generation == top and value != PENDING}
    return settled.pop() if len(settled) == 1 else PENDING


def read_manifest(remote: RemoteStore) -> StoredManifest:
    return StoredManifest.of(remote.read(MANIFEST))


def plan(local: list[LocalGraph], manifest: dict[str, str]) -> Plan:
    names = {graph.iri for graph in local}
    changes = Plan(delete=sorted(iri for iri in manifest if iri not in names))
    for graph in local:
        if manifest.get(graph.iri) == graph.digest:
            changes.unchanged += 1
        else:
            changes.send.append(graph)
    return changes


class Lock:
    """This publish's hold on a store: who holds it (host, process, a random token), until when."""

    def __init__(self) -> None:
        self.host, self.pid, self.token = socket.gethostname(), os.getpid(), secrets.token_hex(8)

    def write(self, remote: RemoteStore) -> None:
        """Take the lock, or renew it."""
        value = ox.Literal(f"{self.host} {self.pid} {self.token} {time.time() + LEASE:.0f}")
        remote.replace(LOCK_GRAPH, _Bytes(n_triples([ox.Triple(ox.NamedNode(MANIFEST), LOCK, value)])))

    def take(self, remote: RemoteStore) -> None:
        """Refuse if another publish holds the store (the lock as the manifest has it now)."""
        held = _holder(remote)
        if held is not None and held.split()[2] != self.token:
            host, pid, _, until = held.split()
            raise StoreError(f"the store {remote.http.url} is being published to by process {pid} on {host}; publish again once it has "
                             f"finished (its lock expires at {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(float(until)))})")

    def confirm(self, remote: RemoteStore) -> None:
        """Once the lock is written: refuse if another publish wrote its own after it."""
        time.sleep(SETTLE)
        self.take(remote)


def _holder(remote: RemoteStore) -> str | None:
    """The lock of the manifest ("HOST PID TOKEN EXPIRY"), unless it has expired or names a process of this host that has ended."""
    locks = [t.object.value for t in remote.read(LOCK_GRAPH) if t.predicate == LOCK and isinstance(t.object, ox.Literal)]
    if len(locks) != 1 or len(locks[0].split()) != 4:
        return None
    host, pid, _, until = locks[0].split()
    if not until.isdigit() or float(until) < time.time():
        return None
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return None
        except PermissionError:  # a process of another user
            pass
    return locks[0]


class _Manifest:
    """The manifest as this publish changes it, at its generation, and the lock it holds meanwhile: the graphs it
    changes marked pending first, then the manifest written whole now and then (at most every FLUSH_SECONDS, and at
    most FLUSH_SHARE of the time), and at the end the new values of the graphs changed appended, or the manifest written
    whole when it holds too many stale values."""

    def __init__(self, remote: RemoteStore, stored: StoredManifest, lock: Lock) -> None:
        self._remote, self.entries, self.lock = remote, dict(stored.entries), lock
        self.generation = stored.generation + 1
        self._values = stored.values  # how many the store's manifest holds
        self._unwritten: set[str] = set()  # the graphs recorded since the manifest was last written
        self._written = 0.0
        self._took = 0.0  # seconds the manifest last took to be written whole

    def mark(self, graphs: list[str]) -> None:
        """The graphs marked pending on the store."""
        self.entries |= dict.fromkeys(graphs, PENDING)
        self._append(graphs)
        self._written = time.monotonic()

    def record(self, iri: str, digest: str | None) -> None:
        """A graph the store has answered for: its new hash, or None once deleted."""
        if digest is None:
            del self.entries[iri]
        else:
            self.entries[iri] = digest
        self._unwritten.add(iri)

    def write(self, *, unless_recent: bool = False) -> None:
        pause = min(max(FLUSH_SECONDS, self._took / FLUSH_SHARE), LEASE / 4)  # the lock is renewed well within its lease
        if unless_recent and time.monotonic() - self._written < pause:
            return
        started = time.monotonic()
        self._write_whole()
        self.lock.write(self._remote)
        self._written = time.monotonic()
        self._took = self._written - started

    def finish(self) -> None:
        """The graphs recorded since the manifest was last written appended to it (or it written whole, compacted), and
        the lock let go (even if the manifest could not be written)."""
        try:
            if self._values + len(self._unwritten) - len(self.entries) > COMPACT_SHARE * len(self.entries):
                self._write_whole()
            elif self._unwritten:
                self._append(sorted(self._unwritten))
        finally:
            self._remote.delete(LOCK_GRAPH)

    def _append(self, graphs: list[str]) -> None:
        values = (f"{self.generation} {self.entries.get(iri, DELETED)}" for iri in graphs)
        self._remote.add(MANIFEST, n_triples(ox.Triple(ox.NamedNode(iri), CONTENT_HASH, ox.Literal(value)) for iri, value in zip(graphs, values)))
        self._values += len(graphs)
        self._unwritten.clear()

    def _write_whole(self) -> None:
        if self.entries:
            values = {iri: f"{self.generation} {PENDING}" if digest == PENDING else digest for iri, digest in self.entries.items()}
            triples = [ox.Triple(ox.NamedNode(iri), CONTENT_HASH, ox.Literal(value)) for iri, value in sorted(values.items())]
            self._remote.replace(MANIFEST, _Bytes(n_triples(triples)))
        else:
            self._remote.delete(MANIFEST)
        self._values = len(self.entries)
        self._unwritten.clear()


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data, self.size = data, len(data)

    def __iter__(self) -> Iterator[bytes]:
        yield self.data


def publish(folder: Path, remote: RemoteStore, *, dry_run: bool = False, progress: bool | None = None,
            connections: int | None = None, bulk: Bulk | None = None) -> Publication:
    """Publish the build in folder (the one `folder/current` names as publishing starts) to a remote store, with up to
    `connections` requests in flight (by default CONNECTIONS, or BULK_CONNECTIONS with bulk), each on a kept-alive
    connection of its own; with `bulk`, the graphs that neither the store's manifest nor the store has go to its bulk
    loader (sanctiongraph.query.remote.Bulk).

    Progress goes to stderr only when it is a terminal (or when progress=True)."""
    started = time.monotonic()
    build, local = built_graphs(folder)
    stored = read_manifest(remote)
    changes = plan(local, stored.entries)
    done = Publication(changes)
    if dry_run or not (changes.send or changes.delete):
        done.seconds = time.monotonic() - started
        return done
    show = _progress(len(changes.send) + len(changes.delete), sys.stderr.isatty() if progress is None else progress)
    lock = Lock()
    lock.take(remote)
    new = _absent(changes.send, stored.entries, bulk)
    lock.write(remote)
    changed = [graph.iri for graph in changes.send] + changes.delete
    recorded = _Manifest(remote, stored, lock)
    recorded.mark(changed)
    lock.confirm(remote)
    try:
        senders = _Senders(build, remote, bulk, connections or (BULK_CONNECTIONS if bulk is not None else CONNECTIONS))
        for group in _sent(_requests(changes.send, remote.batches, new, bulk.size if bulk is not None and new else 0), senders):
            for graph in group:
                recorded.record(graph.iri, graph.digest)
                done.triples += graph.triples
            done.sent += len(group)
            show(done.sent)
            recorded.write(unless_recent=True)
        for start in range(0, len(changes.delete), DELETE_BATCH):
            gone = changes.delete[start:start + DELETE_BATCH]
            remote.delete_many(gone)
            for iri in gone:
                recorded.record(iri, None)
            done.deleted += len(gone)
            show(done.sent + done.deleted)
            recorded.write(unless_recent=True)
    except BaseException:
        _record_what_arrived(recorded)
        raise
    recorded.finish()
    done.seconds = time.monotonic() - started
    return done


def _absent(graphs: list[LocalGraph], manifest: dict[str, str], bulk: Bulk | None) -> set[str]:
    """The graphs to send that neither the manifest (not even as pending) nor the store has: those a bulk loader may add."""
    candidates = {graph.iri for graph in graphs if graph.iri not in manifest}
    return candidates - bulk.graphs() if bulk is not None and candidates else set()


@dataclass(frozen=True)
class _Request:
    """Graphs that go in one request: to the bulk loader (way "bulk"), in one SPARQL Update ("batch"), or one graph
    replaced alone ("graph")."""

    way: str
    graphs: list[LocalGraph]


def _requests(graphs: list[LocalGraph], batches: bool, new: set[str], bulk_bytes: int) -> Iterator[_Request]:
    """The graphs, in their order, in requests: consecutive new graphs of up to bulk_bytes of N-Quads to the bulk
    loader; the others as _groups() puts them."""
    if new:
        yield from (_Request("bulk", group) for group in _groups([g for g in graphs if g.iri in new], bulk_bytes, lambda g: g.length))
    rest = [graph for graph in graphs if graph.iri not in new]
    for group in _groups(rest, BATCH_BYTES if batches else 0, lambda g: g.size):
        yield _Request("batch" if batches and group[0].size <= BATCH_BYTES else "graph", group)


class _Senders:
    """The connections requests are sent on, each a RemoteStore (and Bulk) of its own, lent to one request at a time."""

    def __init__(self, build: Path, remote: RemoteStore, bulk: Bulk | None, connections: int) -> None:
        self.build, self.connections = build, connections
        self._idle: queue.SimpleQueue[tuple[RemoteStore, Bulk | None]] = queue.SimpleQueue()
        for _ in range(connections):
            self._idle.put((remote.another(), bulk.another() if bulk is not None else None))

    def send(self, request: _Request) -> list[LocalGraph]:
        remote, bulk = self._idle.get()
        try:
            if request.way == "bulk":
                assert bulk is not None
                bulk.load(_QuadsBody(self.build, request.graphs), [graph.iri for graph in request.graphs])
            elif request.way == "batch":
                remote.replace_many([(graph.iri, b"".join(_GraphBody(self.build, graph))) for graph in request.graphs])
            else:
                remote.replace(request.graphs[0].iri, _GraphBody(self.build, request.graphs[0]))
        finally:
            self._idle.put((remote, bulk))
        return request.graphs


def _sent(requests: Iterator[_Request], senders: _Senders) -> Iterator[list[LocalGraph]]:
    """The graphs of each request once the store has answered it, in the order the answers come, with up to
    senders.connections requests in flight. After a request fails no other is sent: those in flight are waited for
    (and yielded when they arrived), then the first failure is raised."""
    failure: BaseException | None = None
    with ThreadPoolExecutor(senders.connections, thread_name_prefix="publish") as pool:
        flying: set[Future[list[LocalGraph]]] = set()
        for request in requests:
            flying.add(pool.submit(senders.send, request))
            if len(flying) < senders.connections:
                continue
            answered, flying = wait(flying, return_when=FIRST_COMPLETED)
            for future in answered:
                if future.exception() is None:
                    yield future.result()
                else:
                    failure = failure or future.exception()
            if failure is not None:
                break
        for future in wait(flying).done:
            if future.exception() is None:
                yield future.result()
            else:
                failure = failure or future.exception()
    if failure is not None:
        raise failure


def _groups(graphs: list[LocalGraph], bound: int, size: Callable[[LocalGraph], int]) -> Iterator[list[LocalGraph]]:
    """The graphs, in their order, in the groups that each go in one request: consecutive graphs of up to `bound`
    bytes in all (by `size`); a graph larger than that, and every graph when the bound is 0, alone."""
    group: list[LocalGraph] = []
    total = 0
    for graph in graphs:
        alone = bound == 0 or size(graph) > bound
        if group and (alone or total + size(graph) > bound):
            yield group
            group, total = [], 0
        if alone:
            yield [graph]
        else:
            group.append(graph)
            total += size(graph)
    if group:
        yield group


def _record_what_arrived(recorded: _Manifest) -> None:
    """After a failure, write down the graphs that did arrive, if the store still answers: otherwise the next publish
    finds them PENDING and sends them again."""
    try:
        recorded.finish()
    except Exception:  # the store is gone or refusing; the error that stopped the publish is the one to report
        pass


def _progress(total: int, show: bool) -> Callable[[int], None]:
    last = [0.0]

    def report(count: int) -> None:
        if show and (count == total or time.monotonic() - last[0] > 0.2):
            last[0] = time.monotonic()
            print(f"\rpublished {count}/{total} graphs", end="\n" if count == total else "", file=sys.stderr, flush=True)

    return report
