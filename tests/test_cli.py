"""The command line: build through the console command and through build_graph.py, as a user would."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import ONTOLOGY, ROOT, SOURCES

from sanctiongraph.cli import main


def test_build_reports_coverage_on_stderr(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["build", "--sources", str(SOURCES), "--ontology", str(ONTOLOGY), "--output", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert re.search(r"built \d+ source\(s\)(?: \(\d+ unchanged, from the cache\))?, \d+ statements, \d+ quads; (\d+)/\1 story sentences carry a statement", captured.err)
    assert (tmp_path / "sanctiongraph.trig").is_file()


def test_quiet_build_prints_nothing(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["build", "-q", "--output", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")


def test_build_graph_script_does_what_build_does(tmp_path: Path) -> None:
    via_script = tmp_path / "script"
    via_command = tmp_path / "command"
    subprocess.run([sys.executable, str(ROOT / "build_graph.py"), "-q", "--output", str(via_script)], check=True)
    subprocess.run([Path(sys.executable).parent / "sanctiongraph", "build", "-q", "--output", str(via_command)], check=True)
    assert sorted(p.name for p in via_script.iterdir() if not p.name.startswith(".")) == sorted(
        p.name for p in via_command.iterdir() if not p.name.startswith(".")
    )
    for path in via_script.iterdir():
        if path.is_file() and not path.is_symlink():
            assert path.read_bytes() == (via_command / path.name).read_bytes()


def test_usage_error_exits_2(capsys) -> None:  # type: ignore[no-untyped-def]
    try:
        main(["frobnicate"])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("an unknown command must exit 2")
    assert "invalid choice" in capsys.readouterr().err
