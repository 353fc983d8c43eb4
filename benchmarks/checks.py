"""The ontology's checks, one by one, on the store of a corpus; and the checks of a baseline folder on the same store.

    sanctiongraph corpus "$corpus" --size 1000 --seed 1
    git archive cce2976 ontology/checks | tar -x -C "$baseline"       # the checks before issue 12 part 4
    python benchmarks/checks.py "$corpus" --baseline "$baseline/ontology/checks" --runs 3

Each check is a must-return-nothing SELECT (ontology/checks/*.rq); a build runs them all on its store
(sanctiongraph.builder.checks). Times are the fastest of `runs` runs of each query, its rows read.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pyoxigraph as ox
from timing import timed

from sanctiongraph import project
from sanctiongraph.builder.checks import CHECKS_FOLDER
from sanctiongraph.builder.dataset import build_dataset


def time_checks(store: ox.Store, name: str, folder: Path, runs: int) -> None:
    """Each check of the folder, then all of them in one pass, on the store."""
    checks = sorted(folder.glob("*.rq"))
    texts = [path.read_text(encoding="utf-8") for path in checks]
    found = 0
    for path, text in zip(checks, texts):
        found += len(timed(f"{name} {path.stem}", lambda: list(store.query(text, use_default_graph_as_union=True)), runs))
    timed(f"{name}: all {len(checks)} checks, {found} violations",
          lambda: [list(store.query(text, use_default_graph_as_union=True)) for text in texts], runs)


def main() -> None:
    parser = argparse.ArgumentParser(description="the ontology's checks, one by one, on the store of a corpus")
    parser.add_argument("sources", type=Path)
    parser.add_argument("--baseline", type=Path, help="a folder of the checks to compare with")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    dataset = build_dataset(options.sources, project.ontology_folder())
    with tempfile.TemporaryDirectory() as scratch:
        store = ox.Store(str(Path(scratch) / "store"))
        store.bulk_extend(dataset.quads)
        print(f"{dataset.sources:,} sources, {len(dataset.quads):,} quads")
        time_checks(store, "current", project.ontology_folder() / CHECKS_FOLDER, options.runs)
        if options.baseline:
            time_checks(store, "baseline", options.baseline, options.runs)
        del store  # closed before its folder is removed


if __name__ == "__main__":
    main()
