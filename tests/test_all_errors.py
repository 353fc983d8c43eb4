"""All errors in one run: a build reports every error of the sources (up to a cap), each at the line of its key,
with the nearest passage of a quote not found and "did you mean" for every kind of reference; exit 1, nothing written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import FIRST_SOURCE, ONTOLOGY
from test_fuzz_input import LOCATED

from sanctiongraph.builder.dataset import build_dataset
from sanctiongraph.builder.source_text import SourceText
from sanctiongraph.cli import main
from sanctiongraph.errors import MAX_ERRORS, SourceErrors

LEDGER = "articles/fixture-kuzbass-ledger-2025-03-mines.yaml"
PREFIX = "sanctiongraph: error: "


def edited(sources: Path, tmp_path: Path, file: str, *changes: tuple[str, str]) -> tuple[Path, list[str]]:
    """A copy of the sources with text replaced in one file (each old text once), and that file's lines."""
    copy = Path(shutil.copytree(sources, tmp_path / "sources"))
    text = (copy / file).read_text(encoding="utf-8")
    for old, new in changes:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (copy / file).write_text(text, encoding="utf-8")
    return copy, text.split("\n")


def line(lines: list[str], text: str) -> int:
    return lines.index(text) + 1


def test_three_mistakes_are_three_located_lines_of_one_run(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy, lines = edited(
        sources, tmp_path, LEDGER,
        ("    evidence: Nearly 500 miners lost their jobs at the suspended pits",
         "    evidence: Nearly 500 miners lost their jobs at the suspended pits’ gates"),
        ("    indicator: employees\n", "    indicator: employes\n"),
        ("    via: [Siberian Courier]", "    via: [siberian-courir]"),
    )
    output = tmp_path / "graph"
    assert main(["build", "--sources", str(copy), "--ontology", str(ONTOLOGY), "--output", str(output)]) == 1
    printed = capsys.readouterr()
    assert printed.out == "" and not output.exists()
    header, *errors = printed.err.rstrip("\n").split("\n")
    assert header == f"{PREFIX}3 errors in the sources:"
    assert len(errors) == 3, errors
    by_kind = {kind: next(e for e in errors if kind in e) for kind in ("employes", "quote not found", "via must list")}
    assert by_kind["employes"].startswith(f"{LEDGER}:{line(lines, '    indicator: employes')}: unknown indicator 'employes'; ")
    assert "did you mean 'employees'" in by_kind["employes"]
    assert by_kind["quote not found"].startswith(f"{LEDGER}:{line(lines, '    evidence: Nearly 500 miners lost their jobs at the suspended pits’ gates')}: ")
    assert "nearest passage: 'Nearly 500 miners lost their jobs at the suspended pits" in by_kind["quote not found"]
    assert by_kind["via must list"].startswith(f"{LEDGER}:{line(lines, '    via: [siberian-courir]')}: via must list agents of "
                                               "entities.yaml; 'siberian-courir' is not one; did you mean 'siberian-courier'")  # first


@pytest.mark.parametrize(("quote", "difference"), [
    ("Ukraine's resources", "(it differs in curly against straight quotes)"),
    ("UKRAINE’S  RESOURCES", "(it differs in spaces, case)"),
    ("lost their jobs - and", None),
])
def test_a_quote_not_found_shows_the_nearest_passage_and_what_differs(quote: str, difference: str | None) -> None:
    text = SourceText("Washington pushes for Ukraine’s resources. Hundreds lost their jobs — and their pay.")
    with pytest.raises(ValueError) as raised:
        text.locate(quote)
    if difference is None:
        assert str(raised.value).endswith("nearest passage: 'lost their jobs — and' (it differs in dashes)")
    else:
        assert str(raised.value).endswith(difference)


def test_the_errors_are_capped(sources: Path, tmp_path: Path) -> None:
    copy, _ = edited(sources, tmp_path, f"articles/{FIRST_SOURCE}.yaml")
    path = copy / "articles" / f"{FIRST_SOURCE}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^    type: Event$", "    type: Evnt", text).replace("    summary:", "    sumary:"), encoding="utf-8")
    with pytest.raises(SourceErrors) as raised:
        build_dataset(copy, ONTOLOGY)
    assert raised.value.count > MAX_ERRORS == len(raised.value.errors)
    assert str(raised.value).startswith(f"{raised.value.count} errors in the sources (the first {MAX_ERRORS}):\n")
    assert all(LOCATED.match(str(error)) for error in raised.value.errors)


def test_a_broken_link_of_another_source_is_located_in_that_source(sources: Path, tmp_path: Path) -> None:
    """Regression: with the fixture sources in sources/, test_fuzz_input renamed a statement of the first source that a
    fixture source links to, and the error named the fixture's file, which the test did not expect. The error is right
    (the broken reference is the fixture's); the test now accepts any file of the sources folder, and the message says
    what is missing."""
    copy, _ = edited(sources, tmp_path, f"articles/{FIRST_SOURCE}.yaml",
                     ("  - id: seredyuk-mines-suspended\n", "  - id: seredyuk-mines-halted\n"))
    with pytest.raises(SourceErrors) as raised:
        build_dataset(copy, ONTOLOGY)
    messages = [str(error) for error in raised.value.errors]
    assert all(LOCATED.match(message) for message in messages), messages
    ledger = (copy / LEDGER).read_text(encoding="utf-8").split("\n")
    at = line(ledger, f"    reportsSameAs: {FIRST_SOURCE}/seredyuk-mines-suspended")
    assert f"{LEDGER}:{at}: reportsSameAs: the source '{FIRST_SOURCE}' has no statement 'seredyuk-mines-suspended'; " \
           f"did you mean '{FIRST_SOURCE}/seredyuk-mines-halted'" in " ".join(messages)
