"""The benchmark: sanctiongraph against plain rdflib and raw pyoxigraph, on generated corpora.

    python benchmarks/bench.py                      # 10, 100, 1,000 and 10,000 sources (about 15 minutes)
    python benchmarks/bench.py --sizes 10 --quick   # the smoke run of the test suite

For each size it generates a corpus (cached in benchmarks/corpus/), then runs every measured
configuration of tasks.py in a fresh process, `--runs` times (the median is reported; a
configuration whose first run takes over a minute runs once). It writes results.json,
report.md (the tables) and scaling.svg (build time and peak memory against size) into --output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from report import write_report  # noqa: E402

from sanctiongraph import corpus, project  # noqa: E402

LONG_RUN = 60.0  # seconds: a configuration whose first run takes longer is not repeated


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(f"\r\033[K{message}", end="", file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory / 1024 ** 2, 1),
        "system": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in ("sanctiongraph", "pyoxigraph", "rdflib", "PyYAML")},
        "load_average": os.getloadavg()[0],
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def corpus_folder(cache: Path, size: int, seed: int) -> Path:
    """A generated corpus, reused while the generator's source is unchanged."""
    stamp = f"{size} {seed} {hashlib.sha256(Path(corpus.__file__).read_bytes()).hexdigest()}"
    folder = cache / f"{size}-seed{seed}"
    marker = folder / ".generated"
    if not (marker.is_file() and marker.read_text() == stamp):
        shutil.rmtree(folder, ignore_errors=True)
        corpus.generate(folder / "sources", sources=size, seed=seed, progress=False)
        marker.write_text(stamp)
    return folder


def _spawn(task: str, args: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One run of a task in a fresh process: its JSON figures, or {"timeout": seconds}."""
    load = os.getloadavg()[0]  # other work on the machine, recorded beside each figure
    try:
        done = subprocess.run([sys.executable, str(HERE / "tasks.py"), task, json.dumps(args)],
                              capture_output=True, text=True, check=False, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"timeout": timeout, "load": load}
    if done.returncode != 0:
        raise RuntimeError(f"{task} failed:\n{done.stderr}")
    return {**json.loads(done.stdout), "load": load}


def run_task(task: str, args: dict[str, Any], runs: int, timeout: float) -> dict[str, Any]:
    """Run a task in fresh processes; the median of each figure over the runs, and n."""
    results = []
    for number in range(runs):
        _progress(f"{args['size']} sources: {task}, run {number + 1}/{runs}")
        results.append(_spawn(task, args, timeout))
        if "timeout" in results[0] or results[0]["seconds"] > LONG_RUN:
            break
    median = {key: statistics.median(r[key] for r in results) if isinstance(value, (int, float)) else value
              for key, value in results[0].items()}
    return {**median, "n": len(results)}


def bench_size(size: int, options: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    folder = corpus_folder(options.corpus, size, options.seed)
    sources, graph = folder / "sources", folder / "graph"
    common = {"size": size, "ontology": str(project.ontology_folder()), "queries": str(project.queries_folder())}
    runs = options.runs
    result: dict[str, Any] = {"corpus": {
        "sources": size, "entities": sum(1 for line in (sources / "entities.yaml").read_text().splitlines() if line[:1].isalnum()),
        "input_mb": sum(p.stat().st_size for p in (sources / "articles").iterdir()) / 1e6}}
    # Every run of the build writes the same graph (builds are deterministic); later tasks read it.
    result["build-ours"] = run_task("build-ours", {**common, "sources": str(sources), "output": str(graph)}, runs, options.task_timeout)
    nquads, trig = str(graph / "sanctiongraph.nq"), str(graph / "sanctiongraph.trig")
    files = {**common, "nquads": nquads, "trig": trig, "graph": str(graph), "sources": str(sources), "output": str(scratch / "out")}
    for task in ("load-limit", "load-ours", "load-rdflib", "exports-limit", "exports-ours", "build-rdflib"):
        if task == "build-rdflib" and size > options.rdflib_max:
            continue
        result[task] = run_task(task, files, runs, options.task_timeout)
        shutil.rmtree(scratch / "out", ignore_errors=True)
    query_args = {**files, "repeats": options.repeats, "timeout": options.query_timeout}
    for task in ("queries-oxigraph", "queries-rdflib"):
        if task == "queries-oxigraph" or size <= options.rdflib_query_max:
            _progress(f"{size} sources: {task}")
            result[task] = _spawn(task, query_args, options.task_timeout)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,1000,10000", help="numbers of sources, comma-separated (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per configuration; the median is reported (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each query after a cold one (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1, help="corpus seed (default: %(default)s)")
    parser.add_argument("--rdflib-max", type=int, default=1000, help="largest size for rdflib's build and exports (default: %(default)s)")
    parser.add_argument("--rdflib-query-max", type=int, default=1000, help="largest size for rdflib's SPARQL (default: %(default)s)")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds per query and engine (default: %(default)s)")
    parser.add_argument("--task-timeout", type=float, default=1800.0, help="seconds before one run of a task is given up (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help="one run of everything, one timed run per query: a smoke test")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus", help="cache of generated corpora (default: benchmarks/corpus)")
    parser.add_argument("--output", type=Path, default=HERE / "results", help="folder for results.json, report.md, scaling.svg")
    options = parser.parse_args(argv)
    if options.quick:
        options.runs, options.repeats = 1, 1
    sizes = [int(size) for size in options.sizes.split(",")]
    results: dict[str, Any] = {"machine": machine(), "options": {
        "sizes": sizes, "runs": options.runs, "repeats": options.repeats, "seed": options.seed,
        "rdflib_max": options.rdflib_max, "rdflib_query_max": options.rdflib_query_max,
        "query_timeout": options.query_timeout, "task_timeout": options.task_timeout, "long_run": LONG_RUN}, "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-bench-") as scratch:
        for size in sizes:
            results["sizes"][str(size)] = bench_size(size, options, Path(scratch))
    results["machine"]["load_average_after"] = os.getloadavg()[0]
    _progress("")
    options.output.mkdir(parents=True, exist_ok=True)
    (options.output / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    write_report(results, options.output)
    print(f"wrote {options.output / 'report.md'} and {options.output / 'scaling.svg'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
