"""The choice of the HTTP server under `sanctiongraph serve`: the same application under waitress, cheroot and granian.

Each serves the WSGI application as `sanctiongraph serve` builds it (two query workers), with
8 threads, on a free port of 127.0.0.1; the load is server_load.py's (simple and join-heavy
queries, 8 and 32 clients, each on one kept-alive connection), with `oxigraph serve` as the
anchor. cheroot and granian are not dependencies: `pip install cheroot granian` first.

    python benchmarks/http_servers.py [--graph graph] [--duration 4] [--servers waitress cheroot granian oxigraph]

Prints a Markdown table; nothing is sent anywhere but 127.0.0.1."""

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


def application() -> Any:
    """The application of `sanctiongraph serve` on the graph named by SANCTIONGRAPH_BENCH_GRAPH."""
    from sanctiongraph.project import library_folders, yasgui_folder
    from sanctiongraph.server.app import App, Settings
    from sanctiongraph.server.frontend import engine_maker
    from sanctiongraph.server.live import Live

    settings = Settings(graph=Path(os.environ["SANCTIONGRAPH_BENCH_GRAPH"]), queries=library_folders(None), assets=yasgui_folder(), workers=2)
    return App(settings, Live(settings.graph, engine_maker(settings)))


def serve(name: str, port: int) -> None:
    """Run the application under the server name (in this process, until killed)."""
    if name == "waitress":
        import waitress

        waitress.serve(application(), host="127.0.0.1", port=port, threads=THREADS, _quiet=True)
    elif name == "cheroot":
        from cheroot import wsgi

        wsgi.Server(("127.0.0.1", port), application(), numthreads=THREADS).safe_start()


@contextmanager
def started(name: str, graph: Path, workdir: Path) -> Iterator[str]:
    if name == "oxigraph":
        with oxigraph(graph, workdir) as url:
            yield url
        return
    port = free_port()
    env = dict(os.environ, SANCTIONGRAPH_BENCH_GRAPH=str(graph), PYTHONPATH=str(Path(__file__).parent))
    if name == "granian":  # granian imports the application in a worker process of its own: http_servers:app below
        command = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", "1", "--blocking-threads", str(THREADS), "--log-level", "error", "http_servers:app"]
        env["SANCTIONGRAPH_BENCH_GRANIAN"] = "1"
    else:
        command = [sys.executable, __file__, "--serve", name, "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=Path(__file__).parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with answering(process, name, port, "/sparql", limit=60) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "graph")
    parser.add_argument("--duration", type=float, default=4.0)
    parser.add_argument("--servers", nargs="+", default=["waitress", "cheroot", "granian", "oxigraph"])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return
    print("| server | query | clients | requests/s | p50 ms | p99 ms | 503 | failed |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.servers:
            with started(name, args.graph.resolve(), Path(scratch)) as url:
                for label, query in (("simple", SIMPLE), ("join-heavy", join_heavy())):
                    load(url, query, 1, 1.0)  # warm up
                    for clients in (8, 32):
                        r = load(url, query, clients, args.duration)
                        print(f"| {name} | {label} | {clients} | {r['throughput']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['503']} | "
                              f"{r['failed']} |", flush=True)


if os.environ.get("SANCTIONGRAPH_BENCH_GRANIAN"):
    app = application()

if __name__ == "__main__":
    main()
