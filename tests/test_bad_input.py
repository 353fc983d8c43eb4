"""Bad input is refused with one located error line, and the output folder is left exactly as it was."""

from __future__ import annotations

import os
import re
import resource
import shutil
import signal
import subprocess
import sys
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
        """Apply an edit expecting an error at a line; return the message (without prefix) and the expected line.

        One error is one line; where the edit breaks what refers to the edited line too (an ID changed), the build
        reports every error, under a line that counts them, and the message is the one of the edited line."""
        lines = self.reject(lambda: self.edit(edit.file, edit.old, edit.new))
        edited = (self.sources / edit.file).read_text(encoding="utf-8")
        line = line_number(edited, edit.line, edit.after)
        if len(lines) == 1:
            return lines[0][len(PREFIX):], line
        assert re.fullmatch(rf"{PREFIX}{len(lines) - 1} errors in the sources:", lines[0]), lines[0]
        return next((l for l in lines[1:] if l.startswith(f"{edit.file}:{line}: ")), lines[1]), line


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
        pytest.param(Edit(ARTICLE, "  - id: white-house-clash\n    type: Event\n", "  - id: white-house-clash\n    type: Evnt\n", "    type: Evnt", after="  - id: white-house-clash"),
                     ("unknown statement type 'Evnt'", "allowed:", "Event"), id="unknown-statement-type"),
        pytest.param(Edit(ARTICLE, "    summary: Russia is shutting down its mines.\n", "    sumary: Russia is shutting down its mines.\n", "    sumary: Russia is shutting down its mines."),
                     ("unknown property 'sumary'", "summary"), id="unknown-property"),
        pytest.param(Edit(ARTICLE, "    eventType: public-dispute\n", "    eventType: public-dispute\n    holder: putin\n", "    holder: putin", after="  - id: white-house-clash"),
                     ("not allowed", "'holder'", "eventType"), id="property-not-allowed-on-the-class"),
        pytest.param(Edit(ARTICLE, "    measureKind: [embargo, import-ban]\n", "    measureKind: [embargoo, import-ban]\n", "    measureKind: [embargoo, import-ban]"),
                     ("unknown measureKind 'embargoo'", "allowed:", "embargo"), id="vocabulary-value-not-allowed"),
        pytest.param(Edit(ARTICLE, "    holder: putin\n", "    holder: russia\n", "    holder: russia"),
                     ("holder must be a person", "'russia' is a country"), id="reference-of-the-wrong-class"),
        pytest.param(Edit(ARTICLE, "    evidence: Russia shutting down its mines\n", "    evidence: Russia shutting down its coal mines\n", "    evidence: Russia shutting down its coal mines"),
                     ("quote not found in the text", "Russia shutting down its coal mines",
                      "nearest passage: 'Russia shutting down its mines' (the quote has 'coal' that the text has not)"), id="quote-not-in-the-text"),
        pytest.param(Edit(ARTICLE, "    evidence:\n      quote: Levi said\n      occurrence: 2\n", "    evidence: Levi said\n", "    evidence: Levi said", after="  - id: levi-forecast"),
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
        pytest.param(Edit(REGISTRY, "putin:\n  type: Person\n", "putin:\n  type: Persn\n", "  type: Persn", after="putin:"),
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
        f"{REGISTRY}:{line_number(text, 'putin:')}: wikidataId 'Q 7747' is not a Q-number such as Q159 (Q and at most 12 digits) [check identifiers]",
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


# --- files a source may read: regular files inside the sources folder, at most 16 MiB

TEXT_LINE = "text: newsweek-2025-03-russia-mines.txt"
SECRET = "sanctiongraph-test-secret-line"


def point_text_at(workspace: Workspace, target: str) -> None:
    workspace.edit(ARTICLE, TEXT_LINE + "\n", f"text: {target}\n")


@pytest.mark.parametrize(
    ("prepare", "phrase"),
    [
        pytest.param(lambda ws, outside: "/proc/self/environ", "is outside the sources folder", id="proc-self-environ"),
        pytest.param(lambda ws, outside: str(outside), "is outside the sources folder", id="absolute-path"),
        pytest.param(lambda ws, outside: "../../" + outside.name, "is outside the sources folder", id="dot-dot"),
        pytest.param(lambda ws, outside: link(ws, "linked.txt", outside), "is outside the sources folder", id="link-to-outside"),
        pytest.param(lambda ws, outside: "/dev/zero", "is outside the sources folder", id="dev-zero"),
        pytest.param(lambda ws, outside: link(ws, "zero.txt", Path("/dev/zero")), "is outside the sources folder", id="link-to-dev-zero"),
        pytest.param(lambda ws, outside: fifo(ws, "fifo.txt"), "is not a regular file", id="fifo-inside"),
        pytest.param(lambda ws, outside: ".", "is not a regular file", id="folder"),
        pytest.param(lambda ws, outside: sparse(ws, "huge.txt", 16 * 1024 * 1024 + 1), "is larger than 16 MiB", id="over-16-mib"),
        pytest.param(lambda ws, outside: "missing.txt", "cannot read the file 'missing.txt'", id="missing"),
    ],
)
def test_the_source_text_is_a_regular_file_inside_the_sources(
    workspace: Workspace, tmp_path: Path, prepare: Callable[[Workspace, Path], str], phrase: str
) -> None:
    outside = tmp_path / "outside.txt"  # next to the sources folder, not in it
    outside.write_text(f"{SECRET}.\n", encoding="utf-8")
    original = (workspace.sources / ARTICLE).read_text(encoding="utf-8")
    lines = workspace.reject(lambda: point_text_at(workspace, prepare(workspace, outside)))
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{PREFIX}{ARTICLE}:{line_number(original, TEXT_LINE)}: "), lines[0]
    assert phrase in lines[0]
    assert SECRET not in lines[0]


def test_the_text_may_be_a_link_inside_the_sources(workspace: Workspace) -> None:
    shutil.move(workspace.sources / "articles/newsweek-2025-03-russia-mines.txt", workspace.sources / "texts.txt")
    link(workspace, "newsweek-2025-03-russia-mines.txt", workspace.sources / "texts.txt")
    assert workspace.build() == 0


@pytest.mark.parametrize("file", [REGISTRY, ARTICLE])
def test_a_yaml_file_linked_from_outside_is_refused(workspace: Workspace, tmp_path: Path, file: str) -> None:
    outside = tmp_path / "outside.yaml"

    def link_from_outside() -> None:
        shutil.move(workspace.sources / file, outside)
        (workspace.sources / file).symlink_to(outside)

    lines = workspace.reject(link_from_outside)
    assert lines == [f"{PREFIX}{file}: the file is outside the sources folder ({outside}); only files inside it are read"]


def link(workspace: Workspace, name: str, target: Path) -> str:
    (workspace.sources / "articles" / name).symlink_to(target)
    return name


def fifo(workspace: Workspace, name: str) -> str:
    os.mkfifo(workspace.sources / "articles" / name)
    return name


def sparse(workspace: Workspace, name: str, size: int) -> str:
    with (workspace.sources / "articles" / name).open("wb") as stream:
        stream.truncate(size)
    return name


# --- YAML that stands for more than it holds, and values no message may quote in full

BILLION_LAUGHS = "".join(
    f"lol{n}: &lol{n} [{', '.join([f'*lol{n - 1}'] * 10)}]\n" if n else "lol0: &lol0 lol\n" for n in range(10)
)


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(Edit(ARTICLE, "    place: russia\n", "    place: &where russia\n    about: *where\n",
                          "    place: &where russia"), id="anchor-and-alias"),
        pytest.param(Edit(ARTICLE, "    summary: Russia is shutting down its mines.\n",
                          "    summary: &s Russia is shutting down its mines.\n", "    summary: &s Russia is shutting down its mines."),
                     id="anchor-alone"),
        pytest.param(Edit(REGISTRY, "# --- states and international organisations\n",
                          "# --- states and international organisations\n" + BILLION_LAUGHS,
                          "lol0: &lol0 lol"), id="billion-laughs-in-the-registry"),
        pytest.param(Edit(ARTICLE, "statements:\n", "not-story: *x\nstatements:\n", "not-story: *x"),
                     id="alias-to-nothing"),
    ],
)
def test_anchors_and_aliases_are_refused(workspace: Workspace, edit: Edit) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, "anchors and aliases (&x, *x) are not allowed")


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        pytest.param(Edit(ARTICLE, "  - id: white-house-clash\n", f"  - id: {'White' * 100_000}\n", "  - id: " + "White" * 100_000),
                     "invalid id 'WhiteWhite", id="id"),
        pytest.param(Edit(ARTICLE, "    evidence: Russia shutting down its mines\n", f"    evidence: {{quote: [{', '.join(['x'] * 50_000)}]}}\n",
                          f"    evidence: {{quote: [{', '.join(['x'] * 50_000)}]}}"), "a quote must be text, not ['x', 'x', 'x', 'x', ...]", id="long-list"),
        pytest.param(Edit(ARTICLE, "    evidence: Russia shutting down its mines\n", f"    evidence: {{quote: {'x' * 1_000_000}}}\n",
                          f"    evidence: {{quote: {'x' * 1_000_000}}}"), "quote not found in the text", id="quote"),
        pytest.param(Edit(REGISTRY, "putin:\n  type: Person\n", f"putin:\n  type: {'Persona' * 100_000}\n", f"  type: {'Persona' * 100_000}"),
                     "unknown type 'PersonaPersona", id="type"),
    ],
)
def test_a_quoted_value_is_cut_short(workspace: Workspace, edit: Edit, phrase: str) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, phrase)
    assert len(message) < 1000, len(message)  # the allowed values may follow the quoted one
    assert max(len(word) for word in message.split()) < 90


# --- values beyond what the graph can hold, and characters YAML refuses

DIGITS_5000 = "9" * 5000


@pytest.mark.parametrize(
    ("edit", "phrase"),
    [
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: 1e309\n", "    value: 1e309"),
                     "value must be a number of at most 18 digits before the decimal point and 18 after, not '1e309'", id="1e309"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: 1.0e+309\n", "    value: 1.0e+309"),
                     "not a finite number: .inf, .nan and numbers beyond 1.8e308 are not allowed", id="float-overflow"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: .inf\n", "    value: .inf"), "not a finite number", id="inf"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: .NaN\n", "    value: .NaN"), "not a finite number", id="nan"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: 1e-19\n", "    value: 1e-19"),
                     "at most 18 digits before the decimal point and 18 after", id="too-small"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", f"    value: {DIGITS_5000}\n", f"    value: {DIGITS_5000}"),
                     "malformed YAML: a number of more than 4300 digits", id="5000-digits"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", f"    value: {DIGITS_5000}.5\n", f"    value: {DIGITS_5000}.5"),
                     "not a finite number", id="5000-digits-and-a-fraction"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: 1000000000000000000\n", "    value: 1000000000000000000"),
                     "at most 18 digits", id="19-digits"),
        pytest.param(Edit(ARTICLE, "    value: 9.5\n", "    value: 9.5\x01\n", "    value: 9.5\x01"),
                     "malformed YAML: the character U+0001 is not allowed (no control characters or NUL)", id="control-character"),
        pytest.param(Edit(REGISTRY, "putin:\n  type: Person\n", "putin:\n  type: Per\x00son\n", "  type: Per\x00son"),
                     "malformed YAML: the character U+0000 is not allowed", id="nul"),
        pytest.param(Edit(ARTICLE, "language: en\n", "language: en_GB!\n", "language: en_GB!"),
                     "language 'en_GB!' is not a BCP 47 language tag such as en, de or pt-BR", id="language-tag"),
        pytest.param(Edit(ARTICLE, "  value: 2025-03\n", "  value: ２０２５-03\n", "published:"),
                     "'２０２５-03' is not a date", id="full-width-date"),
    ],
)
def test_a_value_the_graph_cannot_hold_is_located(workspace: Workspace, edit: Edit, phrase: str) -> None:
    message, line = workspace.reject_edit(edit)
    assert_located(message, edit, line, phrase)


def test_an_absurd_wikidata_id_fails_the_identifiers_check(workspace: Workspace) -> None:
    lines = workspace.reject(lambda: workspace.edit(REGISTRY, "  wikidataId: Q7747\n", f"  wikidataId: Q{'7' * 1000}\n"))
    text = (workspace.sources / REGISTRY).read_text(encoding="utf-8")
    assert lines == [
        f"{PREFIX}1 check violation:",
        f"{REGISTRY}:{line_number(text, 'putin:')}: wikidataId 'Q{'7' * 76}...' is not a Q-number such as Q159 "
        "(Q and at most 12 digits) [check identifiers]",
    ]


# --- an output that cannot be written

def test_an_output_that_is_a_file_is_one_line(workspace: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    for output in (workspace.output, workspace.output / "inside"):
        workspace.output.write_bytes(b"a file")
        assert main(["build", "--sources", str(workspace.sources), "--ontology", str(ONTOLOGY), "--output", str(output)]) == 1
        captured = capsys.readouterr()
        assert captured.err.startswith(f"{PREFIX}{output}: cannot write the graph")
        assert captured.err.endswith("the output must be a folder, or a path where one can be made, on a writable disk\n")
        assert len(captured.err.splitlines()) == 1
        assert workspace.output.read_bytes() == b"a file"


def test_a_full_disk_is_one_line(workspace: Workspace) -> None:
    """A disk that fills up during the build, as a limit on the size of any file the build writes (RLIMIT_FSIZE)."""

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    command = [str(Path(sys.executable).parent / "sanctiongraph"), "build", "--sources", str(workspace.sources),
               "--ontology", str(ONTOLOGY), "--output", str(workspace.output)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    assert completed.returncode == 1
    assert completed.stderr.startswith(f"{PREFIX}{workspace.output}: cannot write the graph"), completed.stderr
    assert "File too large" in completed.stderr
    assert len(completed.stderr.splitlines()) == 1, completed.stderr
    assert not workspace.output.exists()
