"""`sanctiongraph serve`: the HTTP server around the WSGI application (sanctiongraph.server.app), and the command.

The standard library's WSGI server behind a reception (sanctiongraph.server.reception) that reads
each request whole, under one deadline, before it takes a connection slot: one thread per
request being served, up to a limit, and 503 beyond it. The query engine behind it is bounded
on its own (sanctiongraph.server.workers), so the server sheds load instead of queueing it without end."""

from __future__ import annotations

import argparse
import io
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

import pyoxigraph as ox

from sanctiongraph.builder.exports import VOID_FILE
from sanctiongraph.errors import SanctionGraphError, UsageError, shown
from sanctiongraph.namespaces import BASE
from sanctiongraph.project import find_project, library_folders, project_if_any, yasgui_folder
from sanctiongraph.query.running import DEFAULT_TIMEOUT
from sanctiongraph.server.app import App, Settings
from sanctiongraph.server.reception import SERVER, Arrival, Reception, answer
from sanctiongraph.server.workers import Engine

# --- the HTTP server: a bounded number of requests served at once, 503 beyond them

class _Responder(ServerHandler):
    server_software = SERVER
    request_handler: WSGIRequestHandler  # for its log line, as wsgiref sets it


class _Handler(WSGIRequestHandler):
    """Serves one request the reception read whole: from its bytes, answering on its connection."""

    server_version = SERVER
    timeout = 10  # seconds one write of the answer may wait for the client to read

    def __init__(self, arrival: Arrival, server: _Server) -> None:
        self.arrival, self.app, self.quiet = arrival, server.app, server.quiet
        super().__init__(arrival.connection, arrival.address, server)

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self.rfile = io.BytesIO(self.arrival.data)

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline()  # within the reception's limit of a head
        if self.parse_request():
            # as wsgiref's own handle does, with our Server header and the request already read
            responder = _Responder(self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True)  # type: ignore[arg-type]
            responder.request_handler = self
            responder.run(self.app)

    def version_string(self) -> str:
        return SERVER

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)


class _Server(WSGIServer):
    """Requests read whole by the reception; one thread each up to `connections`, 503 past that."""

    request_queue_size = 256

    def __init__(self, app: App, quiet: bool) -> None:
        settings = app.settings
        self.address_family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        self.app, self.settings, self.quiet = app, settings, quiet
        self._slots = threading.BoundedSemaphore(settings.connections)
        super().__init__((settings.host, settings.port), _Handler)  # type: ignore[arg-type]

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        reception = Reception(self.socket, limit=self.settings.request_timeout, max_body=self.settings.max_body, hand_on=self.hand_on)
        reception.run(poll_interval)

    def hand_on(self, arrival: Arrival) -> None:
        if self._slots.acquire(blocking=False):
            threading.Thread(target=self._serve, args=(arrival,), daemon=True).start()
        else:
            answer(arrival.connection, 503, "the server is at its limit of connections; try again shortly", ("Retry-After", "1"))

    def _serve(self, arrival: Arrival) -> None:
        try:
            _Handler(arrival, self)
        except Exception:  # noqa: BLE001 - as socketserver does: log it and keep serving
            self.handle_error(arrival.connection, arrival.address)
        finally:
            self.shutdown_request(arrival.connection)
            self._slots.release()


def serve(settings: Settings, *, quiet: bool = False) -> None:
    """Serve until Ctrl-C or SIGTERM; then stop the workers and close the socket."""
    if not (settings.graph / VOID_FILE).is_file():
        raise SanctionGraphError(f"{settings.graph}: no built graph here ({VOID_FILE} is missing); run `sanctiongraph build` first")
    memory = settings.worker_memory * 1024 * 1024 if settings.worker_memory else None
    engine = Engine(settings.graph, workers=settings.workers, timeout=settings.timeout, memory=memory, writable=settings.token is not None)
    try:
        app = App(settings, engine)
        server = _Server(app, quiet)
        host, port = str(server.server_address[0]), int(server.server_address[1])
        shown = f"[{host}]" if ":" in host else host
        print(f"sanctiongraph: serving http://{shown}:{port}/ (SPARQL endpoint /sparql); Ctrl-C stops it", file=sys.stderr, flush=True)
        for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell starts background jobs with it ignored
            signal.signal(signum, _interrupt)
        try:
            server.serve_forever(poll_interval=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    finally:
        engine.close()
    print("sanctiongraph: stopped", file=sys.stderr, flush=True)


def _is_iri(text: str) -> bool:
    """Whether the text is an IRI (no spaces, quotes or angle brackets): the base is written into pages as it is."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _interrupt(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt


# --- the command

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: %(default)s, this machine only; 0.0.0.0 opens it to the network)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: %(default)s; 0 picks a free one)")
    parser.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    parser.add_argument("--base-iri", default=BASE, help="the IRI the site root stands for; the dataset's IRIs are served under it "
                        "(default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="time limit of a query in seconds (default: %(default)s)")
    parser.add_argument("--max-results", type=int, default=10_000, help="most rows or triples of a result (default: %(default)s)")
    parser.add_argument("--workers", type=int, default=Settings.workers, help="query worker processes (default: %(default)s)")
    parser.add_argument("--worker-memory", type=int, default=2048, metavar="MIB",
                        help="memory limit of a query worker in MiB; a query needing more is ended (default: %(default)s; 0: none)")
    parser.add_argument("--connections", type=int, default=64, help="connections served at once; more get 503 (default: %(default)s)")
    parser.add_argument("--request-timeout", type=float, default=Settings.request_timeout, metavar="SECONDS",
                        help="time a client has to send its whole request, headers and body; later it gets 408 (default: %(default)s)")
    parser.add_argument("--wait", type=float, default=5.0, help="seconds a request waits for a free worker before 503 (default: %(default)s)")
    parser.add_argument("--cors", action="append", default=[], metavar="ORIGIN",
                        help="allow this origin (or *) to query from a browser page on another site (repeatable; default: none)")
    parser.add_argument("--allow-updates", action="store_true",
                        help="accept SPARQL updates and Graph Store writes carrying the token; they change graph/store until the next build")
    parser.add_argument("--token-env", metavar="NAME", help="the environment variable holding the token for --allow-updates")
    parser.add_argument("--assets", type=Path, default=yasgui_folder(),
                        help="folder of the query editor's yasgui.min.js and yasgui.min.css (default: %(default)s)")
    parser.add_argument("--quiet", action="store_true", help="log no requests")


def run(args: argparse.Namespace) -> int:
    """The serve command: check the options, then serve."""
    token = None
    if args.allow_updates:
        if not args.token_env or not os.environ.get(args.token_env):
            raise UsageError("--allow-updates needs --token-env NAME, with the token in the environment variable NAME")
        token = os.environ[args.token_env]
    if not args.base_iri.startswith(("http://", "https://")) or not args.base_iri.endswith("/") or not _is_iri(args.base_iri):
        raise UsageError(f"--base-iri must be an http(s) IRI ending in /, not {shown(args.base_iri)}")
    if args.max_results < 1 or args.workers < 1 or args.connections < 1 or args.timeout <= 0 or args.request_timeout <= 0:
        raise UsageError("--max-results, --workers, --connections, --timeout and --request-timeout must be positive")
    settings = Settings(
        graph=args.graph or find_project(args.project).graph, queries=library_folders(project_if_any(args.project)),
        assets=args.assets, host=args.host, port=args.port, base_iri=args.base_iri, timeout=args.timeout, max_results=args.max_results,
        workers=args.workers, worker_memory=args.worker_memory, connections=args.connections, request_timeout=args.request_timeout,
        wait=args.wait, cors=tuple(args.cors), token=token,
    )
    try:
        serve(settings, quiet=args.quiet)
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    return 0
