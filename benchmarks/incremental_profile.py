"""Where the time of an incremental build goes: one source edited, then one build in this process under cProfile.

    python benchmarks/incremental_profile.py --size 10000 WORK

WORK keeps the copied sources and the graph between runs (the first run makes the full build); each run edits the
title of the middle source, builds, and prints the wall time and the functions that took the most time, cumulated.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import time
from pathlib import Path

from sanctiongraph import project
from sanctiongraph.builder.builds import CURRENT
from sanctiongraph.builder.dataset import build

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus_folder  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work", type=Path)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--lines", type=int, default=40)
    options = parser.parse_args()
    sources, graph = options.work / "sources", options.work / "graph"
    if not sources.exists():
        shutil.copytree(corpus_folder(options.corpus, options.size, 1) / "sources", sources)
    if not (graph / CURRENT).exists():
        started = time.perf_counter()
        build(sources, project.ontology_folder(), graph)
        print(f"full build: {time.perf_counter() - started:.2f} s")
    articles = sorted((sources / "articles").glob("*.yaml"))
    edited = articles[len(articles) // 2]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title: ", "title: Revised, ", 1), encoding="utf-8")
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    report = build(sources, project.ontology_folder(), graph)
    profile.disable()
    print(f"one source edited: {time.perf_counter() - started:.2f} s under cProfile; {report.dataset.reused} reused")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(options.lines)


if __name__ == "__main__":
    main()
