"""Progress of a build: bars on a terminal once the build runs a while; nothing in a pipe, in CI or with --quiet."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ONTOLOGY

from sanctiongraph import progress
from sanctiongraph.builder.dataset import build


def _on_terminal(*arguments: str, env: dict[str, str]) -> str:
    """What on_terminal answers in a fresh process whose stderr is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run([sys.executable, "-c", f"from sanctiongraph.progress import on_terminal; print(on_terminal({', '.join(arguments)}))"],
                              stderr=follower, stdout=subprocess.PIPE, text=True, check=True, env=env)
    finally:
        os.close(leader)
        os.close(follower)
    return done.stdout.strip()


def test_progress_is_shown_on_a_terminal_only() -> None:
    plain = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm"}
    assert _on_terminal(env=plain) == "True"
    assert _on_terminal("quiet=True", env=plain) == "False"
    assert _on_terminal(env=plain | {"CI": "true"}) == "False"
    assert _on_terminal(env=plain | {"TERM": "dumb"}) == "False"
    assert _on_terminal(env=plain | {"CI": "false"}) == "True"
    done = subprocess.run([sys.executable, "-c", "from sanctiongraph.progress import on_terminal; print(on_terminal())"],
                          capture_output=True, text=True, check=True, env=plain)
    assert done.stdout.strip() == "False"  # stderr a pipe


def test_a_build_shows_its_steps(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """With progress shown at once and redrawn at every step: a bar for the sources read, the quads minted and the
    files written, each cleared once done."""
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.setattr(progress, "REDRAW", 0.0)
    build(sources, ONTOLOGY, tmp_path / "graph", progress=progress.Progress(True))
    shown = capsys.readouterr().err
    count = len(list((sources / "articles").glob("*.yaml")))
    for step in ("reading sources:", f"{count}/{count} [", "minting quads:", " quads]", "writing:", "sanctiongraph.jsonld]", "void.ttl]", "network.jsonl]", "9/9 ["):
        assert step in shown, step
    assert shown.endswith("\r") and "built" not in shown  # the bars cleared; the summary is the command's to print


def test_a_piped_build_prints_only_its_summary(sources: Path, tmp_path: Path) -> None:
    command = Path(sys.executable).parent / "sanctiongraph"
    done = subprocess.run([command, "build", "--sources", sources, "--output", tmp_path / "graph"],
                          capture_output=True, text=True, check=True)
    assert "\r" not in done.stderr and "reading sources" not in done.stderr
    assert done.stderr.splitlines()[-1].startswith("built ")
