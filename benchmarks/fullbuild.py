"""A full build against pyoxigraph's bulk loader of the same N-Quads, measured in the same run (issue 14, part 3).

    python benchmarks/fullbuild.py --sizes 1000,10000                    # the targets: build, exports, memory
    python benchmarks/fullbuild.py --sizes 100,1000,10000,100000 --runs 1 --scaling   # and the scaling plot

For each size (a generated corpus, seed 1, cached in benchmarks/corpus/), each configuration runs in fresh processes
(tasks.py, `--runs` times, the median reported; one whose first run takes over a minute runs once): the build, a full
one into an emptied folder, on its default worker processes (one per core) and, up to --single-max sources, with
--jobs 1; pyoxigraph's Store.bulk_load of the build's N-Quads export into a store in memory (the limit of "Targets")
and, up to --disk-max sources, into a store on disk in one call; up to --exports-max sources, the exports step by step
against pyoxigraph's writers, and JSON-LD alone. Peak memory is ru_maxrss: the build's own process and its largest
worker. Writes results/fullbuild-SIZES.json (bench.py's layout) and prints the tables in Markdown; --scaling draws
results/scaling.svg from this run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus_folder, machine, run_task  # noqa: E402
from report import FORMATS, scaling_svg  # noqa: E402

from sanctiongraph import project  # noqa: E402


def measure(size: int, options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    folder = corpus_folder(options.corpus, size, 1)
    sources, graph = folder / "sources", scratch / "graph"
    common = {"size": size, "ontology": str(project.ontology_folder()), "sources": str(sources), "output": str(graph)}
    result: dict[str, Any] = {"corpus": {
        "sources": size, "entities": sum(1 for line in (sources / "entities.yaml").read_text().splitlines() if line[:1].isalnum()),
        "input_mb": sum(p.stat().st_size for p in (sources / "articles").iterdir()) / 1e6}}
    timeout = options.task_timeout
    if size <= options.single_max:
        result["build-single"] = run_task("build-ours", {**common, "jobs": 1}, options.runs, timeout)
    result["build-ours"] = run_task("build-ours", common, options.runs, timeout)  # its graph stays for what follows
    files = {**common, "nquads": str(graph / "sanctiongraph.nq"), "output": str(scratch / "out")}
    result["load-limit"] = run_task("load-limit", files, options.runs, timeout)
    if size <= options.disk_max:
        result["load-limit-disk"] = run_task("load-limit-disk", files, options.runs, timeout)
    if size <= options.exports_max:
        for task in ("exports-ours", "exports-limit", "exports-jsonld"):
            result[task] = run_task(task, files, options.runs, timeout)
    result["load_after"] = os.getloadavg()[0]
    return result


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.3f}" if a and b else "–"


def tables(results: dict[str, Any]) -> str:
    def seconds(r: dict[str, Any], task: str, key: str = "seconds") -> Any:
        return r.get(task, {}).get(key)

    out = ["| sources | quads | build | peak (build / largest worker) | build, --jobs 1 | bulk_load, memory | bulk_load, disk "
           "| bulk_load (memory) ÷ build (target ≥ 0.5) | bulk_load (disk) ÷ build | n | load average (before / after) |",
           "|" + "---|" * 11]
    for n, r in results["sizes"].items():
        build = r["build-ours"]
        out.append(f"| {int(n):,} | {build['quads']:,} | {build['seconds']:.2f} s | {build['peak_mb']:,.0f} / {build['peak_workers_mb']:,.0f} MB "
                   f"| {seconds(r, 'build-single') or 0:.2f} s | {seconds(r, 'load-limit'):.2f} s | {seconds(r, 'load-limit-disk') or 0:.2f} s "
                   f"| {_ratio(seconds(r, 'load-limit'), build['seconds'])} | {_ratio(seconds(r, 'load-limit-disk'), build['seconds'])} "
                   f"| {build['n']} | {build['load']:.1f} / {r['load_after']:.1f} |")
    for n, r in results["sizes"].items():
        if "exports-ours" not in r:
            continue
        ours, limit, alone = r["exports-ours"], r["exports-limit"], r["exports-jsonld"]
        out += ["", f"Exports, {int(n):,} sources (median of {ours['n']}): ours assembles each file from the rendered parts; "
                f"rendering every format at once (sorting included) took {ours['sort']:.2f} s",
                "", "| format | ours: assembly | pyoxigraph | ours ÷ pyoxigraph |", "|---|---|---|---|"]
        out += [f"| {suffix} | {ours[suffix]:.2f} s | {limit[suffix]:.2f} s | {ours[suffix] / limit[suffix]:.2f} |" for suffix in FORMATS]
        total = alone["render"] + ours["jsonld"]
        out += ["", f"JSON-LD alone, same quads, one process (median of {alone['n']}): our rendering {alone['render']:.2f} s + assembly "
                f"{ours['jsonld']:.2f} s = {total:.2f} s, {alone['ours_bytes'] / 1e6:,.0f} MB; pyoxigraph's writer {alone['limit']:.2f} s, "
                f"{alone['limit_bytes'] / 1e6:,.0f} MB: **{total / alone['limit']:.2f}×** (target ≤ 2)"]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="numbers of sources, comma-separated (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per configuration; the median is reported (default: %(default)s)")
    parser.add_argument("--single-max", type=int, default=10000, help="largest size also built with --jobs 1 (default: %(default)s)")
    parser.add_argument("--disk-max", type=int, default=10000, help="largest size bulk-loaded on disk in one call (default: %(default)s)")
    parser.add_argument("--exports-max", type=int, default=10000, help="largest size whose exports are measured (default: %(default)s)")
    parser.add_argument("--task-timeout", type=float, default=7200.0, help="seconds before one run of a task is given up (default: %(default)s)")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus", help="cache of generated corpora (default: benchmarks/corpus)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for fullbuild-SIZES.json (default: benchmarks/results)")
    parser.add_argument("--scaling", action="store_true", help="draw scaling.svg in the output folder from this run")
    options = parser.parse_args()
    measured = {key: str(value) for key, value in vars(options).items() if key not in ("corpus", "output")}  # not where files go
    results: dict[str, Any] = {"machine": machine(), "options": measured, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-fullbuild-") as scratch:
        for size in (int(size) for size in options.sizes.split(",")):
            results["sizes"][str(size)] = measure(size, options, Path(scratch))
            print(f"{size:,} sources measured, load average {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    results["machine"]["load_average_after"] = os.getloadavg()[0]
    options.output.mkdir(parents=True, exist_ok=True)
    (options.output / f"fullbuild-{options.sizes.replace(',', '-')}.json").write_text(json.dumps(results, indent=1) + "\n")
    if options.scaling:
        (options.output / "scaling.svg").write_text(scaling_svg(results), encoding="utf-8")
    print(tables(results))


if __name__ == "__main__":
    main()
