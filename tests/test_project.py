"""Projects: `sanctiongraph init`, and how every command finds its project (--project, $SANCTIONGRAPH_PROJECT, the
nearest folder upwards holding sources/), never the checkout the package runs from; a project's own queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QUERIES, ROOT

from sanctiongraph.cli import main
from sanctiongraph.project import PROJECT_ENV

OWN_QUERY = """# title: Every entity
# description: Each entity of the registry with its label (a query of the project's own).
SELECT ?entity ?label WHERE { ?entity <http://www.w3.org/2000/01/rdf-schema#label> ?label }
"""


@pytest.fixture(autouse=True)
def no_project_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PROJECT_ENV, raising=False)


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_init_makes_the_folders_and_the_new_project_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["init", "-q", str(tmp_path / "new")]) == 0
    project = tmp_path / "new"
    assert files_under(project) == ["graph", "queries", "sources", "sources/README.md", "sources/articles", "sources/entities.yaml", "viz"]
    registry = (project / "sources" / "entities.yaml").read_text(encoding="utf-8")
    assert all(line.startswith("#") or not line.strip() for line in registry.splitlines())
    assert [p.name for p in tmp_path.iterdir()] == ["new"]  # no staging folder left behind
    monkeypatch.chdir(project)
    assert main(["build", "-q"]) == 0
    assert (project / "graph" / "void.ttl").is_file()


def test_init_into_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["init", "-q", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty" / "sources" / "entities.yaml").is_file()


@pytest.mark.parametrize("occupied", ["a folder with a file", "a file"])
def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path, occupied: str, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "taken"
    if occupied == "a file":
        target.write_text("mine\n")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine\n")
    before = files_under(tmp_path)
    assert main(["init", str(target)]) == 2
    assert "give a new or empty folder" in one_line_error(capsys)
    assert files_under(tmp_path) == before


def test_a_command_finds_its_project_upwards_not_in_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second project (as a second clone would be) builds into its own graph/, from any folder inside it."""
    assert main(["init", "-q", str(tmp_path / "second")]) == 0
    checkout_graph = files_under(ROOT / "graph")
    monkeypatch.chdir(tmp_path / "second" / "sources" / "articles")
    assert main(["build", "-q"]) == 0
    assert (tmp_path / "second" / "graph" / "void.ttl").is_file()
    assert files_under(ROOT / "graph") == checkout_graph


def test_project_option_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("by-option", "by-environment"):
        assert main(["init", "-q", str(tmp_path / name)]) == 0
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    monkeypatch.setenv(PROJECT_ENV, str(tmp_path / "by-environment"))
    assert main(["--project", str(tmp_path / "by-option"), "build", "-q"]) == 0
    assert (tmp_path / "by-option" / "graph" / "void.ttl").is_file()
    assert not (tmp_path / "by-environment" / "graph" / "void.ttl").exists()
    assert main(["build", "-q"]) == 0
    assert (tmp_path / "by-environment" / "graph" / "void.ttl").is_file()


def test_given_folders_override_the_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["init", "-q", str(tmp_path / "p")]) == 0
    monkeypatch.chdir(tmp_path / "p")
    assert main(["build", "-q", "--output", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "void.ttl").is_file()
    assert files_under(tmp_path / "p" / "graph") == []


@pytest.mark.parametrize("command", [["build"], ["query", "listings"], ["viz", "overview"], ["serve", "--port", "0"]])
def test_outside_any_project_is_one_line_saying_how_to_make_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(command) == 2
    error = one_line_error(capsys)
    assert f"no sanctiongraph project in {tmp_path}" in error
    assert "sanctiongraph init DIR" in error and "--project DIR" in error
    assert files_under(tmp_path) == []


def test_a_named_folder_must_be_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["--project", str(tmp_path / "nowhere"), "build"]) == 2
    assert f"--project {tmp_path / 'nowhere'}: not a sanctiongraph project" in one_line_error(capsys)
    monkeypatch.setenv(PROJECT_ENV, str(tmp_path))
    assert main(["build"]) == 2
    assert f"${PROJECT_ENV} {tmp_path}: not a sanctiongraph project" in one_line_error(capsys)
    assert files_under(tmp_path) == []


def test_a_project_without_its_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "sources" / "articles").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "sources")
    assert main(["build"]) == 2
    assert f"{tmp_path / 'sources'}: the entity registry entities.yaml is missing" in one_line_error(capsys)
    assert files_under(tmp_path) == ["sources", "sources/articles"]


def test_the_projects_own_queries_join_the_library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "-q", str(tmp_path / "p")]) == 0
    own = tmp_path / "p" / "queries"
    (own / "every-entity.rq").write_text(OWN_QUERY, encoding="utf-8")
    # a copy of a library query, byte for byte (the checkout as a project, with the wheel installed), is the same query
    (own / "listings.rq").write_bytes((QUERIES / "listings.rq").read_bytes())
    monkeypatch.chdir(tmp_path / "p")
    assert main(["build", "-q"]) == 0
    capsys.readouterr()
    assert main(["queries"]) == 0
    listing = capsys.readouterr().out
    assert "every-entity\n    Every entity\n" in listing and "cq02-companies-on-us-sanctions-list\n" in listing
    assert listing.count("listings\n") == 1
    assert main(["query", "every-entity", "-f", "csv"]) == 0
    assert capsys.readouterr().out.startswith("entity,label")


def test_a_query_named_as_a_packaged_one_is_an_error_naming_both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "-q", str(tmp_path / "p")]) == 0
    clash = tmp_path / "p" / "queries" / "listings.rq"
    clash.write_text(OWN_QUERY, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "p")
    for command in (["queries"], ["query", "every-entity"]):
        assert main(command) == 1
        error = one_line_error(capsys)
        assert f"{clash}: the query name 'listings' is taken by {QUERIES / 'listings.rq'}; rename one of them" in error
