"""Where things are: the packaged data (ontology, query library, query editor) and the user's project.

The packaged data sit in the installed wheel under `sanctiongraph/data/<name>`; an editable install has
none there and reads the checkout's top-level folders instead, which are the one source of truth the
wheel is built from (pyproject.toml). A project is a folder holding `sources/`, `graph/`, `viz/` and
`queries/`: named by --project, else by $SANCTIONGRAPH_PROJECT, else the nearest folder upwards from
the current one that holds `sources/`, as git finds `.git`."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sanctiongraph.builder.sources import ARTICLES_FOLDER, REGISTRY_FILE
from sanctiongraph.errors import UsageError

PROJECT_ENV = "SANCTIONGRAPH_PROJECT"
_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parents[1]
# each packaged folder (pyproject.toml copies it into the wheel's sanctiongraph/data/), and where it is in the checkout
DATA = {
    "ontology": Path("ontology"),
    "queries": Path("queries"),
    "yasgui": Path("web/node_modules/@zazuko/yasgui/build"),
}
SKELETON = _PACKAGE / "skeleton"  # the files `sanctiongraph init` writes; the empty folders are below
EMPTY_FOLDERS = (f"sources/{ARTICLES_FOLDER}", "graph", "viz", "queries")
HOW_TO_MAKE = "make one with `sanctiongraph init DIR`, or name one with --project DIR"


def data_folder(name: str) -> Path:
    """A packaged folder: in the installed wheel, else in the checkout of an editable install."""
    packaged = _PACKAGE / "data" / name
    checkout = _CHECKOUT / DATA[name]
    return checkout if not packaged.is_dir() and checkout.is_dir() else packaged


def ontology_folder() -> Path:
    return data_folder("ontology")


def queries_folder() -> Path:
    """The packaged query library."""
    return data_folder("queries")


def views_folder() -> Path:
    return queries_folder() / "views"


def yasgui_folder() -> Path:
    """The query editor's built files (yasgui.min.js and .css); absent when they were not installed with npm."""
    return data_folder("yasgui")


@dataclass(frozen=True)
class Project:
    """A project folder: the annotated sources, the built graph, the views and the user's own queries."""

    root: Path

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def graph(self) -> Path:
        return self.root / "graph"

    @property
    def viz(self) -> Path:
        return self.root / "viz"

    @property
    def queries(self) -> Path:
        return self.root / "queries"


def find_project(given: Path | None = None) -> Project:
    """The project named by `given` (--project), else by $SANCTIONGRAPH_PROJECT, else the nearest one upwards."""
    found = project_if_any(given)
    if found is None:
        raise UsageError(f"no sanctiongraph project in {Path.cwd()} or any folder above it (a project holds sources/); {HOW_TO_MAKE}")
    return found


def project_if_any(given: Path | None = None) -> Project | None:
    """As find_project, but None when no project is named and none is found upwards; a named one must be one."""
    if given is not None:
        return _named(given, "--project")
    if os.environ.get(PROJECT_ENV):
        return _named(Path(os.environ[PROJECT_ENV]), f"${PROJECT_ENV}")
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "sources").is_dir():
            return _checked(Project(folder))
    return None


def _named(folder: Path, by: str) -> Project:
    if not (folder / "sources").is_dir():
        raise UsageError(f"{by} {folder}: not a sanctiongraph project (no sources/ folder); {HOW_TO_MAKE}")
    return _checked(Project(folder))


def _checked(project: Project) -> Project:
    if not (project.sources / REGISTRY_FILE).is_file():
        raise UsageError(
            f"{project.sources}: the entity registry {REGISTRY_FILE} is missing; write one (it may hold only comments), "
            f"or start a new project with `sanctiongraph init DIR`"
        )
    return project


def library_folders(project: Project | None) -> tuple[Path, ...]:
    """The folders of the named queries: the packaged library, then the project's own queries/ if it has any.

    In this checkout the project's queries/ is the packaged library itself, and is taken once."""
    library = queries_folder()
    own = project.queries if project is not None else None
    if own is None or not own.is_dir() or own.resolve() == library.resolve():
        return (library,)
    return (library, own)


def init_project(folder: Path) -> Project:
    """Make a new project in `folder` (absent or empty): written whole into a staging folder, then moved into place."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "a folder that is not empty" if folder.is_dir() else "a file"
        raise UsageError(f"{folder}: is {what}; give a new or empty folder to `sanctiongraph init`")
    folder.parent.mkdir(parents=True, exist_ok=True)
    holder = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=".init"))
    try:
        staging = holder / folder.name
        shutil.copytree(SKELETON, staging)
        for name in EMPTY_FOLDERS:
            (staging / name).mkdir(parents=True, exist_ok=True)
        os.replace(staging, folder)
    finally:
        shutil.rmtree(holder, ignore_errors=True)
    return Project(folder)
