"""Incremental builds against full builds, on a generated corpus, each build a `sanctiongraph build` of its own.

    python benchmarks/incremental.py --size 1000

In one run: a full build (no cache), a rebuild with nothing changed, with one source's title edited, with one source
added and one removed, and the full build again; wall time, summary and the load average after each, and the largest
build's peak memory (ru_maxrss)."""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus_folder  # noqa: E402


def _build(sources: Path, graph: Path) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run([Path(sys.executable).parent / "sanctiongraph", "build", "--sources", sources, "--output", graph],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(done.stderr)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024  # the largest child so far
    return seconds, peak, done.stderr.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-incremental-") as scratch:
        sources, graph, spare = Path(scratch) / "sources", Path(scratch) / "graph", Path(scratch) / "spare"
        shutil.copytree(corpus_folder(options.corpus, options.size, 1) / "sources", sources)
        spare.mkdir()
        articles = sorted((sources / "articles").glob("*.yaml"))
        for path in (articles[-1], articles[-1].with_suffix(".txt")):  # held back, to be added
            path.rename(spare / path.name)
        edited = articles[len(articles) // 2]

        def edit() -> None:
            edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Revised, ", 1), encoding="utf-8")

        def add_and_remove() -> None:
            for path in spare.iterdir():
                path.rename(sources / "articles" / path.name)
            articles[0].unlink()
            articles[0].with_suffix(".txt").unlink()

        def full() -> None:
            shutil.rmtree(graph / "cache")

        steps = [("full build (no cache)", lambda: None), ("nothing changed", lambda: None), ("one source edited", edit),
                 ("one source added, one removed", add_and_remove), ("full build again (cache removed)", full)]
        print(f"{options.size} sources, load average {os.getloadavg()[0]:.2f}")
        for name, change in steps:
            change()
            seconds, peak, summary = _build(sources, graph)
            print(f"| {name} | {seconds:.2f} s | {summary.split(';')[0]} | {os.getloadavg()[0]:.2f} |", flush=True)
        print(f"peak memory of the largest build: {peak:,} MB; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
