"""The build's own time on generated corpora of 2 to 100 sources (BENCHMARKS.md, "Many sources"), this tree against
another commit, in the same run.

    python benchmarks/many_sources.py --base 7b8b786 --runs 5

Each build is `sanctiongraph.builder.dataset.build` (reading, compiling the vocabularies, minting, exports, store,
checks) called in a fresh process into a new, empty output folder (so no cache is reused), timed around that call
alone; the runs of the two trees alternate. The base runs from a `git archive` of the commit, with its own src/ and
ontology/ on the path. The corpora are those of `sanctiongraph corpus --size N` (seed 1), the same for both."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench import corpus_folder  # noqa: E402

_BUILD = """
import json, sys, time
from pathlib import Path
from sanctiongraph.builder.dataset import build
sources, ontology, output = map(Path, sys.argv[1:4])
started = time.perf_counter()
report = build(sources, ontology, output)
print(json.dumps({"seconds": time.perf_counter() - started, "quads": len(set(report.dataset.quads))}))
"""


def _build(tree: Path, sources: Path, output: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _BUILD, str(sources), str(tree / "ontology"), str(output)],
                          env={**os.environ, "PYTHONPATH": str(tree / "src")}, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{tree}: the build failed: {done.stderr.strip().splitlines()[-1:]}")
    figures: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2, 10, 50, 100])
    parser.add_argument("--runs", type=int, default=3, help="builds per tree and size; the median and minimum are shown")
    parser.add_argument("--base", metavar="COMMIT", help="also build with this commit of the repository, alternating")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus", help="where generated corpora are kept")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-many-") as scratch:
        trees = {"this tree": ROOT}
        if options.base:
            base = Path(scratch) / "base"
            base.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", options.base], capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
            trees = {f"base {options.base}": base, **trees}
        print(f"load average at the start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
        print("| sources | quads | " + " | ".join(trees) + " |")
        print("| ---: | ---: |" + " ---: |" * len(trees))
        for size in options.sizes:
            sources = corpus_folder(options.corpus, size, 1) / "sources"
            seconds: dict[str, list[float]] = {name: [] for name in trees}
            quads = 0
            for run in range(options.runs):
                for name, tree in trees.items():
                    figures = _build(tree, sources, Path(scratch) / f"graph-{size}-{run}-{len(seconds[name])}-{name.split()[0]}")
                    seconds[name].append(figures["seconds"])
                    quads = int(figures["quads"]) if tree == ROOT else quads
            cells = [f"{statistics.median(s):.3f} s ({min(s):.3f})" for s in seconds.values()]
            print(f"| {size} | {quads:,} | " + " | ".join(cells) + " |", flush=True)
        print(f"load average at the end: {os.getloadavg()[0]:.1f}", file=sys.stderr)


if __name__ == "__main__":
    main()
