"""A build is published whole behind one link: readers, kills and a second build never see half of one.

Two generated corpora give two different builds, A and B; a build's state is the digest of every
export and of void.ttl, and the number of quads in its store, read through one resolution of
graph/current. Every state a reader or a killed build leaves must be A's or B's."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ONTOLOGY, sanctiongraph_server

from sanctiongraph.builder.builds import BUILDS, CACHE, CURRENT, LOCK, hold, remove_detached, sweep
from sanctiongraph.builder.exports import EXPORTS, STEM, VOID_FILE
from sanctiongraph.corpus import generate
from sanctiongraph.namespaces import DCAT
from sanctiongraph.query.store import STORE_LINK, open_store

SANCTIONGRAPH = Path(sys.executable).parent / "sanctiongraph"
FILES = [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE]
LINKS = [*FILES, STORE_LINK]
State = tuple[str, ...]


def state(build: Path) -> State:
    """The digests of a build's files and its store's size, after checking that its files are those its void.ttl describes."""
    data = {name: (build / name).read_bytes() for name in FILES}
    described = {  # each distribution's byte size, by its suffix
        triple.subject.value.rsplit("/", 1)[-1]: int(triple.object.value)
        for triple in ox.parse(data[VOID_FILE], format=ox.RdfFormat.TURTLE)
        if triple.predicate.value == DCAT + "byteSize"
    }
    assert described == {e.suffix: len(data[f"{STEM}.{e.suffix}"]) for e in EXPORTS}, f"{build}: the exports differ from void.ttl"
    store = ox.Store.read_only(str(build / STORE_LINK))
    return (*(hashlib.sha256(data[name]).hexdigest() for name in FILES), str(len(store)))


def current_state(graph: Path) -> State:
    """The state of the build graph/current names, resolved once."""
    return state(Path(os.path.realpath(graph / CURRENT)))


def run_build(sources: Path, graph: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SANCTIONGRAPH), "build", "--sources", str(sources), "--ontology", str(ONTOLOGY), "--output", str(graph), "--quiet"],
                          capture_output=True, text=True)


def start_build(sources: Path, graph: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(SANCTIONGRAPH), "build", "--sources", str(sources), "--ontology", str(ONTOLOGY), "--output", str(graph), "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def assert_clean(graph: Path) -> None:
    """graph holds the current build, its links and the lock file, and nothing a replaced or killed build left (the
    build a command replaced is removed by a process of its own: waited for)."""
    assert sorted(p.name for p in graph.iterdir()) == sorted([LOCK, BUILDS, CACHE, CURRENT, *LINKS])
    deadline = time.monotonic() + 30
    while [p.name for p in (graph / BUILDS).iterdir()] != [Path(os.readlink(graph / CURRENT)).name]:
        assert time.monotonic() < deadline, sorted(p.name for p in (graph / BUILDS).iterdir())
        time.sleep(0.05)
    for name in LINKS:
        assert os.readlink(graph / name) == f"{CURRENT}/{name}", name


@dataclass(frozen=True)
class Corpus:
    sources: Path
    state: State
    seconds: float  # the wall time of its build by `sanctiongraph build`


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> tuple[Corpus, Corpus]:
    """Two generated corpora (120 and 250 sources), each with the state of its build."""
    folder = tmp_path_factory.mktemp("corpora")
    built = []
    for name, size in (("a", 120), ("b", 250)):
        generate(folder / name, sources=size, seed=1, progress=False)
        started = time.monotonic()
        assert run_build(folder / name, folder / f"{name}-graph").returncode == 0
        built.append(Corpus(folder / name, current_state(folder / f"{name}-graph"), time.monotonic() - started))
    assert built[0].state != built[1].state
    return built[0], built[1]


def test_readers_never_see_a_mixed_build(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """A reader polls graph/ while six builds replace each other; every poll sees A or B whole."""
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    names = {a.state: "A", b.state: "B"}
    seen: Counter[str] = Counter()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            build = Path(os.path.realpath(graph / CURRENT))
            try:
                seen[names.get(state(build), "mixed")] += 1
            except (OSError, RuntimeError):  # Oxigraph reports a store whose files went as a RuntimeError
                if Path(os.path.realpath(graph / CURRENT)) == build:
                    raise  # the current build must always be readable
                seen["swept"] += 1  # replaced, and removed before all of it was read: a reader resolves again

    with ThreadPoolExecutor(1) as pool:
        reader = pool.submit(poll)
        try:
            for corpus in (b, a, b, a, b, a):
                assert run_build(corpus.sources, graph).returncode == 0
        finally:
            done.set()
        reader.result()  # raises what the reader raised
    print(f"polls: {sum(seen.values())}, {dict(seen)}")
    assert seen["mixed"] == 0, seen
    assert seen["A"] > 0 and seen["B"] > 0 and seen["A"] + seen["B"] >= 30, seen
    assert_clean(graph)


def test_killed_builds_leave_one_whole_build(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """Builds killed (SIGKILL) at ten seeded points across a build's duration, and one as soon as its folder
    appears, leave graph/ on a whole build, and the next build sweeps what they left."""
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    other = {a.state: b, b.state: a}
    rng = random.Random(4)
    seconds = {a.state: a.seconds, b.state: b.seconds}  # each corpus's last full build: the load here varies
    outcomes: Counter[str] = Counter()
    for point in range(11):
        before = current_state(graph)
        target = other[before]
        build = start_build(target.sources, graph)
        if point < 10:
            time.sleep(seconds[target.state] * (point + rng.random()) / 10)  # spread over the build's duration
        else:
            while len(list((graph / BUILDS).iterdir())) < 2:  # the new build's folder: it is writing
                assert build.poll() is None
                time.sleep(0.002)
        build.send_signal(signal.SIGKILL)
        finished = build.wait() == 0
        after = current_state(graph)
        assert after in (before, target.state), f"kill {point}: a mixed state"
        for name in LINKS:
            assert os.path.realpath(graph / name) == os.path.realpath(graph / CURRENT / name), name
        left = sorted(p.name for p in graph.iterdir() if p.name not in {LOCK, BUILDS, CACHE, CURRENT, *LINKS})
        left += [p.name for p in (graph / BUILDS).iterdir() if p.resolve() != (graph / CURRENT).resolve()]
        outcomes["finished before the kill" if finished else f"{'new' if after == target.state else 'previous'} build{', leftovers' if left else ''}"] += 1
        assert left or point < 10, "a build killed while writing left nothing to sweep"
        final = other[after]
        started = time.monotonic()
        assert run_build(final.sources, graph).returncode == 0
        seconds[final.state] = time.monotonic() - started
        assert current_state(graph) == final.state
        assert_clean(graph)
    print(f"builds of {seconds[a.state]:.2f} s and {seconds[b.state]:.2f} s; after the kills: {dict(outcomes)}")


def test_a_second_build_is_refused_while_one_runs(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """A build of a folder that another build holds fails at once, naming the folder; the first one goes on."""
    a, b = corpora
    graph = tmp_path / "graph"
    first = start_build(b.sources, graph)
    try:
        deadline = time.monotonic() + 60
        while not ((graph / BUILDS).is_dir() and any((graph / BUILDS).iterdir())):  # past the sources: writing
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
        first.send_signal(signal.SIGSTOP)  # held at this point, the lock with it
        second = run_build(a.sources, graph)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 1
    assert second.stderr == f"sanctiongraph: error: {graph}: another build is writing to this folder; build again once it has finished\n"
    assert first.wait(timeout=120) == 0
    assert current_state(graph) == b.state
    assert_clean(graph)


def test_a_graph_of_the_earlier_layout_is_taken_over(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """Exports as plain files, `store` a link to `.store-<id>`, a staging folder left over: the store opens,
    and the next build puts every name behind `current` and removes the rest."""
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    build = Path(os.path.realpath(graph / CURRENT))
    for name in FILES:
        (graph / name).unlink()
        shutil.copyfile(build / name, graph / name)
    (graph / STORE_LINK).unlink()
    (build / STORE_LINK).rename(graph / ".store-0123456789abcdef")
    (graph / STORE_LINK).symlink_to(".store-0123456789abcdef")
    (graph / CURRENT).unlink()
    shutil.rmtree(graph / BUILDS)
    (graph / LOCK).unlink()
    (graph / ".staging-x1y2z3").mkdir()
    (graph / ".staging-x1y2z3" / f"{STEM}.nq").write_bytes(b"")
    assert len(open_store(graph)) == int(a.state[-1])
    assert run_build(b.sources, graph).returncode == 0
    assert current_state(graph) == b.state
    assert_clean(graph)


def test_a_server_follows_rebuilds_and_keeps_the_build_it_holds(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """Live reload: clients query a server while the graph is rebuilt under it. Every answer is one whole build's
    (A's or B's count), no client sees A again once it has seen B (the workers move together), and the server
    ends on B. A failed rebuild leaves it on B. The build a server holds survives the next build's sweep; the one it
    has let go does not."""
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    first = Path(os.path.realpath(graph / CURRENT))
    query = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    counts = {int(a.state[-1]): "A", int(b.state[-1]): "B"}

    def count(root: str) -> str:
        request = urllib.request.Request(f"{root}sparql?query={query}", headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return counts.get(int(response.read().decode().split()[-1]), "neither")

    def served(root: str) -> str:
        with urllib.request.urlopen(f"{root}health", timeout=30) as response:
            return str(json.loads(response.read())["build"])

    with sanctiongraph_server(graph, tmp_path, "--workers", "2") as root:
        assert count(root) == "A"
        stop = threading.Event()

        def client() -> list[str]:
            seen = []
            while not stop.is_set():
                seen.append(count(root))
            return seen

        with ThreadPoolExecutor(4) as pool:
            clients = [pool.submit(client) for _ in range(4)]
            assert run_build(b.sources, graph).returncode == 0
            second = Path(os.path.realpath(graph / CURRENT))
            deadline = time.monotonic() + 60
            while served(root) != second.name:
                assert time.monotonic() < deadline, "the server did not move to the new build"
                time.sleep(0.2)
            time.sleep(0.5)
            stop.set()
            sequences = [c.result() for c in clients]
        for seen in sequences:
            assert set(seen) <= {"A", "B"}, Counter(seen)
            assert seen[-1] == "B" and "A" not in seen[seen.index("B"):], "".join(seen)
        assert any("A" in seen for seen in sequences), "the rebuild finished before the clients asked anything"

        broken = tmp_path / "broken"
        shutil.copytree(b.sources, broken)
        (broken / "entities.yaml").write_text("entities: [unclosed\n")
        assert run_build(broken, graph).returncode != 0
        assert served(root) == second.name and count(root) == "B"

        assert run_build(a.sources, graph).returncode == 0  # its sweep: the first build is free (the second held)
        assert not first.exists()
        deadline = time.monotonic() + 60
        while served(root) == second.name:
            assert time.monotonic() < deadline, "the server did not move to the third build"
            time.sleep(0.2)
        assert count(root) == "A"
    assert run_build(b.sources, graph).returncode == 0  # the server has stopped: nothing holds the second build
    assert not second.exists()
    assert_clean(graph)


def test_the_sweep_leaves_a_held_build(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    first = Path(os.path.realpath(graph / CURRENT))
    lock = hold(first)
    assert lock is not None
    try:
        assert run_build(b.sources, graph).returncode == 0
        assert first.exists() and (first / STORE_LINK).is_dir()
    finally:
        os.close(lock)
    sweep(graph)
    assert not first.exists() and hold(first) is None
    assert_clean(graph)


def test_a_replaced_build_is_removed_by_a_process_of_its_own_unless_held(corpora: tuple[Corpus, Corpus], tmp_path: Path) -> None:
    """What `sanctiongraph build` does with the build it replaced, once its own work is done: a process of its own
    removes it, and leaves it while a reader holds it."""
    a, b = corpora
    graph = tmp_path / "graph"
    assert run_build(a.sources, graph).returncode == 0
    first = Path(os.path.realpath(graph / CURRENT))
    assert run_build(b.sources, graph).returncode == 0  # the first is replaced, and removed by then or soon after
    assert_clean(graph)
    second = Path(os.path.realpath(graph / CURRENT))
    lock = hold(second)
    assert lock is not None and not first.exists()
    try:
        assert run_build(a.sources, graph).returncode == 0  # the second is replaced while held
        assert os.waitpid(remove_detached(second), 0)[1] == 0
        assert (second / STORE_LINK).is_dir() and (second / f"{STEM}.nq").is_file()
    finally:
        os.close(lock)
    assert os.waitpid(remove_detached(second), 0)[1] == 0
    assert not second.exists()
    assert_clean(graph)
