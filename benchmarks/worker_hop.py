"""The hop from the server to a query worker and back, without HTTP: Engine.run round trips per second, and the server
process's CPU time per job, for a job that answers a fixed Reply and for the simple query as `/sparql` sends it.

With --baseline REV, the same measurement runs first on that commit's `src/` (from `git archive`, in a temporary
folder put first on the module path), then on the working tree's, so the two compare in one run.

    python benchmarks/worker_hop.py [--graph graph] [--seconds 3] [--threads 1 8] [--baseline REV]

Prints a Markdown table. Linux only (the workers' sandbox)."""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from io import BytesIO
from pathlib import Path
from typing import Any

from server_load import ROOT, SIMPLE


def fixed(store: Any) -> Any:
    """A job that answers a fixed Reply of about the simple query's size."""
    from sanctiongraph.server.workers import Reply

    return Reply(200, "application/sparql-results+json", b"x" * 120, (("Vary", "Accept"),))


def measure(graph: Path, seconds: float, threads: list[int], label: str) -> None:
    from sanctiongraph.namespaces import BASE
    from sanctiongraph.query.library import Query
    from sanctiongraph.server import jobs
    from sanctiongraph.server.negotiation import Rebase
    from sanctiongraph.server.pages import Links
    from sanctiongraph.server.workers import Engine

    engine = Engine(graph, workers=2, timeout=30)
    simple = (Query("query", "query", "", (), SIMPLE), {}, "application/sparql-results+json", 10_000, Links("", Rebase(BASE)),
              frozenset({BASE + "sparql"}), ([], []))
    try:
        for name, job, arguments in (("fixed reply", fixed, ()), ("simple query", jobs.answer, simple)):
            for count in threads:
                done = [0] * count
                deadline = time.monotonic() + seconds

                def loop(index: int) -> None:
                    while time.monotonic() < deadline:
                        engine.run(job, *arguments, wait=5)
                        done[index] += 1

                before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
                workers = [threading.Thread(target=loop, args=(i,)) for i in range(count)]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
                elapsed, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF)
                cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / sum(done) * 1e6
                print(f"| {label} | {name} | {count} | {sum(done) / elapsed:.0f} | {cpu:.0f} | {os.getloadavg()[0]:.1f} |", flush=True)
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "graph")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--baseline", metavar="REV", help="measure this commit's src/ first")
    parser.add_argument("--label", default="this tree", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.label == "this tree":
        print("| code | job | threads | round trips/s | server CPU µs per job | load average |\n| --- | --- | ---: | ---: | ---: | ---: |")
    if args.baseline:
        with tempfile.TemporaryDirectory() as scratch:
            archive = subprocess.run(["git", "archive", args.baseline, "src"], cwd=ROOT, capture_output=True, check=True).stdout
            with tarfile.open(fileobj=BytesIO(archive)) as tar:
                tar.extractall(scratch, filter="data")
            env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(scratch) / "src"), str(Path(__file__).parent)]))
            subprocess.run([sys.executable, __file__, "--graph", str(args.graph), "--seconds", str(args.seconds), "--threads",
                            *map(str, args.threads), "--label", args.baseline], env=env, check=True)
    measure(args.graph.resolve(), args.seconds, args.threads, args.label)


if __name__ == "__main__":
    main()
