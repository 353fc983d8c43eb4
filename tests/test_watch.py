"""`sanctiongraph build --watch` as a person runs it: a real process over a project, edits saved under it, and a
running `sanctiongraph serve` that answers from each new build; Ctrl-C ends it with status 0."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import sanctiongraph_server
from test_server import sparql

from sanctiongraph.builder.builds import CURRENT
from sanctiongraph.cli import main
from sanctiongraph.corpus import generate

PATIENCE = 180  # seconds a test waits for a build before it gives up: a guard against hanging, not a timing check
BUILT = re.compile(r"^built 2 source\(s\)", re.MULTILINE)


def _project(tmp_path: Path) -> Path:
    generate(tmp_path / "sources", sources=2, seed=3)
    return tmp_path


def _interruptible() -> None:
    """In the child: SIGINT as a terminal gives it. A suite started as a background job without job control starts
    its children with SIGINT ignored, and `build --watch` would then never stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def watching(project: Path) -> Iterator[Path]:
    """`sanctiongraph build --watch` running in the project; yields the file its output goes to. It is stopped
    with SIGINT, as Ctrl-C would, and must exit with status 0."""
    log_path = project / "watch.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "sanctiongraph"), "build", "--watch"],
                                   stdout=log, stderr=subprocess.STDOUT, cwd=project, env={**os.environ, "CI": "true"},
                                   preexec_fn=_interruptible)
        try:
            wait_for(log_path, BUILT, 1, process)
            wait_for(log_path, re.compile("^watching ", re.MULTILINE), 1, process)
            yield log_path
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0, log_path.read_text()
    assert log_path.read_text().endswith("stopped watching\n")


def wait_for(log_path: Path, pattern: re.Pattern[str], count: int, process: subprocess.Popen[bytes] | None = None) -> str:
    """The log once pattern occurs in it count times."""
    deadline = time.monotonic() + PATIENCE
    while len(pattern.findall(text := log_path.read_text())) < count:
        assert process is None or process.poll() is None, text
        assert time.monotonic() < deadline, f"{pattern.pattern!r} not {count} times in the log within {PATIENCE} s:\n{text}"
        time.sleep(0.1)
    return text


def _summarised(root: str, summary: str) -> bool:
    answer = sparql(root, f'ASK {{ ?s <https://w3id.org/sanctiongraph/ontology#summary> ?o FILTER(STR(?o) = "{summary}") }}',
                    "application/sparql-results+json")
    assert answer.status == 200, answer.body
    return bool(json.loads(answer.body)["boolean"])


def _with_summary(annotation: str, summary: str) -> str:
    """The annotation with its first statement's summary replaced."""
    return re.sub(r"(?m)^(  summary: ).*$", rf"\g<1>{summary}", annotation, count=1)


def test_a_saved_edit_reaches_a_running_server_and_the_last_of_a_burst_wins(tmp_path: Path) -> None:
    project = _project(tmp_path)
    annotation = project / "sources" / "articles" / "synthetic-00001.yaml"
    with watching(project) as log, sanctiongraph_server(None, project) as root:
        assert not _summarised(root, "Edited summary 5.")
        original = annotation.read_text(encoding="utf-8")
        for version in range(1, 6):  # a burst of saves
            annotation.write_text(_with_summary(original, f"Edited summary {version}."), encoding="utf-8")
        deadline = time.monotonic() + PATIENCE
        while not _summarised(root, "Edited summary 5."):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "changed: synthetic-00001.yaml" in log.read_text()
        assert not any(_summarised(root, f"Edited summary {version}.") for version in range(1, 5))


def test_a_broken_edit_prints_the_error_keeps_the_build_and_the_next_good_edit_builds(tmp_path: Path) -> None:
    project = _project(tmp_path)
    annotation = project / "sources" / "articles" / "synthetic-00002.yaml"
    good = annotation.read_text(encoding="utf-8")
    with watching(project) as log:
        before = os.path.realpath(project / "graph" / CURRENT)
        annotation.write_text(good.replace("type: NewsArticle", "type: NewsArticel", 1), encoding="utf-8")
        text = wait_for(log, re.compile(r"^sanctiongraph: error: .*synthetic-00002\.yaml.*NewsArticel", re.MULTILINE), 1)
        assert os.path.realpath(project / "graph" / CURRENT) == before
        assert len(BUILT.findall(text)) == 1
        annotation.write_text(_with_summary(good, "Mended at last."), encoding="utf-8")
        wait_for(log, BUILT, 2)
        assert os.path.realpath(project / "graph" / CURRENT) != before



def test_watching_a_folder_that_is_not_there_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", "--watch", "--sources", str(tmp_path / "none"), "--output", str(tmp_path / "graph")]) == 1
    assert capsys.readouterr().err == (f"sanctiongraph: error: {tmp_path / 'none'}: no such folder to watch; --watch needs the "
                                       "sources folder (entities.yaml, articles/) and the ontology folder to exist\n")
    assert not (tmp_path / "graph").exists()
