"""The ceilings of simple-query throughput: HTTP servers and applications of increasing weight, with `oxigraph serve`.

Each cell serves one application under one HTTP server, on a free port of 127.0.0.1, and
takes server_load.py's load (8 and 32 clients, each on one kept-alive connection; the simple
query, and the join-heavy one with --join-heavy):

- applications: `trivial`, a WSGI function answering a fixed 100-byte JSON body (what the HTTP
  server alone costs); `constant`, the application of `sanctiongraph serve` whose query workers are
  replaced by one answering that body as a Reply in the server process (the server's own cost
  without the hop to a worker); `hop`, the application whose jobs are sent to its two query workers
  with their arguments, where a job that ignores them answers that Reply (the hop without the
  query); `inprocess`, the application whose jobs run in the server process on a store of its own (what
  answering without the hop would reach: not a mode of the server, since a query there could be neither
  stopped at its time limit nor kept from the network); `full`, the application as `sanctiongraph serve`
  runs it (two query workers);
- servers: `waitress` (plain, 8 threads), `reception` (the waitress subclass of `sanctiongraph
  serve`, with its connection slots and gzip), `cheroot`, `granian` (8 threads each); `oxigraph`
  (`oxigraph serve`, the anchor; it ignores the application).

cheroot and granian are not dependencies: `pip install cheroot granian` first.

    python benchmarks/http_servers.py [--graph graph] [--duration 4] [--servers waitress reception cheroot granian oxigraph] \
        [--apps trivial constant hop inprocess full] [--join-heavy]

Prints a Markdown table, with the CPU time the server's processes (the server and its query workers) spent per
answered request, which the other work on a shared machine disturbs less than the throughput; nothing is sent
anywhere but 127.0.0.1."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from server_load import ROOT, SIMPLE, answering, free_port, join_heavy, load, oxigraph

THREADS = 8
TRIVIAL_BODY = b'{"head":{"vars":["label"]},"results":{"bindings":[{"label":{"type":"literal","value":"Mechel"}}]}}\n'


def trivial(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A WSGI application that reads the request body and answers a fixed JSON body."""
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(TRIVIAL_BODY)))])
    return [TRIVIAL_BODY]


class ConstantEngine:
    """In place of the query workers: every job answers the same Reply at once, in the server process."""

    def __init__(self, folder: Path) -> None:
        from sanctiongraph.server.workers import Reply

        self.reply = Reply(200, "application/sparql-results+json", TRIVIAL_BODY, (("Vary", "Accept"),))

    def run(self, job: Any, *args: Any, wait: float, timeout: float | None = None) -> Any:
        return self.reply

    def alive(self) -> int:
        return 1

    def close(self) -> None:
        pass


def fixed(store: Any, *args: Any) -> Any:
    """A job for the query workers that answers ConstantEngine's Reply, whatever it is asked."""
    return ConstantEngine(Path()).reply


class HopEngine:
    """The query workers, where every job is replaced by `fixed`, sent with the job's own arguments."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def run(self, job: Any, *args: Any, wait: float, timeout: float | None = None) -> Any:
        return self.engine.run(fixed, *args, wait=wait, timeout=timeout)

    def alive(self) -> int:
        return int(self.engine.alive())

    def close(self) -> None:
        self.engine.close()


class InProcessEngine(ConstantEngine):
    """Jobs run in the server process, on its own store: no sandbox, no time limit."""

    def __init__(self, folder: Path) -> None:
        from sanctiongraph.query.store import open_store

        self.store = open_store(folder)

    def run(self, job: Any, *args: Any, wait: float, timeout: float | None = None) -> Any:
        return job(self.store, *args)


def application(kind: str) -> Any:
    """The application of that kind, on the graph named by SANCTIONGRAPH_BENCH_GRAPH."""
    if kind == "trivial":
        return trivial
    from sanctiongraph.project import library_folders, yasgui_folder
    from sanctiongraph.server.app import App, Settings
    from sanctiongraph.server.compression import Compression
    from sanctiongraph.server.frontend import engine_maker
    from sanctiongraph.server.live import Live

    settings = Settings(graph=Path(os.environ["SANCTIONGRAPH_BENCH_GRAPH"]), queries=library_folders(None), assets=yasgui_folder(), workers=2)
    engines = {"constant": ConstantEngine, "hop": lambda folder: HopEngine(engine_maker(settings)(folder)), "inprocess": InProcessEngine,
               "full": engine_maker(settings)}
    return Compression(App(settings, Live(settings.graph, engines[kind])))


def serve(name: str, kind: str, port: int) -> None:
    """Run the application under the server name (in this process, until killed)."""
    app = application(kind)
    if name == "waitress":
        import waitress

        waitress.serve(app, host="127.0.0.1", port=port, threads=THREADS, _quiet=True)
    elif name == "reception":
        from sanctiongraph.server.app import Settings
        from sanctiongraph.server.reception import http_server

        defaults = Settings(graph=Path(), queries=(), assets=Path())
        http_server(app, host="127.0.0.1", port=port, connections=defaults.connections, request_timeout=defaults.request_timeout,
                    max_body=defaults.max_body).run()
    elif name == "cheroot":
        from cheroot import wsgi

        wsgi.Server(("127.0.0.1", port), app, numthreads=THREADS).safe_start()


def cpu_seconds(port: int) -> float:
    """The CPU time so far of the process listening on the port and of its descendants (Linux's /proc)."""
    inode = next(line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[1] == f"0100007F:{port:04X}" and line.split()[3] == "0A")
    owner = next(pid for pid in os.listdir("/proc") if pid.isdigit() and _holds(pid, inode))
    tick, total, pending = os.sysconf("SC_CLK_TCK"), 0.0, [owner]
    while pending:
        pid = pending.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            pending += [child for task in os.listdir(f"/proc/{pid}/task")
                        for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _holds(pid: str, inode: str) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]" for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@contextmanager
def started(name: str, kind: str, graph: Path, workdir: Path) -> Iterator[str]:
    if name == "oxigraph":
        with oxigraph(graph, workdir) as url:
            yield url
        return
    port = free_port()
    env = dict(os.environ, SANCTIONGRAPH_BENCH_GRAPH=str(graph), SANCTIONGRAPH_BENCH_APP=kind, PYTHONPATH=str(Path(__file__).parent))
    if name == "granian":  # granian imports the application in a worker process of its own: http_servers:app below
        command = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", "1", "--blocking-threads", str(THREADS), "--log-level", "error", "http_servers:app"]
        env["SANCTIONGRAPH_BENCH_GRANIAN"] = "1"
    else:
        command = [sys.executable, __file__, "--serve", name, "--app", kind, "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with answering(process, f"{name} ({kind})", port, "/sparql", limit=60) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "graph")
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--servers", nargs="+", default=["waitress", "reception", "cheroot", "granian", "oxigraph"])
    parser.add_argument("--apps", nargs="+", default=["trivial", "constant", "hop", "inprocess", "full"],
                        choices=["trivial", "constant", "hop", "inprocess", "full"])
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--join-heavy", action="store_true", help="also the join-heavy query")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--app", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.app, args.port)
        return
    queries = [("simple", SIMPLE)] + [("join-heavy", join_heavy())] * args.join_heavy
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| server | application | query | clients | requests/s | p50 ms | p99 ms | server CPU µs per request | 503 | failed |\n"
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    cells = [(name, kind) for name in args.servers if name != "oxigraph" for kind in args.apps]
    cells += [("oxigraph", "-")] * ("oxigraph" in args.servers)
    with tempfile.TemporaryDirectory() as scratch:
        for name, kind in cells:
            with started(name, kind, args.graph.resolve(), Path(scratch)) as url:
                for label, query in queries:
                    load(url, query, 1, 1.0)  # warm up
                    for clients in args.clients:
                        port = int(url.split(":")[2].split("/")[0])
                        before = cpu_seconds(port)
                        r = load(url, query, clients, args.duration)
                        cpu = (cpu_seconds(port) - before) / max(r["ok"], 1) * 1e6
                        print(f"| {name} | {kind} | {label} | {clients} | {r['throughput']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | "
                              f"{cpu:.0f} | {r['503']} | {r['failed']} |", flush=True)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if os.environ.pop("SANCTIONGRAPH_BENCH_GRANIAN", None):  # taken away first: the query workers import this module too
    app = application(os.environ.get("SANCTIONGRAPH_BENCH_APP", "full"))

if __name__ == "__main__":
    main()
