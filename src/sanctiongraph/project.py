"""Where the ontology, the queries, the sources and the outputs live: a checkout's top-level folders."""

from __future__ import annotations

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]


def project_root() -> Path:
    """The checkout this package runs from (an editable install), else the current folder."""
    return _CHECKOUT if (_CHECKOUT / "ontology").is_dir() else Path.cwd()


def ontology_folder() -> Path:
    return project_root() / "ontology"


def queries_folder() -> Path:
    return project_root() / "queries"


def sources_folder() -> Path:
    return project_root() / "sources"


def graph_folder() -> Path:
    return project_root() / "graph"


def views_folder() -> Path:
    return queries_folder() / "views"


def viz_folder() -> Path:
    return project_root() / "viz"
