"""Mutated annotations and registries, generated with a fixed seed: each one builds, or fails with a
SanctionGraphError whose every line says the file (and line) it is about; never another exception, a hang
or a memory blow-up.

Two entry points: `build_dataset`, which reads, parses and validates every file and resolves every value
against the ontology and the registry (about 40 ms a case), for most cases; and the whole `sanctiongraph
build` command, which also loads the store, runs the checks and writes the exports (about 0.5 s), for fewer."""

from __future__ import annotations

import contextlib
import io
import re
import resource
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path

from conftest import ONTOLOGY, SOURCES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctiongraph.builder.dataset import build_dataset
from sanctiongraph.cli import main
from sanctiongraph.errors import CheckError, SanctionGraphError, SourceErrors

ARTICLE = "articles/newsweek-2025-03-russia-mines.yaml"
REGISTRY = "entities.yaml"
ORIGINALS = {name: (SOURCES / name).read_text(encoding="utf-8").split("\n") for name in (ARTICLE, REGISTRY)}
# A line names a file of the sources folder: the mutated one, or another whose references the mutation broke (a
# fixture source's reportsSameAs to a statement of the first source, when the fixtures are in sources/).
LOCATED = re.compile(r"(articles/[a-z0-9-]+\.yaml|entities\.yaml|vocabulary/[^:\s]+\.yaml)(:[1-9][0-9]*)?: \S")
CASE_SECONDS = 20  # a case that takes longer is a hang
MEMORY_GROWTH_MB = 600  # peak memory a whole test may add

ODD_SCALARS = [
    "9" * 5000, "9" * 4000, "-" + "9" * 30, "1e309", "1.0e+309", "-1.0e+400", ".nan", ".inf", "-.inf", "0x" + "f" * 40,
    "0o17", "0b101", "1_000", "12:30:00", "190:20:30", "-0", "0.000000000000000000001", "1e-400", "true", "no", "~",
    "null", "''", '""', "[]", "{}", "[a, b]", "{a: 1}", "[[[[[]]]]]", "- x", "x" * 100_000, '"\\0"', '"a\\x01b"',
    '"\\ud800"', '"\\U0001F680"', '"\\u202e"', "Ünïcödé ✓ 🚀", "ｆｕｌｌｗｉｄｔｈ", "２０２５-０２", "2025-02-30", "0000-01-01",
    "9999-12-31", "2025-13", "2025-02-28T10:00:00", "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]",
    "!!python/object/apply:os.system [echo]", "!foo bar", "!!float 1", "!!int x", "!!str 5", "&a x", "*a", "*nothing",
    "&a [*a]", "? x", "|\n  block", ">-\n  folded", "'unclosed", '"unclosed', "[unclosed", "{unclosed",
    "@reserved", "`reserved", "%directive", "x: y: z", "- - -", "\t", "\x01", "\x00", "\x7f", "\ufeff", "\ud7ff",
    "/proc/self/environ", "../../etc/passwd", "/dev/zero", "en us!", "Q" + "9" * 40, "http://x/ y", "file:///etc/passwd",
]
PADDING = ["", " ", "  ", "   ", "\t", "    ", "      "]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str]:
    """One of the two files, with one to three of: a line deleted, duplicated, swapped with another, its value
    changed to an odd scalar or to any text, its indentation broken, an anchor and alias added, a line inserted."""
    file = draw(st.sampled_from([ARTICLE, ARTICLE, ARTICLE, REGISTRY]))
    lines = list(ORIGINALS[file])
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "value", "value", "value", "text", "indent", "anchor", "insert"]))
        line = lines[at]
        key, colon, _value = line.partition(": ") if ": " in line else line.partition(":")
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], line
        elif kind in ("value", "text"):
            value = draw(st.sampled_from(ODD_SCALARS)) if kind == "value" else draw(st.text(max_size=40))
            lines[at] = f"{key}{colon or ': '}{value}"
        elif kind == "indent":
            lines[at] = draw(st.sampled_from(PADDING)) + line.lstrip(" ")
        elif kind == "anchor":
            lines[at] = f"{key}{colon or ': '}&x {_value}"
            lines.insert(draw(st.integers(at + 1, len(lines))), f"{key}{colon or ': '}*x")
        else:
            lines.insert(at, draw(st.sampled_from(ODD_SCALARS + [f"{key}: *x", "extra: 1", "- id: extra", "  - x"])))
    return file, "\n".join(lines)


class Hang(Exception):
    pass


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """A case that runs past CASE_SECONDS raises Hang."""

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"a case ran for more than {CASE_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(CASE_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def memory_bounded() -> Iterator[None]:
    """The test may raise the process's peak memory by at most MEMORY_GROWTH_MB."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown < MEMORY_GROWTH_MB, f"peak memory grew by {grown:.0f} MB"


@contextlib.contextmanager
def sources_with(file: str, text: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        sources = Path(shutil.copytree(SOURCES, Path(folder) / "sources"))
        (sources / file).write_bytes(text.encode("utf-8", "surrogatepass"))
        yield sources


def assert_located(message: str) -> None:
    assert message.strip(), "an empty message"
    assert LOCATED.match(message), f"not located: {message[:300]!r}"
    assert "\n" not in message, f"more than one line: {message[:300]!r}"
    assert len(message) < 3000, f"{len(message)} characters: {message[:300]!r}"


FUZZ = settings(derandomize=True, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def test_mutated_files_read_and_resolve_or_fail_in_one_located_line() -> None:
    outcomes = {"built": 0, "refused": 0}

    @settings(FUZZ, max_examples=450)
    @given(mutated())
    def case(mutation: tuple[str, str]) -> None:
        with sources_with(*mutation) as sources, guarded():
            try:
                build_dataset(sources, ONTOLOGY)
                outcomes["built"] += 1
            except SanctionGraphError as error:
                assert not isinstance(error, CheckError)  # the checks run on the store, not here
                for message in [str(e) for e in error.errors] if isinstance(error, SourceErrors) else [str(error)]:
                    assert_located(message)
                outcomes["refused"] += 1

    with memory_bounded():
        case()
    assert outcomes["refused"] >= 300, outcomes  # the mutations do reach the checks they are meant for


def test_mutated_files_build_or_fail_in_one_located_line_per_problem() -> None:
    outcomes = {"built": 0, "refused": 0}

    @settings(FUZZ, max_examples=150)
    @given(mutated())
    def case(mutation: tuple[str, str]) -> None:
        with sources_with(*mutation) as sources, guarded(), tempfile.TemporaryDirectory() as output:
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr):
                status = main(["build", "--quiet", "--sources", str(sources), "--ontology", str(ONTOLOGY), "--output", output])
            printed = stderr.getvalue()
            if status == 0:
                outcomes["built"] += 1
                return
            assert status == 1, printed
            assert printed.startswith("sanctiongraph: error: ") and printed.endswith("\n"), printed[:300]
            first, *violations = printed[len("sanctiongraph: error: "):-1].split("\n")
            if violations:
                assert re.fullmatch(r"[0-9]+ check violations?:|[0-9]+ errors in the sources( \(the first [0-9]+\))?:", first), first
            for message in violations or [first]:
                assert_located(message)
            outcomes["refused"] += 1

    with memory_bounded():
        case()
    assert outcomes["refused"] >= 75, outcomes
