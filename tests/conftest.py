"""Shared fixtures: the graph built once from the bundled sources, and a store loaded with it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sanctiongraph.builder import BuildReport, build
from sanctiongraph.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "sources"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
ARTICLE = SOURCES / "articles" / "newsweek-2025-03-russia-mines.txt"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildReport]:
    output = tmp_path_factory.mktemp("graph")
    return output, build(SOURCES, ONTOLOGY, output)


@pytest.fixture(scope="session")
def store(built: tuple[Path, BuildReport]) -> ox.Store:
    return open_store(built[0])
