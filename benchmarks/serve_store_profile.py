"""Where the time of one request through `sanctiongraph serve --store` goes, step by step, against the same query sent
straight to the store.

An Oxigraph server (`oxigraph load` of the build's N-Quads, then `oxigraph serve --union-default-graph`) on 127.0.0.1;
for each query named, the median over many runs, one client on one kept-alive connection, JSON results, of:

- over HTTP: the query straight to the store; `/queries/NAME` through `sanctiongraph serve --store` (a process of its
  own); a WSGI function answering a fixed body under the server's waitress reception (the HTTP server's own floor);
- over HTTP, the floor of any server in front of the store: `ASK {}` straight to the store, and through the
  reception with nothing but that exchange behind it; the exchange alone, from this process;
- in this process, each step of the request with the inputs it has in the server: the application called as
  waitress calls it (no HTTP), and within it the parameters bound (with the lookup of an entity's name on the
  store), the check for SERVICE and LOAD, the VALUES block, the query form, the store's exchange on a kept-alive
  connection, and the job with the store's answer at hand (all it does but the exchange).

With PYTHONPATH naming another tree's src/ first, it measures that tree (the server it starts included).

    python benchmarks/serve_store_profile.py [--graph graph] [--queries listings sanctions-on-target ...] [--runs 400] [--granian]

Prints a Markdown table in microseconds; nothing is sent anywhere but 127.0.0.1."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from serve_store import BIN, Client, answers, process
from server_load import free_port

from sanctiongraph.project import library_folders
from sanctiongraph.query.connections import Connections
from sanctiongraph.query.endpoint import Endpoint
from sanctiongraph.query.running import entity_lookup, evaluate, query_form, with_values
from sanctiongraph.server import jobs
from sanctiongraph.server.app import App, Settings
from sanctiongraph.server.compression import Compression
from sanctiongraph.server.federation import refuse_fetches
from sanctiongraph.server.pages import Links
from sanctiongraph.server.reception import Slots, http_server
from sanctiongraph.server.remote import StoreEngine, in_front

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ACCEPT = "application/sparql-results+json"
FIXED = b'{"head":{},"boolean":true}'


def median_us(work: Callable[[], object], runs: int) -> float:
    """The median time of work in microseconds, after a few runs to warm it."""
    for _ in range(min(20, runs)):
        work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1e6


def environ(path: str, query: str) -> dict[str, Any]:
    """What waitress gives the application for a GET of path?query asking for JSON results."""
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "HTTP_ACCEPT": ACCEPT, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "REMOTE_ADDR": "127.0.0.1"}


def profile(name: str, store_url: str, front_port: int, floor_port: int, granian_port: int | None, runs: int) -> dict[str, float]:
    """The steps of one named query, in microseconds."""
    settings = Settings(graph=None, store=store_url, queries=library_folders(None), assets=ROOT, workers=2)
    live = in_front(store_url, workers=2, timeout=settings.timeout)
    app = App(settings, live)
    wsgi = Slots(Compression(app), settings.connections)
    query = app.library[name]
    params = {p.name: p.example for p in query.parameters}
    search = urllib.parse.urlencode(params)
    engine = live.served.engine
    assert isinstance(engine, StoreEngine)
    endpoint = Endpoint(store_url, timeout=settings.timeout, connections=engine._connections)
    own = frozenset({"http://127.0.0.1:8000/sparql"})
    bindings = query.bindings(params, entity_lookup(lambda q, b: evaluate(endpoint, q, b)))
    text = with_values(query, bindings)
    form = query_form(query)
    body = engine._connections.send(text, form, settings.timeout)
    links = Links("", app.rebase)
    straight, front, floor = Client(int(urllib.parse.urlsplit(store_url).port or 0)), Client(front_port), Client(floor_port)

    def call() -> bytes:
        return b"".join(wsgi(environ(f"/queries/{name}", search), lambda *given: None))

    steps = {
        "straight to the store (HTTP)": lambda: straight.post("/query", text),
        "through serve --store (HTTP)": lambda: front.get(f"/queries/{name}?{search}"),
        "waitress reception, fixed body (HTTP)": lambda: floor.get("/"),
        "the application, in process": call,
        "bind the parameters (entity lookups included)": lambda: query.bindings(params, entity_lookup(lambda q, b: evaluate(endpoint, q, b))),
        "check for SERVICE and LOAD": lambda: refuse_fetches(query.text, own=own),
        "VALUES block written in": lambda: with_values(query, bindings),
        "query form": lambda: query_form(query),
        "the store's exchange (form encoded, sent, answer read)": lambda: engine._connections.send(text, form, settings.timeout),
        "the job but the exchange (the store's answer at hand)": lambda: jobs.answer(
            Endpoint(store_url, timeout=settings.timeout, connections=_Answered(body)), query, bindings, ACCEPT, settings.max_results, links, own),
    }
    if granian_port is not None:
        under_granian = Client(granian_port)
        steps["the application of serve --store under granian (HTTP)"] = lambda: under_granian.get(f"/queries/{name}?{search}")
    try:
        return {step: median_us(work, runs) for step, work in steps.items()}
    finally:
        live.close()


class _Answered:
    """In place of the connections to the store: every query answered at once with the body the store gave (what the
    server does with a store's answer, without the exchange)."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def send(self, *request: Any) -> bytes:
        return self.body


def forwarding(store_url: str) -> Callable[[dict[str, Any], Callable[..., Any]], list[bytes]]:
    """A WSGI application that answers every request with the store's answer to `ASK {}`, asked over the kept-alive
    connections of `serve --store`: an HTTP server in front of a store, doing nothing else."""
    connections = Connections(store_url, 30)

    def forward(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        body = connections.send("ASK {}", "ASK", 30)
        start_response("200 OK", [("Content-Type", ACCEPT), ("Content-Length", str(len(body)))])
        return [body]

    return forward


def floors(store_url: str, store_port: int, floor_port: int, forward_port: int, granian: dict[str, int], runs: int) -> dict[str, float]:
    """What any server in front of the store costs, in microseconds: `ASK {}` straight to the store; a fixed body from
    the reception; the reception forwarding `ASK {}` to the store; that exchange alone, from this process; and the
    same under granian when it runs."""
    straight, floor, forward = Client(store_port), Client(floor_port), Client(forward_port)
    connections = Connections(store_url, 30)
    measured = {"ASK {} straight to the store (HTTP)": median_us(lambda: straight.post("/query", "ASK {}"), runs),
                "a fixed body from the reception (HTTP)": median_us(lambda: floor.get("/"), runs),
                "the reception forwarding ASK {} to the store (HTTP)": median_us(lambda: forward.get("/"), runs),
                "that exchange with the store alone, from one process": median_us(lambda: connections.send("ASK {}", "ASK", 30), runs)}
    for kind, what in (("fixed", "a fixed body from granian (HTTP)"), ("forward", "granian forwarding ASK {} to the store (HTTP)")):
        if kind in granian:
            client = Client(granian[kind])
            measured[what] = median_us(lambda: client.get("/"), runs)
    return measured


def served_by_granian(kind: str, store_url: str) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """What granian serves in the comparison: a fixed body, the forwarding of `ASK {}`, or the application of `serve
    --store` (without the reception's deadline and slots, which are waitress's)."""
    if kind == "forward":
        return forwarding(store_url)
    if kind == "full":
        settings = Settings(graph=None, store=store_url, queries=library_folders(None), assets=ROOT, workers=2)
        return Compression(App(settings, in_front(store_url, workers=2, timeout=settings.timeout)))

    def fixed(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", ACCEPT), ("Content-Length", str(len(FIXED)))])
        return [FIXED]

    return fixed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graph", type=Path, default=ROOT / "graph")
    parser.add_argument("--queries", nargs="+", default=["listings", "commodities", "sanctions-on-target", "cq06-buyers-cutting-russian-coal"])
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--granian", action="store_true", help="also under granian (pip install granian: not a dependency)")
    parser.add_argument("--forward", metavar="URL", help=argparse.SUPPRESS)  # serve `forwarding(URL)` on --port
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.forward:
        defaults = Settings(graph=None, queries=(), assets=ROOT)
        http_server(forwarding(args.forward), host="127.0.0.1", port=args.port, connections=defaults.connections,
                    request_timeout=defaults.request_timeout, max_body=defaults.max_body).run()
        return
    oxigraph = shutil.which("oxigraph", path=str(BIN))
    if oxigraph is None:
        raise SystemExit("the oxigraph server is missing: pip install oxigraph (the test extra installs it)")
    print(f"load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        subprocess.run([oxigraph, "load", "--location", str(work / "store"), "--file", str(args.graph / "sanctiongraph.nq")],
                       check=True, capture_output=True)
        store_port, front_port, floor_port, forward_port = free_port(), free_port(), free_port(), free_port()
        store_url = f"http://127.0.0.1:{store_port}/query"
        store = [oxigraph, "serve", "--location", str(work / "store"), "--bind", f"127.0.0.1:{store_port}", "--union-default-graph"]
        front = [str(BIN / "sanctiongraph"), "serve", "--quiet", "--workers", "2", "--store", store_url, "--port", str(front_port)]
        floor = [sys.executable, str(Path(__file__).parent / "http_servers.py"), "--serve", "reception", "--app", "trivial", "--port", str(floor_port)]
        forward = [sys.executable, __file__, "--forward", store_url, "--port", str(forward_port)]
        granian = {kind: free_port() for kind in ("fixed", "forward", "full")} if args.granian else {}
        with contextlib.ExitStack() as running:
            running.enter_context(process(store, work / "store.log", lambda: answers(store_port)))
            running.enter_context(process(front, work / "front.log", lambda: answers(front_port)))
            running.enter_context(process(floor, work / "floor.log", lambda: answers(floor_port), cwd=HERE))
            running.enter_context(process(forward, work / "forward.log", lambda: answers(forward_port), cwd=HERE))
            for kind, port in granian.items():
                command = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                           "--blocking-threads", "8", "--log-level", "error", "serve_store_profile:app"]
                environment = dict(os.environ, SANCTIONGRAPH_PROFILE_GRANIAN=f"{kind} {store_url}",
                                   PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(HERE)])))
                running.enter_context(process(command, work / f"granian-{kind}.log", lambda port=port: answers(port), cwd=HERE, env=environment))
            below = floors(store_url, store_port, floor_port, forward_port, granian, args.runs)
            measured = {name: profile(name, store_url, front_port, floor_port, granian.get("full"), args.runs) for name in args.queries}
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    print("| any server in front of the store, µs (median) | |\n| --- | ---: |")
    for step, micros in below.items():
        print(f"| {step} | {micros:.0f} |")
    print()
    print("| step, µs (median) | " + " | ".join(args.queries) + " |")
    print("| --- |" + " ---: |" * len(args.queries))
    for step in measured[args.queries[0]]:
        print(f"| {step} | " + " | ".join(f"{measured[name][step]:.0f}" for name in args.queries) + " |")


if __name__ == "__main__":
    main()
elif os.environ.get("SANCTIONGRAPH_PROFILE_GRANIAN"):  # granian imports this module in a worker of its own and serves `app`
    app = served_by_granian(*os.environ["SANCTIONGRAPH_PROFILE_GRANIAN"].split(" ", 1))
