"""Where a build's time and memory go.

    python benchmarks/phases.py benchmarks/corpus/10000-seed1/sources            # the steps, one by one
    python benchmarks/phases.py benchmarks/corpus/10000-seed1/sources --build    # a whole build, as it runs them

One run, in this process. Steps one by one: for each, wall time, resident memory after it, and the peak so far
(VmRSS, VmHWM), in the order a full build() takes them (write_exports() a file at a time, then the store loaded from
the N-Quads export and the checks; a build overlaps the last two with the first). With --build: a full build() into a
new folder, each of its steps timed where it runs (the sources read on the worker processes; the exports written while
a thread loads the store; the wait for the store that is left; the checks on their threads; the cache written once
the build is published), and the build process's peak memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from sanctiongraph import project
from sanctiongraph.builder import cache, dataset, exports, manifest
from sanctiongraph.builder.checks import run_checks
from sanctiongraph.builder.dataset import _without_cycle_collection, build_dataset
from sanctiongraph.builder.store_update import loaded


def _memory(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) // 1024


def steps(sources: Path) -> None:
    start = time.perf_counter()

    def step(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        print(f"{name:<28} {now - start:7.2f} s   rss {_memory('VmRSS'):6,} MB   peak {_memory('VmHWM'):6,} MB", flush=True)
        start = now

    with _without_cycle_collection(), tempfile.TemporaryDirectory() as scratch:
        built = build_dataset(sources, project.ontology_folder())
        step(f"read, validate, mint and render {sum(part.quads for part in built.parts):,} quads")
        exports.write_exports(built.parts, Path(scratch), done=lambda name: step(f"write {name}"))
        store = loaded(Path(scratch) / "store", Path(scratch) / f"{exports.STEM}.nq")
        step("store (bulk_load of the N-Quads, in slices)")
        run_checks(store, project.ontology_folder(), built.locations)
        step("checks")


def whole(sources: Path) -> None:
    timed: dict[str, float] = {}

    def timer(owner: Any, name: str, label: str) -> None:
        function: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(function)
        def measured(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                timed[label] = timed.get(label, 0.0) + time.perf_counter() - start
        setattr(owner, name, measured)

    timer(dataset, "build_dataset", "read, validate, mint and render (worker processes)")
    timer(dataset, "write_exports", "write the exports (the store loading meanwhile)")
    timer(dataset._Loading, "result", "wait for the store")
    timer(dataset, "run_checks", "checks (threads)")
    timer(manifest.Manifest, "write", "manifest")
    timer(cache.SourceCache, "commit", "cache written")
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-phases-") as scratch:
        start = time.perf_counter()
        report = dataset.build(sources, project.ontology_folder(), Path(scratch) / "graph")
        total = time.perf_counter() - start
    print(f"build of {report.dataset.sources:,} sources, {report.quads:,} quads: {total:.2f} s, peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024:,} MB "
          f"(workers {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024:,} MB); load average {load:.1f} -> {os.getloadavg()[0]:.1f}")
    for label, seconds in timed.items():
        print(f"  {label:<52} {seconds:7.2f} s")
    print(f"  {'the rest (locks, sweep, publish, ...)':<52} {total - sum(timed.values()):7.2f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", type=Path)
    parser.add_argument("--build", action="store_true", help="time a whole build() as it runs its steps")
    options = parser.parse_args()
    (whole if options.build else steps)(options.sources)
