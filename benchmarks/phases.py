"""Where a build's time and memory go: the steps of sanctiongraph.builder.dataset.build, timed one by one.

    python benchmarks/phases.py benchmarks/corpus/10000-seed1/sources

One run, in this process. For each step: wall time, resident memory after it, and the peak so far
(VmRSS, VmHWM). The steps are those a full build() takes (write_exports() a file at a time), in the same order.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sanctiongraph import project
from sanctiongraph.builder import exports
from sanctiongraph.builder.checks import run_checks
from sanctiongraph.builder.dataset import _without_cycle_collection, build_dataset
from sanctiongraph.builder.store_update import loaded


def _memory(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split(f"{field}:")[1].split()[0]) // 1024


def main(sources: Path) -> None:
    start = time.perf_counter()

    def step(name: str) -> None:
        nonlocal start
        now = time.perf_counter()
        print(f"{name:<28} {now - start:7.2f} s   rss {_memory('VmRSS'):6,} MB   peak {_memory('VmHWM'):6,} MB", flush=True)
        start = now

    with _without_cycle_collection(), tempfile.TemporaryDirectory() as scratch:
        dataset = build_dataset(sources, project.ontology_folder())
        step(f"read, validate, mint and render {sum(part.quads for part in dataset.parts):,} quads")
        exports.write_exports(dataset.parts, Path(scratch), done=lambda name: step(f"write {name}"))
        store = loaded(Path(scratch) / "store", Path(scratch) / f"{exports.STEM}.nq")
        step("store (bulk_load of the N-Quads, in slices)")
        run_checks(store, project.ontology_folder(), dataset.locations)
        step("checks")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
