"""Load on `sanctiongraph serve`, with `oxigraph serve` on the same data as the anchor.

Throughput and latency of a simple and a join-heavy query with 1, 8 and 32 concurrent
clients on loopback, then an overload: many clients on a slow query against a server with
few connection slots, counting 200s, 503s and failures, and the latency of one query once
the load stops. Each client keeps one HTTP/1.1 connection open (keep-alive), for every server
alike (--no-keep-alive: a new connection per request). Clients run as threads spread over a few
processes. Our server runs twice: with its store on disk, then with --memory.

    python benchmarks/server_load.py [--graph graph] [--duration 10] [--clients 1 8 32] [--overload-clients 200] [--no-keep-alive]

Needs a built graph (`sanctiongraph build`, or a generated corpus such as the one
`benchmarks/queries.py --sources 7000` builds under benchmarks/corpus/, which keeps the first
source so the join-heavy query has its answers) and the `oxigraph` binary of the test extra.
Prints Markdown tables; nothing is sent anywhere but 127.0.0.1, and every loop is bounded in time."""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sanctiongraph.query.library import find_query
from sanctiongraph.query.running import with_values

ROOT = Path(__file__).resolve().parents[1]
SIMPLE = "SELECT ?label WHERE { <https://w3id.org/sanctiongraph/id/mechel> <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?c ?d ?e . ?e ?f ?g }"  # every path of three triples


def join_heavy() -> str:
    """source-statements: every statement of the source with its class, label, attribution and sentence (118 rows)."""
    query = find_query([ROOT / "queries"], "source-statements")
    return with_values(query, query.bindings({p.name: p.example for p in query.parameters}))


def request(host: str, port: int, path: str, query: str, timeout: float = 60, connection: http.client.HTTPConnection | None = None) -> int:
    """POST one query, on the connection given (kept open when the server allows) or a new one; the status, or 0 when
    the connection failed."""
    body = urllib.parse.urlencode({"query": query})
    kept = connection is not None
    connection = connection or http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                "Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        if response.will_close:
            connection.close()  # http.client opens a new one for the next request
        return response.status
    except (OSError, http.client.HTTPException):
        connection.close()
        return 0
    finally:
        if not kept:
            connection.close()


def _client_process(args: tuple[str, int, str, str, int, float, bool]) -> list[tuple[float, int]]:
    """Threads in one process, each sending queries back to back until the deadline: (latency, status) pairs."""
    host, port, path, query, threads, duration, keep_alive = args
    deadline = time.monotonic() + duration

    def loop(_: int) -> list[tuple[float, int]]:
        samples = []
        connection = http.client.HTTPConnection(host, port, timeout=60) if keep_alive else None
        while time.monotonic() < deadline:
            started = time.perf_counter()
            status = request(host, port, path, query, connection=connection)
            samples.append((time.perf_counter() - started, status))
        if connection is not None:
            connection.close()
        return samples

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [sample for samples in pool.map(loop, range(threads)) for sample in samples]


def load(url: str, query: str, clients: int, duration: float, keep_alive: bool = True) -> dict[str, float]:
    parts = urllib.parse.urlsplit(url)
    processes = min(clients, 4)
    shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
    jobs = [(parts.hostname or "127.0.0.1", parts.port or 80, parts.path, query, share, duration, keep_alive) for share in shares]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        samples = [s for batch in pool.map(_client_process, jobs) for s in batch]
    ok = sorted(latency for latency, status in samples if status == 200)
    statuses = Counter(status for _, status in samples)

    def percentile(p: float) -> float:
        return ok[min(len(ok) - 1, int(p * len(ok)))] * 1000 if ok else float("nan")

    return {"requests": len(samples), "ok": len(ok), "throughput": len(ok) / duration, "p50": percentile(0.5),
            "p95": percentile(0.95), "p99": percentile(0.99), "503": statuses[503], "failed": len(samples) - len(ok) - statuses[503]}


def start_up(graph: Path, workdir: Path, *options: str) -> str:
    """The time `sanctiongraph serve` takes to answer a first query, and the resident memory of its processes then."""
    started = time.perf_counter()
    with ours(graph, workdir, *options) as url:
        parts = urllib.parse.urlsplit(url)
        status = request(parts.hostname or "", parts.port or 80, parts.path, SIMPLE)
        seconds = time.perf_counter() - started
        table = [line.split(None, 3) for line in
                 subprocess.run(["ps", "-e", "-o", "pid=,ppid=,rss=,args="], capture_output=True, text=True, check=True).stdout.splitlines()]
        server_pid, server = next((pid, int(rss)) for pid, ppid, rss, args in table if int(ppid) == os.getpid() and " serve " in args)
        workers = [int(rss) for pid, ppid, rss, args in table if ppid == server_pid and "resource_tracker" not in args]
    return (f"| sanctiongraph serve {' '.join(options)} | {seconds:.1f} (status {status}) | {server / 1024:.0f} | "
            f"{len(workers)} × {max(workers, default=0) / 1024:.0f} |")


@contextmanager
def ours(graph: Path, workdir: Path, *options: str) -> Iterator[str]:
    log = workdir / f"serve-{time.monotonic_ns()}.log"
    command = [str(Path(sys.executable).parent / "sanctiongraph"), "serve", "--port", "0", "--graph", str(graph), "--quiet", *options]
    with log.open("wb") as stream:
        process = subprocess.Popen(command, stdout=stream, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while (match := re.search(rb"serving (http://\S+/) ", log.read_bytes())) is None:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"sanctiongraph serve did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield match.group(1).decode() + "sparql"
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def oxigraph(graph: Path, workdir: Path) -> Iterator[str]:
    binary = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not binary:
        raise SystemExit("the oxigraph binary is missing: pip install oxigraph (the test extra)")
    location = workdir / "oxigraph"
    subprocess.run([binary, "load", "--location", str(location), "--file", str(graph / "sanctiongraph.nq")], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with answering(process, "oxigraph serve", port, "/query", limit=30) as url:
        yield url


@contextmanager
def answering(process: subprocess.Popen[bytes], name: str, port: int, path: str, *, limit: float) -> Iterator[str]:
    """The endpoint URL of a server process once it answers ASK {} on 127.0.0.1:port; the process ends after the block."""
    try:
        deadline = time.monotonic() + limit
        while request("127.0.0.1", port, path, "ASK {}", timeout=1) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start")
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "graph", help="folder of the built graph")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--overload-clients", type=int, default=200, help="clients of the overload test (0 skips it)")
    parser.add_argument("--no-keep-alive", dest="keep_alive", action="store_false", help="a new connection for every request")
    parser.add_argument("--start-up", action="store_true", help="measure only the start time and memory, on disk and --memory")
    args = parser.parse_args()
    if args.start_up:
        print("| server | first answer after start, s | server process MB | query workers, MB each |\n| --- | ---: | ---: | ---: |")
        with tempfile.TemporaryDirectory() as scratch:
            for options in ((), ("--memory",)):
                print(start_up(args.graph, Path(scratch), "--workers", "2", *options), flush=True)
        return
    queries = {"simple (one label)": SIMPLE, "join-heavy (source-statements, 118 rows)": join_heavy()}
    print(f"machine: {platform.platform()}, {multiprocessing.cpu_count()} cores, Python {platform.python_version()}")
    print(f"graph: {args.graph} ({sum(1 for _ in (args.graph / 'sanctiongraph.nq').open('rb'))} quads); {args.duration:g} s per cell\n")
    print("| server | query | clients | requests/s | p50 ms | p95 ms | p99 ms | 503 | failed |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        workdir = Path(scratch)
        for name, server in (("sanctiongraph serve", ours(args.graph, workdir)), ("sanctiongraph serve --memory", ours(args.graph, workdir, "--memory")),
                             ("oxigraph serve", oxigraph(args.graph, workdir))):
            with server as url:
                for label, query in queries.items():
                    load(url, query, 1, 1.0, args.keep_alive)  # warm up
                    for clients in args.clients:
                        r = load(url, query, clients, args.duration, args.keep_alive)
                        print(f"| {name} | {label} | {clients} | {r['throughput']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
                              f"{r['p99']:.1f} | {r['503']} | {r['failed']} |", flush=True)
        if not args.overload_clients:
            return
        print(f"\nOverload: {args.overload_clients} clients for {args.duration:g} s on a slow query (a COUNT of every path of "
              "three triples); sanctiongraph serve with --connections 32 --wait 1\n")
        print("| server | p50 ms alone | answered 200 | 503 | failed | p50 ms of the 200s | p99 ms of the 200s | first query after the load, ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for name, server in (("sanctiongraph serve", ours(args.graph, workdir, "--connections", "32", "--wait", "1")),
                             ("oxigraph serve", oxigraph(args.graph, workdir))):
            with server as url:
                alone = load(url, SLOW, 1, 2.0, args.keep_alive)["p50"]
                r = load(url, SLOW, args.overload_clients, args.duration, args.keep_alive)
                time.sleep(2)  # the backlog drains
                parts = urllib.parse.urlsplit(url)
                started = time.perf_counter()
                status = request(parts.hostname or "", parts.port or 80, parts.path, SIMPLE)
                after = (time.perf_counter() - started) * 1000
                print(f"| {name} | {alone:.0f} | {r['ok']} | {r['503']} | {r['failed']} | {r['p50']:.0f} | {r['p99']:.0f} | {after:.1f} (status {status}) |", flush=True)


if __name__ == "__main__":
    main()
