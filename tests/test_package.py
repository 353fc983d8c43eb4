"""The wheel as a user gets it: built from this checkout, installed into a new virtual environment, and run in an
empty folder far from the checkout, from `sanctiongraph init` to a served graph.

Selected alone with `pytest -m package`; it takes 20 to 60 s, most of it pip installing the dependencies."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, SOURCES, sanctiongraph_server

pytestmark = pytest.mark.package

YASGUI = ROOT / "web" / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"
OWN_QUERY = """# title: Companies and their sectors
# description: Every company of the registry with the sector it is in (a query of the project's own).
PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?company ?sector WHERE { ?c a sg:Company ; rdfs:label ?company ; sg:inSector/rdfs:label ?sector } ORDER BY ?company
"""


@dataclass(frozen=True)
class Installed:
    command: Path  # the installed sanctiongraph
    project: Path  # the project made with it, its graph built
    env: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The installed command, run in the project."""
        return subprocess.run([str(self.command), *args], cwd=self.project, env=self.env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built and installed into a new virtual environment; then, in an empty folder, `sanctiongraph init
    proj` with the bundled first source copied in, and `sanctiongraph build` there."""
    work = tmp_path_factory.mktemp("package")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "SANCTIONGRAPH_PROJECT")}

    def step(name: str, command: list[str], cwd: Path) -> str:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
        return done.stderr

    step("wheel", [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(work / "dist"), str(ROOT)], work)
    (wheel,) = (work / "dist").glob("sanctiongraph-*.whl")
    step("venv", [sys.executable, "-m", "venv", str(work / "venv")], work)
    python = work / "venv" / "bin" / "python"
    step("install", [str(python), "-m", "pip", "install", "--quiet", str(wheel)], work)
    here = work / "empty"
    here.mkdir()
    command = work / "venv" / "bin" / "sanctiongraph"
    step("init", [str(command), "init", "proj"], here)
    project = here / "proj"
    shutil.copy(SOURCES / "entities.yaml", project / "sources" / "entities.yaml")
    for article in (SOURCES / "articles").glob("newsweek-*"):
        shutil.copy(article, project / "sources" / "articles" / article.name)
    (project / "queries" / "companies-and-sectors.rq").write_text(OWN_QUERY, encoding="utf-8")
    built = step("build", [str(command), "build"], project)
    assert "built 1 source(s)" in built and "28/28 story sentences carry a statement" in built, built
    return Installed(command, project, env)


def test_the_installed_package_runs_from_site_packages(installed: Installed) -> None:
    done = subprocess.run([str(installed.command.parent / "python"), "-c", "import sanctiongraph; print(sanctiongraph.__file__)"],
                          cwd=installed.project, env=installed.env, capture_output=True, text=True, check=True)
    location = Path(done.stdout.strip())
    assert "site-packages" in location.parts and not location.is_relative_to(ROOT), location


def test_init_writes_the_packaged_project_files(installed: Installed) -> None:
    assert all((installed.project / name).is_dir() for name in ("sources/articles", "graph", "viz", "queries"))
    assert (installed.project / "sources" / "README.md").read_bytes() == (
        ROOT / "src" / "sanctiongraph" / "skeleton" / "sources" / "README.md").read_bytes()


def test_a_library_query_answers_from_the_built_graph(installed: Installed) -> None:
    done = installed.run("query", "cq02-companies-on-us-sanctions-list", "-f", "csv")
    assert done.returncode == 0, done.stderr
    rows = {(row["company"], row["accordingTo"]) for row in csv.DictReader(io.StringIO(done.stdout))}
    assert rows == {("Mechel", "Isaac Levi"), ("SUEK", "Isaac Levi")}


def test_the_projects_own_query_joins_the_library(installed: Installed) -> None:
    listing = installed.run("queries")
    assert listing.returncode == 0, listing.stderr
    assert "companies-and-sectors\n    Companies and their sectors" in listing.stdout
    assert "cq02-companies-on-us-sanctions-list" in listing.stdout
    done = installed.run("query", "companies-and-sectors", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert "Mechel," in done.stdout


def test_a_view_is_written_into_the_projects_viz(installed: Installed) -> None:
    done = installed.run("viz", "entity", "mechel")
    assert done.returncode == 0, done.stderr
    page = installed.project.resolve() / "viz" / "entity-mechel-2.html"
    assert f"wrote {page}: " in done.stderr, done.stderr
    assert "Mechel" in page.read_text(encoding="utf-8")


def test_serve_answers_sparql_the_named_queries_and_the_editor(installed: Installed) -> None:
    with sanctiongraph_server(None, installed.project, command=installed.command, env=installed.env) as root:
        request = urllib.request.Request(root + "sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D",
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response) == {"head": {}, "boolean": True}
        with urllib.request.urlopen(urllib.request.Request(root + "queries", headers={"Accept": "application/json"}), timeout=30) as response:
            names = {q["name"] for q in json.load(response)}
        assert {"companies-and-sectors", "cq02-companies-on-us-sanctions-list"} <= names
        if YASGUI.is_file():  # packaged when the wheel was built with the editor installed
            with urllib.request.urlopen(root + "assets/yasgui.min.js", timeout=30) as response:
                assert response.read() == YASGUI.read_bytes()


def test_the_wheel_packages_the_folders_the_code_looks_for() -> None:
    """pyproject.toml copies each checkout folder into sanctiongraph/data/NAME; project.DATA says where data_folder(NAME)
    finds it in a checkout. The two lists must name the same folders, or an installed command misses its data."""
    import tomllib

    from sanctiongraph.project import DATA

    wheel = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]["wheel"]
    copied = {**wheel["force-include"], **wheel["hooks"]["custom"]["force-include-if-present"]}
    packaged = {Path(target).relative_to("sanctiongraph/data").parts[0]: Path(source) for source, target in copied.items()}
    checkout = {name: source.parent if source.suffix else source for name, source in packaged.items()}  # a file: its folder
    assert checkout == DATA
