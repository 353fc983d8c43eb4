"""Must-return-nothing SPARQL checks, run on every build: each row is a violation at a named statement."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.errors import SanctionGraphError

CHECKS_FOLDER = "checks"


def run_checks(store: ox.Store, ontology_folder: Path, locations: dict[str, str]) -> list[str]:
    """Run every checks/*.rq of the ontology folder; return one line per violation, naming file and line."""
    violations = []
    for path in sorted((ontology_folder / CHECKS_FOLDER).glob("*.rq")):
        solutions = store.query(path.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        if not isinstance(solutions, ox.QuerySolutions):
            raise SanctionGraphError(f"{path}: a check is a SELECT query of ?focus and ?message")
        for row in solutions:
            focus = row["focus"]
            value = focus.value if isinstance(focus, ox.NamedNode) else str(focus)
            where = locations.get(value) or locations.get(value.split("/evidence")[0]) or value
            violations.append(f"{where}: {row['message'].value} [check {path.stem}]")
    return sorted(violations)
