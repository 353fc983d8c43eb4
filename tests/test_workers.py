"""The build's worker processes: a build on several of them writes the bytes a build in one process writes, and
reports the same errors, in the same order, whatever the workers' scheduling."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ONTOLOGY

from sanctiongraph import corpus
from sanctiongraph.builder.builds import CACHE, CURRENT
from sanctiongraph.builder.dataset import SOURCES_PER_WORKER, build
from sanctiongraph.builder.digests import DIGESTS
from sanctiongraph.builder.exports import EXPORTS, STEM, VOID_FILE
from sanctiongraph.builder.manifest import MANIFEST_FILE
from sanctiongraph.builder.workers import Workers
from sanctiongraph.errors import SanctionGraphError, SourceError

FILES = [*(f"{STEM}.{export.suffix}" for export in EXPORTS), VOID_FILE, MANIFEST_FILE]
SIZE = 3 * SOURCES_PER_WORKER + 5  # enough for three workers, the last with a few more sources than the others
PATIENCE = 120  # seconds a test waits for a process: a guard against hanging, not a timing check


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workers") / "sources"
    corpus.generate(folder, sources=SIZE, seed=11, progress=False)
    return folder


def _children_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _build_error(sources: Path, output: Path, jobs: int) -> str:
    with pytest.raises(SanctionGraphError) as raised:
        build(sources, ONTOLOGY, output, jobs=jobs)
    assert not output.exists()  # nothing written
    return str(raised.value)


def test_workers_write_the_bytes_of_one_process(generated: Path, tmp_path: Path) -> None:
    alone = build(generated, ONTOLOGY, tmp_path / "alone", jobs=1)
    before = _children_seconds()
    shared = build(generated, ONTOLOGY, tmp_path / "shared", jobs=3)
    assert _children_seconds() > before  # the sources were read by worker processes, which ran and were waited for
    assert shared.dataset.sources == alone.dataset.sources == SIZE and shared.quads == alone.quads
    for name in FILES:
        assert (tmp_path / "shared" / CURRENT / name).read_bytes() == (tmp_path / "alone" / CURRENT / name).read_bytes(), name
    def entries(graph: Path) -> dict[str, bytes]:  # but the files' digests, kept only for files older than a second
        return {path.name: path.read_bytes() for path in (graph / CACHE).iterdir() if path.name != DIGESTS}

    assert entries(tmp_path / "shared") == entries(tmp_path / "alone")
    assert [c.source for c in shared.dataset.coverage] == [c.source for c in alone.dataset.coverage]
    assert shared.dataset.locations == alone.dataset.locations


def test_workers_report_the_errors_of_one_process_in_its_order(generated: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(generated, sources)
    articles = sorted((sources / "articles").glob("*.yaml"))
    # errors in sources read by different workers: a bad statement type, a bad reference, a broken file, a duplicate id
    for number, (old, new) in enumerate([("type: ", "type: NoSuchType"), ("initiator: ", "initiator: nobody-")]):
        for path in articles[number::SOURCES_PER_WORKER // 2]:
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(old, new, 1) if old in text else text.replace("publisher: ", "publisher: nobody-", 1), encoding="utf-8")
    articles[7].write_text("id: [unclosed\n", encoding="utf-8")
    articles[-1].write_text(articles[-1].read_text(encoding="utf-8").replace(f"id: {articles[-1].stem}", f"id: {articles[3].stem}", 1), encoding="utf-8")
    in_one = _build_error(sources, tmp_path / "one", jobs=1)
    assert in_one.count("\n") >= 8 and "duplicate source id" in in_one and articles[7].name in in_one
    assert _build_error(sources, tmp_path / "three", jobs=3) == in_one


def test_workers_refuse_draft_statements_as_one_process_does(generated: Path, tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(generated, sources)
    articles = sorted((sources / "articles").glob("*.yaml"))
    for path in (articles[2], articles[-2]):
        path.write_text(path.read_text(encoding="utf-8").replace("  evidence: ", "  draft: check the quote\n  evidence: ", 1), encoding="utf-8")
    refused = _build_error(sources, tmp_path / "one", jobs=1)
    assert refused.startswith("2 unreviewed draft statement(s)")
    assert _build_error(sources, tmp_path / "two", jobs=2) == refused
    preview = build(sources, ONTOLOGY, tmp_path / "preview", allow_drafts=True, jobs=2)
    alone = build(sources, ONTOLOGY, tmp_path / "alone", allow_drafts=True, jobs=1)
    assert preview.dataset.statements == alone.dataset.statements == build(generated, ONTOLOGY, tmp_path / "all", jobs=2).dataset.statements - 2
    assert (tmp_path / "preview" / CURRENT / f"{STEM}.nq").read_bytes() == (tmp_path / "alone" / CURRENT / f"{STEM}.nq").read_bytes()


def _square(index: int, offset: int) -> tuple[int, bytes]:
    return index * index + offset, str(os.getpid()).encode()


def test_workers_keep_what_a_step_leaves_for_the_next_and_run_apart() -> None:
    left: dict[int, int] = {}

    def first(index: int, argument: None) -> tuple[int, bytes]:
        left[index] = index * 10
        return index, b""

    def second(index: int, argument: int) -> tuple[int, bytes]:
        return left.pop(index) + argument, str(os.getpid()).encode()

    with Workers(9, 3, [first, second]) as workers:
        assert sorted(index for index, _, _ in workers.run(0)) == list(range(9))
        results = {index: (value, data) for index, value, data in workers.run(1, 5)}
    assert {index: value for index, (value, _) in results.items()} == {index: index * 10 + 5 for index in range(9)}
    processes = {data for _, data in results.values()}
    assert len(processes) == 3 and str(os.getpid()).encode() not in processes  # each item in the worker that kept it
    assert not left  # nothing ran in this process


def _fails(index: int, argument: None) -> tuple[int, bytes]:
    if index == 4:
        raise SourceError("articles/x.yaml:3", "a failure in a worker")
    return index, b""


def _dies(index: int, argument: None) -> tuple[int, bytes]:
    if index == 4:
        os._exit(3)
    return index, b""


def test_a_worker_failure_is_raised_in_the_build() -> None:
    with pytest.raises(SourceError, match=r"^articles/x.yaml:3: a failure in a worker$"), Workers(6, 2, [_fails]) as workers:
        list(workers.run(0))
    with pytest.raises(RuntimeError, match="ended before sending its results"), Workers(6, 2, [_dies]) as workers:
        list(workers.run(0))


def test_jobs_must_be_a_whole_number(tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "sanctiongraph"
    done = subprocess.run([str(command), "build", "--jobs", "0", "--output", str(tmp_path / "graph")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "argument --jobs/-j: must be a whole number of at least 1, not '0'" in done.stderr
    assert not (tmp_path / "graph").exists()


def _descriptors(index: int, argument: None) -> tuple[list[int], bytes]:
    return sorted(int(name) for name in os.listdir("/proc/self/fd")), b""


def test_a_worker_keeps_none_of_the_parents_descriptors(tmp_path: Path) -> None:
    """A worker holds nothing of its parent's but its pipe: not the build's lock, which a worker outliving a killed
    build would otherwise keep held against the next build."""
    with (tmp_path / "held").open("wb") as held, Workers(2, 2, [_descriptors]) as workers:
        for _, descriptors, _ in workers.run(0):
            assert held.fileno() not in descriptors
            assert len([number for number in descriptors if number > 2]) <= 2  # its pipe, and the listing's own


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def test_the_workers_of_a_killed_build_end(generated: Path, tmp_path: Path) -> None:
    """A build killed (SIGKILL) while its workers read leaves none of them running, nor the folder's lock held."""
    command = [str(Path(sys.executable).parent / "sanctiongraph"), "build", "--sources", str(generated), "--ontology", str(ONTOLOGY),
               "--output", str(tmp_path / "graph"), "--jobs", "2", "--quiet"]
    build_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + PATIENCE
    while len(workers := _children(build_process.pid)) < 2:
        assert build_process.poll() is None and time.monotonic() < deadline, "the build ended before its workers were seen"
        time.sleep(0.001)
    build_process.send_signal(signal.SIGKILL)
    build_process.wait()
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker of the killed build is still running"
        time.sleep(0.05)
    done = subprocess.run(command, capture_output=True, text=True, timeout=PATIENCE)  # the lock is free
    assert done.returncode == 0, done.stderr
