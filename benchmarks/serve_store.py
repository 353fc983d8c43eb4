"""`sanctiongraph serve --store` against the store it stands in front of: every library query, sent straight to an
Oxigraph server and through `serve --store` in front of it, in the same run, and through `serve` on the build as well.

The graph is a generated corpus of N sources plus the bundled first source (benchmarks/queries.py builds and keeps
it under benchmarks/corpus/), published to an Oxigraph server (`--union-default-graph`) by `sanctiongraph publish`.
Each client keeps one HTTP/1.1 connection; a query straight to the store is the library query with its example
parameters bound (a POSTed form), through a server it is `/queries/NAME?params`; JSON results each time. Medians of
rounds that interleave the three ways (benchmarks/queries.py, `interleaved`).

    python benchmarks/serve_store.py [--sources 1000] [--seed 1] [--runs 10] [--baseline REV] [--queries NAME ...]     # --sources 0: the bundled sources alone

With --baseline REV, a second `serve --store` runs that commit's code (its src/, queries/ and ontology/, from `git
archive`, first on PYTHONPATH) in front of the same store, measured in the same rounds: before and after, interleaved.

Prints Markdown tables; nothing is sent anywhere but 127.0.0.1."""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from server_load import free_port

from queries import WORK, corpus_with_seed, interleaved
from sanctiongraph import project
from sanctiongraph.builder.dataset import build
from sanctiongraph.query.library import load_queries
from sanctiongraph.query.running import with_values
from sanctiongraph.server.reception import IDLE

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
LIMIT = 30  # seconds: the time limit of each server, the store's included; a query past it is reported, not timed


@contextmanager
def process(command: list[str], log: Path, ready: Callable[[], bool], *, limit: float = 120,
            cwd: Path | None = None, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A server process (started in cwd), once `ready()` holds; terminated after the block."""
    with log.open("wb") as output:
        started = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=cwd, env=env)
    try:
        deadline = time.monotonic() + limit
        while not ready():
            if started.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command[0]} did not start: {log.read_text()[-500:]}")
            time.sleep(0.05)
        yield started
    finally:
        started.terminate()
        started.wait(timeout=30)


def answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/")
        connection.getresponse().read()
        connection.close()
        return True
    except OSError:
        return False


class Client:
    """One kept-alive connection to a server on 127.0.0.1; after IDLE seconds without a request (when the reception has
    closed it: a slow query of another way took that long meanwhile), a new one."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.used = time.monotonic()

    def get(self, path: str) -> tuple[int, bytes]:
        return self._exchange("GET", path, None, {"Accept": "application/sparql-results+json"})

    def post(self, path: str, query: str) -> tuple[int, bytes]:
        return self._exchange("POST", path, urllib.parse.urlencode({"query": query}),
                              {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})

    def _exchange(self, method: str, path: str, body: str | None, headers: dict[str, str]) -> tuple[int, bytes]:
        """The status and body; status 0 when the server closed the connection (the next request opens a new one)."""
        if time.monotonic() - self.used > IDLE - 1:
            self.connection.close()  # http.client opens another for the request
        self.used = time.monotonic()
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return 0, b""
        finally:
            self.used = time.monotonic()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sources", type=int, default=1000, help="generated sources besides the first (0: the bundled sources alone)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=10, help="rounds at least (more for fast queries, about 1 s each)")
    parser.add_argument("--baseline", metavar="REV", help="also through `serve --store` running this commit's code")
    parser.add_argument("--queries", nargs="+", metavar="NAME", help="these library queries only (default: all)")
    args = parser.parse_args()
    folder = corpus_with_seed(args.sources, args.seed) if args.sources else WORK / "bundled"
    graph = folder / "graph"
    if not (graph / "void.ttl").is_file():
        build(folder / "sources" if args.sources else ROOT / "sources", project.ontology_folder(), graph)
    quads = sum(1 for _ in (graph / "sanctiongraph.nq").open("rb"))
    library = {name: query for name, query in load_queries(ROOT / "queries").items() if not args.queries or name in args.queries}
    oxigraph = shutil.which("oxigraph", path=str(BIN))
    if oxigraph is None:
        raise SystemExit("the oxigraph server is missing: pip install oxigraph (the test extra installs it)")
    load = os.getloadavg()
    print(f"machine: {platform.platform()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average {load[0]:.1f} at the start")
    print(f"graph: {args.sources:,} generated sources and the bundled sources, {quads:,} quads\n")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        store_port, front_port, built_port, baseline_port = free_port(), free_port(), free_port(), free_port()
        store_url = f"http://127.0.0.1:{store_port}/query"
        store_command = [oxigraph, "serve", "--location", str(work / "store"), "--bind", f"127.0.0.1:{store_port}", "--union-default-graph",
                         "--timeout-s", str(LIMIT)]
        with process(store_command, work / "store.log", lambda: answers(store_port)):
            started = time.perf_counter()
            subprocess.run([str(BIN / "sanctiongraph"), "publish", f"http://127.0.0.1:{store_port}/store", "--graph", str(graph), "-q"], check=True)
            print(f"published in {time.perf_counter() - started:.1f} s\n")
            serve = [str(BIN / "sanctiongraph"), "serve", "--quiet", "--workers", "2", "--timeout", str(LIMIT)]
            with process([*serve, "--store", store_url, "--port", str(front_port)], work / "front.log", lambda: answers(front_port)), \
                    process([*serve, "--graph", str(graph), "--port", str(built_port)], work / "built.log", lambda: answers(built_port)), \
                    baseline(args.baseline, [*serve, "--store", store_url, "--port", str(baseline_port)], work) as before:
                rows = measure(library, Client(store_port), Client(front_port), Client(built_port), Client(baseline_port) if before else None,
                               args.runs)
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    print(report(rows, args.baseline) if rows else "no query was answered by every way (stderr says which)")


@contextmanager
def baseline(rev: str | None, command: list[str], work: Path) -> Iterator[bool]:
    """The server of the command running commit rev's code, while the block runs (nothing when rev is None)."""
    if rev is None:
        yield False
        return
    archive = subprocess.run(["git", "archive", rev, "src", "queries", "ontology"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(work / "baseline", filter="data")
    port = int(command[command.index("--port") + 1])
    code = [sys.executable, "-c", "import sys; from sanctiongraph.cli import main; sys.exit(main(sys.argv[1:]))", *command[1:]]
    env = dict(os.environ, PYTHONPATH=str(work / "baseline" / "src"))
    with process(code, work / "baseline.log", lambda: answers(port), cwd=work, env=env):
        yield True


Row = tuple[str, int, float, float, float, float | None]


def measure(library: dict, store: Client, front: Client, built: Client, before: Client | None, runs: int) -> list[Row]:
    """(query, rows, seconds straight to the store, through serve --store, through serve on the build, through the
    baseline's serve --store or None) per library query; a query that one of them does not answer within LIMIT is
    left out, and said so on stderr."""
    rows: list[Row] = []
    for name, query in sorted(library.items()):
        params = {p.name: p.example for p in query.parameters}
        text = with_values(query, query.bindings(params))
        path = f"/queries/{name}?" + urllib.parse.urlencode(params)
        ways = {"store": lambda: store.post("/query", text), "front": lambda: front.get(path), "built": lambda: built.get(path)}
        if before is not None:
            ways["before"] = lambda: before.get(path)
        statuses = {way: work()[0] for way, work in ways.items()}
        if set(statuses.values()) != {200}:
            print(f"{name:45s} left out: {statuses} (not answered within {LIMIT} s)", file=sys.stderr, flush=True)
            continue
        times, (_, body) = interleaved(ways, runs)  # type: ignore[misc]
        count = len(json.loads(body)["results"]["bindings"])
        rows.append((name, count, times["store"], times["front"], times["built"], times.get("before")))
        print(f"{name:45s} " + " ".join(f"{way} {seconds * 1000:.1f}" for way, seconds in times.items()) + " ms", file=sys.stderr, flush=True)
    return rows


def report(rows: list[Row], rev: str | None) -> str:
    earlier = f" | through `serve --store` at {rev}, ms | ratio" if rev else ""
    lines = [f"| query | rows | straight to the store, ms | through `serve --store`, ms | ratio{earlier} | `serve` on the build, ms |",
             "| --- | ---: | ---: | ---: | ---: |" + " ---: | ---: |" * bool(rev) + " ---: |"]
    for name, count, store, front, built, before in rows:
        then = f" | {before * 1000:.1f} | {before / store:.2f}" if before is not None else ""
        lines.append(f"| {name} | {count} | {store * 1000:.1f} | {front * 1000:.1f} | {front / store:.2f}{then} | {built * 1000:.1f} |")
    lines.append("")
    for label, column in [("through `serve --store`", 3)] + [(f"through `serve --store` at {rev}", 5)] * bool(rev):
        ratios = [row[column] / row[2] for row in rows]  # type: ignore[operator]
        within = sum(1 for ratio in ratios if ratio <= 1.5)
        total_store, total = sum(row[2] for row in rows), sum(row[column] for row in rows)  # type: ignore[misc]
        lines.append(f"{label}: {len(rows)} queries, median ratio {statistics.median(ratios):.2f}, {within} within 1.5×; all queries one "
                     f"after the other: {total_store * 1000:.0f} ms straight, {total * 1000:.0f} ms {label} ({total / total_store:.2f}×)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
