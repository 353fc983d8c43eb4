"""`sanctiongraph serve`: the HTTP server around the WSGI application (sanctiongraph.server.app), and the command.

The standard library's WSGI server, with one thread per connection up to a limit and a
few more threads that only answer 503; the query engine behind it is bounded on its own
(sanctiongraph.server.workers), so the server sheds load instead of queueing it without end."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from sanctiongraph.project import find_project, library_folders, project_if_any, yasgui_folder
from sanctiongraph.server.app import App, Settings
from sanctiongraph.server.workers import Engine
from sanctiongraph.errors import SanctionGraphError, UsageError
from sanctiongraph.builder.exports import VOID_FILE
from sanctiongraph.namespaces import BASE
from sanctiongraph.query.running import DEFAULT_TIMEOUT

REJECTERS = 64  # threads that answer 503 when every connection slot is taken; beyond them connections are closed


# --- the HTTP server: a bounded number of connections, 503 beyond them

class _Handler(WSGIRequestHandler):
    timeout = 10  # seconds a client may take to send its request (a slow client holds a connection slot)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.server.quiet:  # type: ignore[attr-defined]
            super().log_message(format, *args)


class _Server(WSGIServer):
    """One thread per connection up to `connections`; past that a small set of threads answers 503."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], connections: int, quiet: bool) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.quiet = quiet
        self._slots = threading.BoundedSemaphore(connections)
        self._rejecters = threading.BoundedSemaphore(REJECTERS)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if self._slots.acquire(blocking=False):
            threading.Thread(target=self._serve, args=(request, client_address), daemon=True).start()
        elif self._rejecters.acquire(blocking=False):
            threading.Thread(target=self._reject, args=(request,), daemon=True).start()
        else:
            self.shutdown_request(request)

    def _serve(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - as socketserver does: log it and keep serving
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def _reject(self, request: Any) -> None:
        message = b"the server is at its limit of connections; try again shortly\n"
        try:
            request.settimeout(2)
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = request.recv(8192)
                if not chunk:
                    break
                head += chunk
            head = (b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    b"Content-Length: " + str(len(message)).encode() + b"\r\nConnection: close\r\n\r\n")
            request.sendall(head + message)
        except OSError:
            pass
        finally:
            self.shutdown_request(request)
            self._rejecters.release()


def serve(settings: Settings, *, quiet: bool = False) -> None:
    """Serve until Ctrl-C or SIGTERM; then stop the workers and close the socket."""
    if not (settings.graph / VOID_FILE).is_file():
        raise SanctionGraphError(f"{settings.graph}: no built graph here ({VOID_FILE} is missing); run `sanctiongraph build` first")
    memory = settings.worker_memory * 1024 * 1024 if settings.worker_memory else None
    engine = Engine(settings.graph, workers=settings.workers, timeout=settings.timeout, memory=memory, writable=settings.token is not None)
    try:
        app = App(settings, engine)
        server = _Server((settings.host, settings.port), settings.connections, quiet)
        server.set_app(app)
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
    if not args.base_iri.startswith(("http://", "https://")) or not args.base_iri.endswith("/"):
        raise UsageError(f"--base-iri must be an http(s) IRI ending in /, not {args.base_iri!r}")
    if args.max_results < 1 or args.workers < 1 or args.connections < 1 or args.timeout <= 0:
        raise UsageError("--max-results, --workers, --connections and --timeout must be positive")
    settings = Settings(
        graph=args.graph or find_project(args.project).graph, queries=library_folders(project_if_any(args.project)),
        assets=args.assets, host=args.host, port=args.port, base_iri=args.base_iri, timeout=args.timeout, max_results=args.max_results,
        workers=args.workers, worker_memory=args.worker_memory, connections=args.connections, wait=args.wait, cors=tuple(args.cors), token=token,
    )
    try:
        serve(settings, quiet=args.quiet)
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    return 0
