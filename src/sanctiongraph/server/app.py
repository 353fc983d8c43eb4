"""The WSGI application of `sanctiongraph serve`: the built graph over HTTP, read-only by default.

Routes, relative to the site root, which stands for the base IRI:

- `/`: the dataset (VoID) as a page with an index of the entities, or as RDF by Accept;
  `/.well-known/void` the same as RDF.
- `/sparql`: the SPARQL 1.1 Protocol. Queries by GET, POST form or POST
  application/sparql-query, results by Accept; updates only on a server started with a
  token. Without a query: the query editor for a browser, the service description otherwise.
- `/queries`, `/queries/NAME?param=value`: the named queries, run with their parameters bound.
- `/store?graph=IRI` or `?default`: the Graph Store Protocol; writes only with a token.
- `/graph/sanctiongraph.trig` (and .nq, .ttl, .nt, .jsonld): the dumps of the build.
- `/health`: for a load balancer: 200 and the build served while query workers run, 503 otherwise; in front of a
  store, the store's URL and whether it answers (503 when it does not).
- `/assets/...`: the editor's files; `/view/<path>`: the network view of an entity's neighbourhood,
  `/view?query=...`: the network of a CONSTRUCT (sanctiongraph.viz).
- Any other path is an IRI of the dataset: `/id/mechel` answers 303 See Other to
  `mechel.html`, `.ttl`, `.jsonld`, `.nt` or `.rdf` by Accept; those documents are the page
  and the descriptions.

Each request is answered wholly from one build, the one served when it arrives (sanctiongraph.server.live).
Queries run in worker processes (sanctiongraph.server.workers), so one past the time limit (the server's, or less
when the request asks with a `timeout` parameter or a `Timeout` header, in seconds) is stopped; a request that finds every worker busy for too long, or arrives when every
connection slot is taken, gets 503 with Retry-After."""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import parse_qs, quote
from wsgiref.util import application_uri

import pyoxigraph as ox

from sanctiongraph.builder.exports import EXPORTS, STEM
from sanctiongraph.errors import QueryTimeout, shown
from sanctiongraph.namespaces import BASE, FORMATS, RDF, SD, VOID
from sanctiongraph.query.library import Query, load_queries
from sanctiongraph.query.results import render
from sanctiongraph.query.running import DEFAULT_TIMEOUT, Result, with_values
from sanctiongraph.server import jobs, pages
from sanctiongraph.server.live import Fixed, Live, Served
from sanctiongraph.server.negotiation import EXTENSIONS, GRAPH_MEDIA, HTML, PAGE_MEDIA, Rebase, content_type, negotiate
from sanctiongraph.server.workers import EngineFailure, Job, Overloaded, Reply
from sanctiongraph.suggestions import did_you_mean

TEXT = "text/plain; charset=utf-8"
PACKAGE_ASSETS = Path(__file__).parent / "assets"
CHUNK = 1 << 20  # bytes read from disk at a time for a download
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


@dataclass(frozen=True)
class Settings:
    """How a server runs; the defaults are the safe ones."""

    graph: Path | None  # the graph folder whose current build is served; None in front of a store
    queries: tuple[Path, ...]  # folders of the named queries: the packaged library, then a project's own
    assets: Path
    host: str = "127.0.0.1"
    port: int = 8000
    base_iri: str = BASE
    timeout: float = DEFAULT_TIMEOUT
    max_results: int = 10_000
    workers: int = max(2, os.cpu_count() or 2)
    worker_memory: int | None = 2048  # MiB
    connections: int = 64
    wait: float = 5.0
    max_body: int = 16 * 1024 * 1024
    request_timeout: float = 10.0  # seconds a client has to send its whole request, head and body
    cors: tuple[str, ...] = ()
    token: str | None = field(default=None, repr=False)  # updates and Graph Store writes are accepted only when set
    memory: bool = False  # each query worker copies the store into its memory at start
    store: str | None = None  # the SPARQL endpoint of a remote store to serve instead of a build


class HTTPError(Exception):
    def __init__(self, status: int, message: str, *headers: tuple[str, str]) -> None:
        super().__init__(message)
        self.status, self.headers = status, headers


@dataclass
class Request:
    environ: dict[str, Any]
    max_body: int
    build: Served
    limit: float | None = None  # the time limit the request asks for, in seconds

    @property
    def method(self) -> str:
        return str(self.environ["REQUEST_METHOD"]).upper()

    @property
    def path(self) -> str:
        return str(self.environ.get("PATH_INFO") or "/").encode("latin-1").decode("utf-8", "replace")

    @property
    def root(self) -> str:
        """The relative path from this request's document to the site root."""
        return "../" * (self.path.count("/") - 1)

    @property
    def accept(self) -> str:
        return str(self.environ.get("HTTP_ACCEPT", ""))

    @property
    def media_type(self) -> str:
        return str(self.environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()

    @property
    def params(self) -> dict[str, list[str]]:
        return parse_qs(str(self.environ.get("QUERY_STRING", "")), keep_blank_values=True)

    def body(self) -> bytes:
        length = body_length(self.environ.get("CONTENT_LENGTH"), self.max_body)
        return bytes(self.environ["wsgi.input"].read(length)) if length else b""

    def text(self, data: bytes) -> str:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(400, "the request is not UTF-8") from None


def body_length(content_length: str | None, max_body: int) -> int:
    """The length of the body a request's headers declare (the HTTP server has joined a chunked one); an HTTPError when
    the body is refused unread."""
    try:
        length = int(content_length or 0)
    except ValueError:
        raise HTTPError(400, "Content-Length is not a number") from None
    if length > max_body:
        raise HTTPError(413, f"the body is over the limit of {max_body} bytes")
    return max(length, 0)


Response = tuple[int, str, "bytes | Iterator[bytes]", list[tuple[str, str]]]


def valid_iri(text: str, status: int = 400) -> str:
    """The text if it is an IRI, else an HTTP error (404 for a path that cannot name a resource)."""
    try:
        return ox.NamedNode(text).value
    except ValueError:
        raise HTTPError(status, f"not an IRI: {shown(text)}") from None


def single(values: dict[str, list[str]], name: str) -> str | None:
    given = values.get(name, [])
    if len(given) > 1:
        raise HTTPError(400, f"give {name} once")
    return given[0] if given else None


class App:
    """The WSGI application."""

    def __init__(self, settings: Settings, live: Live | Fixed) -> None:
        self.settings, self.live = settings, live
        self.rebase = Rebase(settings.base_iri)
        self.library = load_queries(*settings.queries)
        self.exports = {f"graph/{STEM}.{e.suffix}": e for e in EXPORTS}
        self.assets = {
            "style.css": (PACKAGE_ASSETS / "style.css", "text/css"),
            "query-page.js": (PACKAGE_ASSETS / "query-page.js", "text/javascript"),
            "yasgui.min.js": (settings.assets / "yasgui.min.js", "text/javascript"),
            "yasgui.min.css": (settings.assets / "yasgui.min.css", "text/css"),
        }
        self.examples = [
            {"name": q.name, "title": q.title, "text": self.rebase.to_public(
                (with_values(q, q.bindings({p.name: p.example for p in q.parameters})) if q.parameters else q.text).encode()).decode()}
            for q in self.library.values()
        ]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self.live.using() as build:
            return self.answer(Request(environ, self.settings.max_body, build), start_response)

    def answer(self, request: Request, start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            status, media, body, headers = self.route(request)
        except HTTPError as error:
            status, media, body, headers = error.status, TEXT, f"{error}\n".encode(), list(error.headers)
        except Overloaded as error:
            status, media, body, headers = 503, TEXT, f"{error}\n".encode(), [("Retry-After", "1")]
        except QueryTimeout as error:
            status, media, body, headers = 503, TEXT, f"{error}; the server stopped the query\n".encode(), [("Retry-After", "1")]
        except EngineFailure as error:
            status, media, body, headers = 500, TEXT, f"{error}\n".encode(), []
        if not any(name == "Vary" and value == "Accept" for name, value in headers):
            headers.append(("Vary", "Accept"))  # most routes negotiate; a cache must not mix their answers
        headers = [*headers, ("Content-Type", media), ("X-Content-Type-Options", "nosniff"), *self.cors(request)]
        if media.startswith("text/html"):
            own = any(name == "Content-Security-Policy" for name, _ in headers)
            headers += [("Content-Security-Policy", CSP)] * (not own) + [("Referrer-Policy", "no-referrer")]
        if isinstance(body, bytes):
            headers.append(("Content-Length", str(len(body))))
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        if request.method == "HEAD":
            return [b""]
        return [body] if isinstance(body, bytes) else body

    # --- routing

    def route(self, request: Request) -> Response:
        path = request.path
        request.limit = time_limit(request.params, request.environ)
        if request.method == "OPTIONS":
            return 204, TEXT, b"", [("Allow", "GET, HEAD, POST, PUT, DELETE, OPTIONS")]
        if path == "/sparql":
            return self.sparql(request)
        if path == "/store":
            return self.graph_store(request)
        allow(request, "GET", "HEAD")
        if path == "/health":
            return self.health(request)
        if path == "/":
            return self.dataset(request)
        if path == "/.well-known/void":
            return self.void_document(request)
        if path == "/queries":
            return self.named_queries(request)
        if path.startswith("/queries/"):
            return self.named_query(request, path[len("/queries/"):])
        if path.startswith("/assets/"):
            return self.asset(path[len("/assets/"):])
        if path == "/view" or path.startswith("/view/"):
            return self.view(request)
        if path[1:] in self.exports:
            return self.dump(request, path[1:])
        return self.resource(request)

    def run(self, request: Request, job: Job, *args: Any) -> Response:
        reply: Reply = request.build.engine.run(job, *args, wait=self.settings.wait, timeout=request.limit)
        return reply.status, reply.content_type, reply.body, list(reply.headers)

    def health(self, request: Request) -> Response:
        ok, report = request.build.engine.health()
        if request.build.folder is not None:  # a build; a store's engine names its store
            report["build"] = request.build.name
        return 200 if ok else 503, content_type("application/json"), json.dumps(report).encode(), [("Cache-Control", "no-store")]

    def links(self, request: Request) -> pages.Links:
        return pages.Links(request.root, self.rebase)

    # --- SPARQL Protocol

    def sparql(self, request: Request) -> Response:
        allow(request, "GET", "HEAD", "POST")
        values = request.params
        if request.method == "POST":
            body = request.body()
            if request.media_type == "application/x-www-form-urlencoded":
                for name, given in parse_qs(request.text(body), keep_blank_values=True).items():
                    values.setdefault(name, []).extend(given)
            elif request.media_type == "application/sparql-query":
                values.setdefault("query", []).append(request.text(body))
            elif request.media_type == "application/sparql-update":
                values.setdefault("update", []).append(request.text(body))
            else:
                raise HTTPError(415, "send a query as application/sparql-query or application/x-www-form-urlencoded, "
                                     "an update as application/sparql-update")
        request.limit = time_limit(values, request.environ)
        text, update = single(values, "query"), single(values, "update")
        if text is not None and update is not None:
            raise HTTPError(400, "give a query or an update, not both")
        if update is not None:
            if request.method != "POST":
                raise HTTPError(405, "an update must be sent by POST", ("Allow", "POST"))
            self.authorise(request, "updates")
            return self.run(request, jobs.update, self.rebase.to_dataset(update), self.own_endpoints(request))
        if text is None:
            if request.method == "POST":
                raise HTTPError(400, "no query given: send query=... or a body of type application/sparql-query")
            if negotiate(request.accept, GRAPH_MEDIA + (HTML,)) == HTML:  # */* gets the service description
                editor = self.assets["yasgui.min.js"][0].is_file()
                return 200, content_type("text/html"), pages.query_page(self.examples, self.links(request), editor=editor), []
            return self.rdf(request, self.service_description(request))
        query = Query("query", "query", "", (), self.rebase.to_dataset(text))
        dataset = ([valid_iri(self.rebase.to_dataset(g)) for g in values.get("default-graph-uri", [])],
                   [valid_iri(self.rebase.to_dataset(g)) for g in values.get("named-graph-uri", [])])
        return self.run(request, jobs.answer, query, {}, request.accept, self.settings.max_results, self.links(request),
                        self.own_endpoints(request), dataset)

    def own_endpoints(self, request: Request) -> frozenset[str]:
        """This server's SPARQL endpoint as a query may name it (as the client reached it, or under the public base),
        in the dataset's base as the workers see texts: a SERVICE to it is run here (sanctiongraph.server.federation)."""
        named = (application_uri(request.environ) + "sparql", self.rebase.public + "sparql")
        return frozenset(self.rebase.to_dataset(iri) for iri in named)

    def authorise(self, request: Request, what: str) -> None:
        token = self.settings.token
        if token is None:
            how = ("it serves the store at --store read-only; write to the store itself" if self.settings.store
                   else "start it with --allow-updates --token-env NAME")
            raise HTTPError(403, f"this server is read-only: {what} are refused ({how})")
        given = str(request.environ.get("HTTP_AUTHORIZATION", ""))
        scheme, _, credentials = given.partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            raise HTTPError(401, f"{what} need Authorization: Bearer <token>", ("WWW-Authenticate", 'Bearer realm="sanctiongraph"'))
        if not hmac.compare_digest(credentials.strip().encode(), token.encode()):
            raise HTTPError(403, "wrong token")

    def endpoint(self, request: Request) -> str:
        """This server's SPARQL endpoint: under the deployment's base, else as the client reached it."""
        return self.rebase.public + "sparql" if not self.rebase.identity else application_uri(request.environ) + "sparql"

    def service_description(self, request: Request) -> list[ox.Triple]:
        service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
        endpoint = self.endpoint(request)
        triples = [
            ox.Triple(service, ox.NamedNode(RDF + "type"), ox.NamedNode(SD + "Service")),
            ox.Triple(service, ox.NamedNode(SD + "endpoint"), ox.NamedNode(endpoint)),
            ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")),
            ox.Triple(service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")),
            ox.Triple(service, ox.NamedNode(SD + "defaultDataset"), dataset),
            ox.Triple(dataset, ox.NamedNode(RDF + "type"), ox.NamedNode(SD + "Dataset")),
            ox.Triple(dataset, ox.NamedNode(SD + "defaultGraph"), default),
            ox.Triple(default, ox.NamedNode(RDF + "type"), ox.NamedNode(SD + "Graph")),
            ox.Triple(dataset, ox.NamedNode(VOID + "inDataset"), ox.NamedNode(BASE + "dataset")),
        ]
        if self.settings.token is not None:
            triples.append(ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Update")))
        triples += [ox.Triple(service, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMATS]
        for index, name in enumerate(t.object for t in request.build.void_triples if t.predicate.value == SD + "name"):
            graph = ox.BlankNode(f"graph{index}")
            triples += [ox.Triple(dataset, ox.NamedNode(SD + "namedGraph"), graph), ox.Triple(graph, ox.NamedNode(SD + "name"), name)]
        return triples

    def rdf(self, request: Request, triples: list[ox.Triple]) -> Response:
        chosen = negotiate(request.accept, GRAPH_MEDIA)
        if chosen is None:
            raise HTTPError(406, f"this comes as {', '.join(m for _, m in GRAPH_MEDIA)}")
        body = self.rebase.to_public(render(Result("graph", triples=triples), chosen[0]))
        return 200, content_type(chosen[1]), body, [("Vary", "Accept")]

    # --- Graph Store Protocol

    def graph_store(self, request: Request) -> Response:
        allow(request, "GET", "HEAD", "PUT", "POST", "DELETE")
        values = request.params
        graph, default = single(values, "graph"), "default" in values
        if (graph is None) == (not default):
            raise HTTPError(400, "name one graph: ?graph=IRI or ?default")
        target = valid_iri(self.rebase.to_dataset(graph)) if graph is not None else None
        if request.method in ("PUT", "POST", "DELETE"):
            self.authorise(request, "Graph Store writes")
            body = request.body()
            if request.method != "DELETE" and ox.RdfFormat.from_media_type(request.media_type) is None:
                raise HTTPError(415, f"unknown RDF media type {shown(request.media_type)}")
            return self.run(request, jobs.write_graph, request.method, target, self.rebase.to_dataset(request.text(body)).encode(), request.media_type)
        chosen = negotiate(request.accept, GRAPH_MEDIA)
        if chosen is None:
            raise HTTPError(406, f"a graph comes as {', '.join(m for _, m in GRAPH_MEDIA)}")
        return self.run(request, jobs.graph_contents, target, chosen[0], self.settings.max_results, self.links(request))

    # --- pages and documents

    def dataset(self, request: Request) -> Response:
        if negotiate(request.accept, (HTML,) + GRAPH_MEDIA) == HTML:
            return self.run(request, jobs.dataset, request.build.void, self.links(request))
        return self.void_document(request)

    def void_document(self, request: Request) -> Response:
        """The build's VoID description, and where this server answers SPARQL."""
        endpoint = ox.Triple(ox.NamedNode(BASE + "dataset"), ox.NamedNode(VOID + "sparqlEndpoint"), ox.NamedNode(self.endpoint(request)))
        return self.rdf(request, [*request.build.void_triples, endpoint])

    def named_queries(self, request: Request) -> Response:
        if negotiate(request.accept, (("json", "application/json"), HTML)) == HTML:
            return 200, content_type("text/html"), pages.queries_page(self.library, self.links(request)), []
        listing = [
            {"name": q.name, "title": q.title, "description": q.description, "url": f"queries/{q.name}",
             "parameters": [{"name": p.name, "type": p.type, "default": p.default, "example": p.example,
                             "description": p.description} for p in q.parameters]}
            for q in self.library.values()
        ]
        return 200, content_type("application/json"), json.dumps(listing, ensure_ascii=False, indent=1).encode(), []

    def named_query(self, request: Request, name: str) -> Response:
        query = self.library.get(name)
        if query is None:
            hint = did_you_mean(name, self.library) or "; /queries lists them"
            raise HTTPError(404, f"no query named {shown(name)}{hint}")
        form = {key: given[-1] for key, given in request.params.items() if key != "timeout"}
        given = {key: self.rebase.to_dataset(value) for key, value in form.items()}
        return self.run(request, jobs.named_answer, query, given, form, request.accept, self.settings.max_results, self.links(request),
                        self.own_endpoints(request))

    def resource(self, request: Request) -> Response:
        suffix = request.path[1:]
        stem, dot, extension = suffix.rpartition(".")
        if dot and extension in EXTENSIONS:
            iri = valid_iri(BASE + stem, 404)
            return self.run(request, jobs.describe, iri, EXTENSIONS[extension], self.settings.max_results, self.links(request))
        if suffix == "dataset" or suffix.startswith("dataset/"):
            return 303, TEXT, b"", [("Location", request.root or "./")]
        iri = valid_iri(BASE + suffix, 404)
        found = self.run(request, jobs.exists, iri) if suffix else None
        if found is not None and found[0] not in (200, 404):  # the store behind the server failed (502, 504)
            return found
        if found is None or found[0] == 404:
            if suffix.startswith("id/") and "/" not in suffix[3:]:  # a label or an alias of an entity
                return self.run(request, jobs.entity_named, suffix[3:])
            raise HTTPError(404, f"nothing is known about {self.rebase.iri(iri)}")
        chosen = negotiate(request.accept, PAGE_MEDIA) or HTML
        extension = next(ext for ext, fmt in EXTENSIONS.items() if fmt == chosen[0])
        location = quote(f"{suffix.rsplit('/', 1)[-1]}.{extension}")
        return 303, TEXT, b"", [("Location", location), ("Vary", "Accept")]

    def dump(self, request: Request, name: str) -> Response:
        """An export of the build, streamed from disk (opened now: it stays readable if the build is swept meanwhile)."""
        if request.build.folder is None:
            raise HTTPError(501, f"this server answers from the store {request.build.name}, which has no dumps here; "
                                 "query it, or download the dumps from a server of the build")
        try:
            stream = (request.build.folder / Path(name).name).open("rb")
        except FileNotFoundError:
            raise HTTPError(404, f"no {name} in this build") from None
        media = content_type(self.exports[name].media_type)
        if self.rebase.identity:
            size = os.fstat(stream.fileno()).st_size
            wrapper = request.environ.get("wsgi.file_wrapper", _file_chunks)
            return 200, media, iter(wrapper(stream, CHUNK)), [("Content-Length", str(size))]
        return 200, media, self._rebased_lines(stream), []

    def _rebased_lines(self, stream: BinaryIO) -> Iterator[bytes]:
        with stream:
            while chunk := stream.read(CHUNK):
                yield self.rebase.to_public(chunk + stream.readline())  # IRIs never span lines in these files

    def asset(self, name: str) -> Response:
        if name not in self.assets:
            raise HTTPError(404, f"no asset {name}")
        path, media = self.assets[name]
        if not path.is_file():
            raise HTTPError(404, f"{name} is not installed: run `npm ci --prefix web` in a clone of sanctiongraph")
        return 200, content_type(media), path.read_bytes(), [("Cache-Control", "max-age=3600")]

    def view(self, request: Request) -> Response:
        """A network view: /view/<path of an entity> its neighbourhood, /view?query=... the network of a CONSTRUCT."""
        suffix = request.path[len("/view/"):]
        if suffix:
            return self.run(request, jobs.view, valid_iri(BASE + suffix, 404), None, self.links(request), frozenset())
        text = single(request.params, "query")
        if text is None:
            raise HTTPError(400, "give a CONSTRUCT query: view?query=...")
        query = Query("query", "Network of a CONSTRUCT query", "", (), self.rebase.to_dataset(text))
        return self.run(request, jobs.view, None, query, self.links(request), self.own_endpoints(request))

    def cors(self, request: Request) -> list[tuple[str, str]]:
        origin = str(request.environ.get("HTTP_ORIGIN", ""))
        if not origin or not self.settings.cors:
            return []
        headers = [("Vary", "Origin")]
        if "*" in self.settings.cors:
            headers = [("Access-Control-Allow-Origin", "*")]
        elif origin in self.settings.cors:
            headers.append(("Access-Control-Allow-Origin", origin))
        else:
            return headers
        if request.method == "OPTIONS":
            headers += [("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE"),
                        ("Access-Control-Allow-Headers", "Accept, Content-Type, Authorization"), ("Access-Control-Max-Age", "600")]
        return headers


def time_limit(values: dict[str, list[str]], environ: dict[str, Any]) -> float | None:
    """The time limit a request asks for, in seconds (the `timeout` parameter, else the `Timeout` header); None if none."""
    given = single(values, "timeout") or environ.get("HTTP_TIMEOUT")
    if given is None:
        return None
    try:
        seconds = float(given)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise HTTPError(400, f"timeout must be a positive number of seconds, not {shown(str(given))}")
    return seconds


def _file_chunks(stream: BinaryIO, size: int) -> Iterator[bytes]:
    """A file in chunks, closed at the end: as wsgi.file_wrapper does, for a server without one."""
    with stream:
        while chunk := stream.read(size):
            yield chunk


def allow(request: Request, *methods: str) -> None:
    if request.method not in methods:
        raise HTTPError(405, f"{request.method} is not allowed here", ("Allow", ", ".join(methods)))


_REASONS = {200: "OK", 201: "Created", 204: "No Content", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
            403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 406: "Not Acceptable", 411: "Length Required",
            413: "Content Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error", 501: "Not Implemented",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}
