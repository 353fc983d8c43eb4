"""Bad input is refused with one located error line, and the output folder is left exactly as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from sanctiongraph.cli import main

REPO = Path(__file__).resolve().parents[1]
ONTOLOGY = REPO / "ontology"
ARTICLE = "articles/newsweek-2025-03-russia-mines.yaml"
REGISTRY = "entities.yaml"
PREFIX = "sanctiongraph: error: "

FileState = tuple[bytes, int, int] | None


@dataclass(frozen=True)
class Edit:
    """A text replacement in one file of the sources folder, and the line the error must then name.

    The expected line is the line of the edited file equal to `line`; with `after`, the first such
    line below the (unique) line equal to `after`."""

    file: str
    old: str
    new: str
    line: str
    after: str | None = None


@dataclass
class Workspace:
    sources: Path
    output: Path
    capsys: pytest.CaptureFixture[str]

    def build(self) -> int:
        return main(["build", "--sources", str(self.sources), "--ontology", str(ONTOLOGY), "--output", str(self.output)])

    def edit(self, file: str, old: str, new: str) -> str:
        path = self.sources / file
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
        edited = text.replace(old, new)
        path.write_text(edited, encoding="utf-8")
        return edited

    def reject(self, change: Callable[[], object]) -> list[str]:
        """Build into the output folder, apply change, build again; return the error's stderr lines.

        Asserts that the second build fails with exit code 1 and leaves the output folder untouched."""
        assert self.build() == 0
        self.capsys.readouterr()
        before = snapshot(self.output)
        assert {name for name, state in before.items() if state is not None} >= {
            "sanctiongraph.trig", "sanctiongraph.nq", "sanctiongraph.ttl", "sanctiongraph.nt",
            "sanctiongraph.jsonld", "void.ttl",
        }
        change()
        code = self.build()
        captured = self.capsys.readouterr()
        assert code == 1
        assert captured.out == ""
        assert snapshot(self.output) == before
        assert captured.err.endswith("\n")
        lines = captured.err[:-1].split("\n")
        assert lines[0].startswith(PREFIX)
        return lines

    def reject_edit(self, edit: Edit) -> tuple[str, int]:
        """Apply an edit expecting a one-line error; return the message (without prefix) and the expected line."""
        lines = self.reject(lambda: self.edit(edit.file, edit.old, edit.new))
        assert len(lines) == 1, lines
        edited = (self.sources / edit.file).read_text(encoding="utf-8")
        return lines[0][len(PREFIX):], line_number(edited, edit.line, edit.after)


def snapshot(folder: Path) -> dict[str, FileState]:
    """Every file and folder below folder (hidden ones too), with each file's bytes, mtime and inode."""
    state: dict[str, FileState] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_file():
            stat = path.stat()
            state[name] = (path.read_bytes(), stat.st_mtime_ns, stat.st_ino)
        else:
            state[name] = None
    return state


def line_number(text: str, line: str, after: str | None = None) -> int:
    lines = text.split("\n")
    start = 0
    if after is not None:
        assert lines.count(after) == 1, f"{after!r} is not a unique line"
        start = lines.index(after) + 1
    else:
        assert lines.count(line) == 1, f"{line!r} is not a unique line"
    return lines.index(line, start) + 1


def assert_located(message: str, edit: Edit, line: int, *phrases: str) -> None:
    assert message.startswith(f"{edit.file}:{line}: "), message
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in {message!r}"


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "sources", tmp_path / "sources"))


@pytest.fixture
def workspace(sources: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Workspace:
    return Workspace(sources, tmp_path / "graph", capsys)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(Edit(ARTICLE, "    summary: Russia is shutting down its mines.\n",
                          "   summary: Russia is shutting down its mines.\n",
                          "   summary: Russia is shutting down its mines."), id="bad-indentation"),
        pytest.param(Edit(ARTICLE, "    place: russia\n", "\tplace: russia\n", "\tplace: russia"), id="tab-indentation"),
        pytest.param(Edit(ARTICLE, "    evidence: He said whatever\n", '    evidence: "He said whatever\n',
                          '    evidence: "He said whatever'), id="unclosed-quote"),
        pytest.param(Edit(ARTICLE, "    participant: [trump, zelenskyy]\n    place: white-house\n",
                          "    participant: [trump, zelenskyy\n    place: white-house\n",
                          "    participant: [trump, zelenskyy"), id="unclosed-list"),
    ],
)
def test_malformed_yaml(workspace: Workspace, edit: Edit) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, "malformed YAML")


@pytest.mark.parametrize(
    ("edit", "key"),
    [
        pytest.param(Edit(ARTICLE, "    summary: Russia is shutting down its mines.\n",
                          "    summary: Russia is shutting down its mines.\n    summary: Mines are closing.\n",
                          "    summary: Mines are closing."), "summary", id="statement-key"),
        pytest.param(Edit(REGISTRY, "# --- states and international organisations\n",
                          "# --- states and international organisations\n\ntrump:\n  type: Person\n  label: Donald J. Trump\n",
                          "trump:", after="# --- states and international organisations"), "trump", id="registry-entity"),
    ],
)
def test_duplicate_yaml_key(workspace: Workspace, edit: Edit, key: str) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, "malformed YAML", f"duplicate key {key!r}")


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(Edit(ARTICLE, "    place: russia\n", "    [place, about]: russia\n", "    [place, about]: russia"),
                     id="list-as-key"),
        pytest.param(Edit(ARTICLE, "    place: russia\n", "    ? {place: russia}\n    : russia\n", "    ? {place: russia}"),
                     id="mapping-as-key"),
    ],
)
def test_key_that_is_not_text(workspace: Workspace, edit: Edit) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, "key")


@pytest.mark.parametrize(
    ("edit", "phrases"),
    [
        pytest.param(Edit(ARTICLE, "    holder: seredyuk\n", "    holder: seredyukk\n", "    holder: seredyukk"),
                     ("unknown entity or statement 'seredyukk'", "did you mean 'seredyuk'"), id="unknown-entity-suggests-the-closest"),
        pytest.param(Edit(ARTICLE, "  - id: white-house-clash\n    type: Event\n", "  - id: white-house-clash\n    type: Evnt\n", "  - id: white-house-clash"),
                     ("unknown statement type 'Evnt'", "allowed:", "Event"), id="unknown-statement-type"),
        pytest.param(Edit(ARTICLE, "    summary: Russia is shutting down its mines.\n", "    sumary: Russia is shutting down its mines.\n", "    sumary: Russia is shutting down its mines."),
                     ("unknown property 'sumary'", "summary"), id="unknown-property"),
        pytest.param(Edit(ARTICLE, "    eventType: public-dispute\n", "    eventType: public-dispute\n    holder: putin\n", "    holder: putin", after="  - id: white-house-clash"),
                     ("not allowed", "'holder'", "eventType"), id="property-not-allowed-on-the-class"),
        pytest.param(Edit(ARTICLE, "    measureKind: [embargo, import-ban]\n", "    measureKind: [embargoo, import-ban]\n", "    measureKind: [embargoo, import-ban]"),
                     ("unknown measureKind 'embargoo'", "allowed:", "embargo"), id="vocabulary-value-not-allowed"),
        pytest.param(Edit(ARTICLE, "    holder: putin\n", "    holder: russia\n", "    holder: russia"),
                     ("holder must be a person", "'russia' is a country"), id="reference-of-the-wrong-class"),
        pytest.param(Edit(ARTICLE, "    evidence: Russia shutting down its mines\n", "    evidence: Russia shutting down its coal mines\n", "  - id: russia-shutting-mines"),
                     ("quote not found in the text", "Russia shutting down its coal mines"), id="quote-not-in-the-text"),
        pytest.param(Edit(ARTICLE, "    evidence:\n      quote: Levi said\n      occurrence: 2\n", "    evidence: Levi said\n", "  - id: levi-forecast"),
                     ("quote occurs 2 times", "occurrence: N"), id="ambiguous-quote"),
        pytest.param(Edit(ARTICLE, "    degree: plummeting\n", "    degree: plunging\n", "    degree: plunging"),
                     ("degree 'plunging' does not occur in the statement's evidence",), id="verbatim-value-not-in-the-evidence"),
        pytest.param(Edit(ARTICLE, "publisher: newsweek\n", "publisher: newsweeek\n", "publisher: newsweeek"),
                     ("publisher 'newsweeek' is not an organisation",), id="publisher-not-in-the-registry"),
    ],
)
def test_a_bad_value_is_located(workspace: Workspace, edit: Edit, phrases: tuple[str, ...]) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, *phrases)


@pytest.mark.parametrize(
    ("edit", "date"),
    [
        pytest.param(Edit(ARTICLE, "      value: 2025-02-28\n", "      value: 2025-02-30\n", "    date:",
                          after="  - id: white-house-clash"), "2025-02-30", id="statement-date"),
        pytest.param(Edit(ARTICLE, "  value: 2025-03\n", "  value: 2025-13\n", "published:"), "2025-13",
                     id="publication-date"),
    ],
)
def test_impossible_date(workspace: Workspace, edit: Edit, date: str) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, f"{date!r} is an impossible date")


def test_duplicate_statement_id(workspace: Workspace) -> None:
    original = (workspace.sources / ARTICLE).read_text(encoding="utf-8")
    first = line_number(original, "  - id: levi-on-sanctions")
    edit = Edit(ARTICLE, "  - id: levi-forecast\n", "  - id: levi-on-sanctions\n", "  - id: levi-on-sanctions",
                after="  - id: coal-hardship-2025")
    message, line = workspace.reject_edit(edit)
    assert first < line
    assert_located(message, edit, line, f"duplicate statement id 'levi-on-sanctions' (first at line {first})")


def test_duplicate_source_id(workspace: Workspace) -> None:
    copy = "articles/repeat.yaml"
    lines = workspace.reject(lambda: shutil.copyfile(workspace.sources / ARTICLE, workspace.sources / copy))
    assert len(lines) == 1, lines
    text = (workspace.sources / copy).read_text(encoding="utf-8")
    line = line_number(text, "id: newsweek-2025-03-russia-mines")
    assert lines[0] == (
        f"{PREFIX}{copy}:{line}: duplicate source id 'newsweek-2025-03-russia-mines' (also in {ARTICLE})"
    )


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        pytest.param(Edit(REGISTRY, "putin:\n  type: Person\n", "putin:\n  type: Persn\n", "putin:"),
                     "unknown type 'Persn' for an entity", id="unknown-type"),
    ],
)
def test_malformed_registry_entity(workspace: Workspace, edit: Edit, phrase: str) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, phrase)


def test_malformed_wikidata_id_fails_the_identifiers_check(workspace: Workspace) -> None:
    lines = workspace.reject(lambda: workspace.edit(REGISTRY, "  wikidataId: Q7747\n", "  wikidataId: Q 7747\n"))
    text = (workspace.sources / REGISTRY).read_text(encoding="utf-8")
    assert lines == [
        f"{PREFIX}1 check violation:",
        f"{REGISTRY}:{line_number(text, 'putin:')}: wikidataId 'Q 7747' is not a Q-number such as Q159 [check identifiers]",
    ]


def test_missing_registry(workspace: Workspace) -> None:
    lines = workspace.reject((workspace.sources / REGISTRY).unlink)
    assert lines == [f"{PREFIX}{REGISTRY}: the entity registry is missing"]


def test_not_story_that_is_not_a_list(workspace: Workspace) -> None:
    text = (workspace.sources / ARTICLE).read_text(encoding="utf-8")
    block = text[text.index("not-story:\n"):text.index("\nstatements:\n")]
    edit = Edit(ARTICLE, block, "not-story: 5\n", "not-story: 5")
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, "not-story")


def test_check_violation(workspace: Workspace) -> None:
    lines = workspace.reject(lambda: workspace.edit(ARTICLE, "    eventType: public-dispute\n", ""))
    line = line_number((workspace.sources / ARTICLE).read_text(encoding="utf-8"), "  - id: white-house-clash")
    assert lines == [
        f"{PREFIX}1 check violation:",
        f"{ARTICLE}:{line}: an event needs an eventType [check statement-required]",
    ]


def test_failed_build_creates_no_output_folder(workspace: Workspace) -> None:
    workspace.edit(ARTICLE, "    holder: putin\n", "    holder: russia\n")
    assert workspace.build() == 1
    assert workspace.capsys.readouterr().err.startswith(PREFIX)
    assert not workspace.output.exists()
