"""The README stays true: every command and option it names exists, and every option that exists is named in it."""

from __future__ import annotations

import argparse
import re
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import ONTOLOGY, ROOT, SOURCES

from sanctiongraph.cli import parser

README = (ROOT / "README.md").read_text(encoding="utf-8")
# options the README names for other programs: mypy, pip, apt-get, npm, Oxigraph's server
FOREIGN = {"--strict", "--no-deps", "--no-install-recommends", "--prefix", "--union-default-graph", "--location", "--bind", "--file"}


def commands(command: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], set[str]]:
    """Each command path ((), ("build",), ("viz", "entity"), ...) with the options it takes, its parents' included."""
    options = {s for action in command._actions for s in action.option_strings if s.startswith("--")}
    found = {path: options}
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                for sub_path, sub_options in commands(sub, path + (name,)).items():
                    found[sub_path] = sub_options | (options if path else set())
    return found


PARSER = parser()
COMMANDS = commands(PARSER)
EVERY_OPTION = set().union(*COMMANDS.values()) - {"--help"}
TAKES_VALUE = {s for action in PARSER._actions if action.nargs != 0 for s in action.option_strings}  # the top level's


def invocations() -> list[list[str]]:
    """Each `sanctiongraph ...` the README shows, in a code block or a code span, as words."""
    blocks = re.findall(r"```(?:sh|console)?\n(.*?)```", README, re.S)
    lines = [line.split("#")[0] for block in blocks for line in block.splitlines()]
    lines += re.findall(r"`([^`\n]+)`", README)
    found = []
    for line in lines:
        for match in re.finditer(r"(?:^|\s|=\S*\s)(sanctiongraph\s.*)$", line.strip()):
            if match.group(1).startswith("sanctiongraph import"):  # Python's `from sanctiongraph import ...`
                continue
            try:
                found.append(shlex.split(match.group(1).replace("…", "x")))
            except ValueError:
                continue
    return found


def test_every_command_the_readme_shows_exists_with_its_options() -> None:
    shown = invocations()
    assert len(shown) > 10, shown
    for words in shown:
        path: tuple[str, ...] = ()
        options = COMMANDS[()]
        value_next = False
        for word in words[1:]:
            if value_next:
                value_next = False
                continue
            if word.startswith("-"):
                value_next = not path and word in TAKES_VALUE
                name = word.split("=")[0]
                if name.startswith("--"):
                    assert name in options, f"README: `{' '.join(words)}`: {' '.join(path) or 'sanctiongraph'} has no {name}"
            elif path + (word,) in COMMANDS:
                path += (word,)
                options = COMMANDS[path]
            elif not path:
                raise AssertionError(f"README: `{' '.join(words)}`: no command {word!r}")


def test_every_option_the_readme_names_exists() -> None:
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", README))
    unknown = sorted(named - EVERY_OPTION - FOREIGN)
    assert not unknown, f"the README names options that no command has: {unknown}"


def test_every_option_is_named_in_the_readme() -> None:
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", README))
    missing = sorted(EVERY_OPTION - named - {"--version"})
    assert not missing, f"options the README does not name: {missing}"


def test_every_subcommand_is_named_in_the_readme() -> None:
    missing = sorted(" ".join(path) for path in COMMANDS if path and f"sanctiongraph {' '.join(path)}" not in README)
    assert not missing, f"commands the README does not show: {missing}"


def test_the_public_api_is_pinned() -> None:
    import sanctiongraph

    assert sanctiongraph.__all__ == ["Result", "SanctionGraphError", "__version__", "build", "open_graph", "run_query",
                                     "to_networkx", "to_rdflib"]
    assert all(hasattr(sanctiongraph, name) for name in sanctiongraph.__all__)


def test_the_readme_python_example_runs_in_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from sanctiongraph import build

    shutil.copytree(SOURCES, tmp_path / "sources")
    build(tmp_path / "sources", ONTOLOGY, tmp_path / "graph")
    monkeypatch.chdir(tmp_path)
    example = re.search(r"### From Python.*?```python\n(.*?)```", README, re.S)
    assert example, "the README has no Python example under 'From Python'"
    exec(compile(example.group(1), "README.md", "exec"), {})  # noqa: S102 - our own documentation
    printed = capsys.readouterr().out.splitlines()
    assert any(line.startswith("Mechel Isaac Levi ") for line in printed), printed
    assert int(printed[-1]) > 1_000, printed[-1]
