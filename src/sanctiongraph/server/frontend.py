"""`sanctiongraph serve`: the HTTP server around the WSGI application (sanctiongraph.server.app), and the command.

Waitress behind the reception's deadlines and slots (sanctiongraph.server.reception), with gzip
(sanctiongraph.server.compression) and an access log; the application follows the graph folder's
current build (sanctiongraph.server.live). The query engine behind it is bounded on its own
(sanctiongraph.server.workers), so the server sheds load instead of queueing it without end."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import urlsplit

import pyoxigraph as ox

from sanctiongraph.builder.exports import VOID_FILE
from sanctiongraph.errors import SanctionGraphError, UsageError, shown
from sanctiongraph.namespaces import BASE
from sanctiongraph.project import find_project, library_folders, project_if_any, yasgui_folder
from sanctiongraph.query.endpoint import ENDPOINT_PASSWORD, ENDPOINT_USER, check_endpoint
from sanctiongraph.query.running import DEFAULT_TIMEOUT
from sanctiongraph.server.app import App, Settings
from sanctiongraph.server.compression import Compression
from sanctiongraph.server.live import Fixed, Live
from sanctiongraph.server.reception import WSGIApp, http_server
from sanctiongraph.server.remote import in_front
from sanctiongraph.server.workers import Engine


class AccessLog:
    """WSGI middleware: one line per request, in the Common Log Format with the time taken in ms at the end."""

    def __init__(self, app: WSGIApp, stream: TextIO) -> None:
        self.app, self.stream, self._lock = app, stream, threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started, status = time.perf_counter(), ["-"]

        def note(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        return self._logged(environ, self.app(environ, note), status, started)

    def _logged(self, environ: dict[str, Any], answer: Iterable[bytes], status: list[str], started: float) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in answer:
                sent += len(chunk)
                yield chunk
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
            query = environ.get("QUERY_STRING")
            target = environ.get("PATH_INFO", "/") + (f"?{query}" if query else "")
            moment = time.strftime("%d/%b/%Y:%H:%M:%S %z")
            line = (f'{environ.get("REMOTE_ADDR", "-")} - - [{moment}] "{environ.get("REQUEST_METHOD")} {target} '
                    f'{environ.get("SERVER_PROTOCOL")}" {status[0]} {sent} {(time.perf_counter() - started) * 1000:.1f}')
            with self._lock:
                print(line.encode("unicode_escape").decode("ascii"), file=self.stream, flush=True)


def engine_maker(settings: Settings) -> Callable[[Path], Engine]:
    """What starts the query workers of a build, as settings say."""
    memory = settings.worker_memory * 1024 * 1024 if settings.worker_memory else None

    def engine(folder: Path) -> Engine:
        return Engine(folder, workers=settings.workers, timeout=settings.timeout, memory=memory, writable=settings.token is not None,
                      in_memory=settings.memory)

    return engine


def serve(settings: Settings, *, log: TextIO | None = sys.stderr) -> None:
    """Serve until Ctrl-C or SIGTERM; then stop the workers and close the socket."""
    started = time.perf_counter()
    live: Live | Fixed
    if settings.store is not None:
        live, serving = in_front(settings.store, workers=settings.workers, timeout=settings.timeout), f"the store {settings.store}"
    elif settings.graph is None or not (settings.graph / VOID_FILE).is_file():
        raise SanctionGraphError(f"{settings.graph}: no built graph here ({VOID_FILE} is missing); run `sanctiongraph build` first")
    else:
        live = Live(settings.graph, engine_maker(settings))
        serving = f"build {live.served.name}"
    try:
        app: WSGIApp = Compression(App(settings, live))
        if log is not None:
            app = AccessLog(app, log)
        server = http_server(app, host=settings.host, port=settings.port, connections=settings.connections,
                             request_timeout=settings.request_timeout, max_body=settings.max_body)
        host, port = str(server.effective_host), int(server.effective_port)
        shown = f"[{host}]" if ":" in host else host
        print(f"sanctiongraph: serving http://{shown}:{port}/ (SPARQL endpoint /sparql; {serving}, "
              f"ready in {time.perf_counter() - started:.1f} s); Ctrl-C stops it", file=sys.stderr, flush=True)
        for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell starts background jobs with it ignored
            signal.signal(signum, _interrupt)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.task_dispatcher.shutdown()
            server.close()
    finally:
        live.close()
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
    parser.add_argument("--store", metavar="URL", help="serve the graph published to this SPARQL 1.1 query endpoint instead of a build "
                        f"(read-only; credentials from ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD})")
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
    parser.add_argument("--memory", action="store_true",
                        help="copy the store into each query worker's memory at start: faster on result-heavy queries, "
                             "at the cost of the memory and start time (not with --allow-updates)")
    parser.add_argument("--access-log", type=Path, metavar="FILE", help="append the log of requests to FILE (default: standard error)")
    parser.add_argument("--quiet", action="store_true", help="log no requests to standard error")


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
    if args.store is not None:
        check_endpoint(args.store)
        if urlsplit(args.store).username is not None:
            raise UsageError(f"--store: give the credentials in ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD}, not in the URL")
        if args.graph or args.allow_updates or args.memory:
            raise UsageError("--store serves a remote store read-only: it takes no --graph, --allow-updates or --memory")
    if args.memory and args.allow_updates:
        raise UsageError("--memory and --allow-updates cannot be combined: updates would change only one worker's copy")
    settings = Settings(
        graph=None if args.store else args.graph or find_project(args.project).graph, store=args.store, queries=library_folders(project_if_any(args.project)),
        assets=args.assets, host=args.host, port=args.port, base_iri=args.base_iri, timeout=args.timeout, max_results=args.max_results,
        workers=args.workers, worker_memory=args.worker_memory, connections=args.connections, request_timeout=args.request_timeout,
        wait=args.wait, cors=tuple(args.cors), token=token, memory=args.memory,
    )
    try:
        log = args.access_log.open("a", encoding="utf-8") if args.access_log else None
    except OSError as error:
        raise UsageError(f"--access-log {args.access_log}: cannot write to it: {error.strerror or error}") from None
    try:
        serve(settings, log=log or (None if args.quiet else sys.stderr))
    except OSError as error:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from None
    finally:
        if log is not None:
            log.close()
    return 0
