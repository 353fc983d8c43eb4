"""A remote SPARQL 1.1 store, written a named graph at a time (by the Graph Store Protocol, or, for a store without
it, by SPARQL Update in bounded chunks) or many small graphs at a time (by one SPARQL Update request).

Every write replaces whole graphs in one step of the store's: a Graph Store `PUT`; chunks of `INSERT DATA` into a
staging graph followed by one `MOVE` into place; or one SPARQL Update request that drops and inserts each of many
graphs (`DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> { ... } } ; ...`), which Oxigraph runs as one transaction
(killed during the request, it keeps every graph of it old; Virtuoso 7.2 shows such a request's writes to queries
before they are durable, see docs/beyond-one-machine.md and benchmarks/crash.py). Bodies are streamed from an iterable of chunks, sent with their length
(so a store that does not take chunked requests takes them too); credentials come from the environment (Basic, or
Digest as Virtuoso's `-auth` endpoints want), never from the command line or the URL. The same Http, with a time
limit per request, carries `serve --store`'s queries (sanctiongraph.query.connections). A first load may go to the
store's own bulk loader instead (Bulk): Oxigraph server's or Virtuoso's, whichever the store says it is."""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.errors import EndpointUnavailable, StoreError, UsageError, shown
from sanctiongraph.query.endpoint import ENDPOINT_AUTH, ENDPOINT_PASSWORD, ENDPOINT_USER, check_endpoint

N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
FORM = "application/x-www-form-urlencoded"
SPARQL_UPDATE = "application/sparql-update"
UPDATE_CHUNK = 5_000  # triples per INSERT DATA request of the SPARQL Update protocol


class Body(Protocol):
    """A request body sent as it is made: its size in bytes, and its chunks, which may be iterated more than once
    (a Digest challenge makes a request be sent again)."""

    size: int

    def __iter__(self) -> Iterator[bytes]: ...


class Http:
    """Requests to one store, over one kept-alive connection, with the credentials of the environment."""

    def __init__(self, url: str, timeout: float, noun: str = "store") -> None:
        try:
            check_endpoint(url)
        except UsageError as error:
            raise StoreError(str(error).replace("the endpoint", f"the {noun}", 1)) from None
        address = urlsplit(url)
        if address.username is not None or address.password is not None:
            bare = address._replace(netloc=address.netloc.rpartition("@")[2]).geturl()  # the credentials are never shown
            raise StoreError(f"the {noun} URL {shown(bare)} holds credentials; give them in ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD} instead")
        self.url, self.noun = url, noun
        self._address = address
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        user = os.environ.get(ENDPOINT_USER)
        self._credentials = (user, os.environ.get(ENDPOINT_PASSWORD, "")) if user else None
        self._digest = os.environ.get(ENDPOINT_AUTH, "basic").lower() == "digest"
        self._challenge: dict[str, str] | None = None
        self._count = 0
        self.server = ""  # how the store names itself (the Server header of its last answer)

    def request(self, method: str, params: dict[str, str], body: bytes | Body | None = None,
                headers: dict[str, str] | None = None, timeout: float | None = None) -> tuple[int, str, bytes]:
        """(status, reason, body) of the store's answer, within timeout seconds (the Http's own when None); the params
        join those of the store's URL. EndpointUnavailable when the store cannot be reached or runs out of time."""
        query = urlencode(parse_qsl(self._address.query, keep_blank_values=True) + list(params.items()))
        target = (self._address.path or "/") + ("?" + query if query else "")
        size = len(body) if isinstance(body, bytes) else body.size if body is not None else 0
        sent = {"User-Agent": f"sanctiongraph/{__version__}", "Content-Length": str(size), **(headers or {})}
        if size and self._credentials and self._digest and self._challenge is None:
            self._ask_challenge(target)
        for attempt in (1, 2):
            authorization = self._authorization(method, target)
            if authorization:
                sent["Authorization"] = authorization
            status, reason, answer, challenge = self._exchange(method, target, body, sent, self._timeout if timeout is None else timeout)
            if status == 401 and attempt == 1 and self._credentials and self._digest and challenge.lower().startswith("digest "):
                self._learn(challenge)
                continue
            return status, reason, answer
        raise AssertionError("unreachable")

    def _ask_challenge(self, target: str) -> None:
        """Learn the store's Digest challenge by a HEAD request, before the first request with a body on this
        connection: Virtuoso answers a large request without the challenge's answer with 401 before it has read the
        body, and drops the connection while it is still being sent."""
        status, _, _, challenge = self._exchange("HEAD", target, None, {"User-Agent": f"sanctiongraph/{__version__}"}, self._timeout)
        if status == 401 and challenge.lower().startswith("digest "):
            self._learn(challenge)

    def _learn(self, challenge: str) -> None:
        """Keep a Digest challenge (WWW-Authenticate) to answer in the requests that follow."""
        self._challenge = parse_keqv_list(parse_http_list(challenge[len("digest "):]))
        self._count = 0

    def _exchange(self, method: str, target: str, body: bytes | Body | None, headers: dict[str, str],
                  timeout: float) -> tuple[int, str, bytes, str]:
        """One request on the kept-alive connection, or, when that is gone (closed by the store while idle), on a new
        one; never sent again after a time-out."""
        for fresh in (self._connection is None, True):
            if self._connection is None:
                kind = http.client.HTTPSConnection if self._address.scheme == "https" else http.client.HTTPConnection
                self._connection = kind(self._address.hostname or "", self._address.port, timeout=timeout)
            elif self._connection.sock is not None:
                self._connection.sock.settimeout(timeout)
            try:
                self._connection.request(method, target, body=body if body is None or isinstance(body, bytes) else iter(body), headers=headers)
                response = self._connection.getresponse()
                answer = response.read()
                self.server = response.getheader("Server", "")
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, response.reason, answer, response.getheader("WWW-Authenticate", "")
            except TimeoutError:
                self.close()
                raise EndpointUnavailable(f"the {self.noun} {self.url} did not answer within {timeout:.3g} s", timed_out=True) from None
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if fresh:
                    reason = (error.strerror if isinstance(error, OSError) else None) or str(error) or error.__class__.__name__
                    raise EndpointUnavailable(f"cannot reach the {self.noun} {self.url}: {reason}") from None
        raise AssertionError("unreachable")

    def _authorization(self, method: str, target: str) -> str | None:
        if self._credentials is None:
            return None
        user, password = self._credentials
        if not self._digest:
            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if self._challenge is None:
            return None  # the first request fetches the challenge; later ones answer it at once

        def md5(text: str) -> str:
            return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

        challenge = self._challenge
        realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
        first, second = md5(f"{user}:{realm}:{password}"), md5(f"{method}:{target}")
        fields = {"username": user, "realm": realm, "nonce": nonce, "uri": target, "algorithm": "MD5"}
        if "auth" in [q.strip() for q in challenge.get("qop", "").split(",")]:
            self._count += 1
            count, cnonce = f"{self._count:08x}", secrets.token_hex(8)
            fields |= {"response": md5(f"{first}:{nonce}:{count}:{cnonce}:auth:{second}"), "qop": "auth", "nc": count, "cnonce": cnonce}
        else:
            fields["response"] = md5(f"{first}:{nonce}:{second}")
        if "opaque" in challenge:
            fields["opaque"] = challenge["opaque"]
        unquoted = ("algorithm", "qop", "nc")
        return "Digest " + ", ".join(f'{k}={v}' if k in unquoted else f'{k}="{v}"' for k, v in fields.items())

    def check(self, answer: tuple[int, str, bytes], doing: str, allowed: Iterable[int] = (200, 201, 204)) -> bytes:
        """The body of an answer whose status is allowed; otherwise a StoreError naming the store and what it said."""
        status, reason, body = answer
        if status in allowed:
            return body
        said = " ".join(body.decode("utf-8", "replace").split())[:200]
        what = f"{status} {reason}" + (f": {said}" if said else "")
        if status == 401:
            raise StoreError(f"the store {self.url} refused the credentials ({what}) to {doing}; "
                             f"set ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD} (and ${ENDPOINT_AUTH}=digest for Digest)")
        if status in (403, 405):
            raise StoreError(f"the store {self.url} does not let us {doing} ({what}); is it read-only?")
        raise StoreError(f"the store {self.url} answered {what} to {doing}")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class RemoteStore(Protocol):
    """A store that named graphs are read from, replaced in and deleted from; `batches` when many graphs can be
    replaced (replace_many) or deleted (delete_many) in one request, one transaction of the store's; otherwise
    delete_many deletes one graph per request."""

    http: Http
    batches: bool

    def read(self, graph: str) -> list[ox.Triple]: ...

    def replace(self, graph: str, body: Body) -> None: ...

    def add(self, graph: str, lines: bytes) -> None: ...

    def delete(self, graph: str) -> None: ...

    def replace_many(self, graphs: Sequence[tuple[str, bytes]]) -> None: ...

    def delete_many(self, graphs: Sequence[str]) -> None: ...

    def another(self) -> RemoteStore:
        """The same store on connections of its own (one per thread)."""
        ...


class Updates:
    """A store's SPARQL Update endpoint, sent one request of many operations, which a store such as Oxigraph runs as
    one transaction (the body is `application/sparql-update`: Virtuoso 7 takes it, unlike `application/sparql-query`)."""

    def __init__(self, http: Http) -> None:
        self.http = http

    def replace_many(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        """Replace each graph by its N-Triples lines, all in one request."""
        text = b" ;\n".join(b"DROP SILENT GRAPH %s ;\nINSERT DATA { GRAPH %s {\n%s} }" % (_iri(graph), _iri(graph), lines)
                            for graph, lines in graphs)
        self.run(text, _which("write", [graph for graph, _ in graphs]))

    def delete_many(self, graphs: Sequence[str]) -> None:
        self.run(b" ;\n".join(b"DROP SILENT GRAPH %s" % _iri(graph) for graph in graphs), _which("delete", graphs))

    def add(self, graph: str, lines: bytes) -> None:
        self.run(b"INSERT DATA { GRAPH %s {\n%s} }" % (_iri(graph), lines), f"write <{graph}>")

    def run(self, text: bytes, doing: str) -> None:
        self.http.check(self.http.request("POST", {}, text, {"Content-Type": SPARQL_UPDATE}), doing)


def _iri(graph: str) -> bytes:
    return str(ox.NamedNode(graph)).encode("utf-8")


def _which(verb: str, graphs: Sequence[str]) -> str:
    return f"{verb} <{graphs[0]}>" + (f" and {len(graphs) - 1} more graph(s) in one request" if len(graphs) > 1 else "")


class GraphStore:
    """A store's Graph Store Protocol endpoint (Oxigraph's `/store`, Virtuoso's `/sparql-graph-crud-auth`), and, when
    its SPARQL Update endpoint is given too, that, for many small graphs in one request."""

    def __init__(self, url: str, update_url: str | None, timeout: float) -> None:
        self.http = Http(url, timeout)
        self._updates = Updates(Http(update_url, timeout)) if update_url else None
        self.batches = self._updates is not None
        self._made = (url, update_url, timeout)

    def another(self) -> GraphStore:
        return GraphStore(*self._made)

    def read(self, graph: str) -> list[ox.Triple]:
        """The graph's triples; none when the store has no such graph."""
        answer = self.http.request("GET", {"graph": graph}, headers={"Accept": f"{N_TRIPLES}, text/turtle;q=0.9"})
        if answer[0] == 404:
            return []
        return _parsed(self.http.url, self.http.check(answer, f"read <{graph}>"), graph)

    def replace(self, graph: str, body: Body) -> None:
        self.http.check(self.http.request("PUT", {"graph": graph}, body, {"Content-Type": N_TRIPLES}), f"write <{graph}>")

    def delete(self, graph: str) -> None:
        self.http.check(self.http.request("DELETE", {"graph": graph}), f"delete <{graph}>", (200, 202, 204, 404))

    def add(self, graph: str, lines: bytes) -> None:
        """The N-Triples lines added to the graph (a Graph Store POST merges them in)."""
        self.http.check(self.http.request("POST", {"graph": graph}, lines, {"Content-Type": N_TRIPLES}), f"write <{graph}>")

    def replace_many(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        if self._updates is None:
            raise AssertionError("many graphs in one request need the store's SPARQL Update endpoint")
        self._updates.replace_many(graphs)

    def delete_many(self, graphs: Sequence[str]) -> None:
        """In one request by SPARQL Update when there is its endpoint, otherwise one DELETE each."""
        if self._updates is not None:
            self._updates.delete_many(graphs)
        else:
            for graph in graphs:
                self.delete(graph)


class UpdateStore:
    """A store's SPARQL Update endpoint, for a store without the Graph Store Protocol; graphs are read from its query
    endpoint (the same URL unless another is given). A graph is written into a staging graph in chunks of
    UPDATE_CHUNK triples, then moved over its target in one update; many small graphs go in one request."""

    batches = True

    def __init__(self, url: str, query_url: str | None, timeout: float) -> None:
        self.http = Http(url, timeout)
        self._query = Http(query_url, timeout) if query_url else self.http
        self._updates = Updates(self.http)
        self._made = (url, query_url, timeout)

    def another(self) -> UpdateStore:
        return UpdateStore(*self._made)

    def read(self, graph: str) -> list[ox.Triple]:
        text = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
        answer = _query_form(self._query, text, f"{N_TRIPLES}, text/turtle;q=0.9")
        return _parsed(self._query.url, self._query.check(answer, f"read <{graph}>"), graph)

    def replace(self, graph: str, body: Body) -> None:
        staging = ox.NamedNode(graph + "#sanctiongraph-staging")
        self._update(f"DROP SILENT GRAPH {staging}", graph)
        pending: list[bytes] = []
        for chunk in body:
            pending += chunk.splitlines(keepends=True)
            while len(pending) >= UPDATE_CHUNK:
                self._insert(staging, pending[:UPDATE_CHUNK], graph)
                pending = pending[UPDATE_CHUNK:]
        if pending:
            self._insert(staging, pending, graph)
        self._update(f"MOVE SILENT GRAPH {staging} TO GRAPH {ox.NamedNode(graph)}", graph)

    def delete(self, graph: str) -> None:
        self.delete_many([graph])

    def add(self, graph: str, lines: bytes) -> None:
        self._updates.add(graph, lines)

    def replace_many(self, graphs: Sequence[tuple[str, bytes]]) -> None:
        self._updates.replace_many(graphs)

    def delete_many(self, graphs: Sequence[str]) -> None:
        self._updates.delete_many(graphs)

    def _insert(self, staging: ox.NamedNode, lines: list[bytes], graph: str) -> None:
        self._update(f"INSERT DATA {{ GRAPH {staging} {{\n{b''.join(lines).decode()}}} }}", graph)

    def _update(self, text: str, graph: str) -> None:
        self._updates.run(text.encode("utf-8"), f"write <{graph}>")


def _query_form(http_: Http, text: str, accept: str) -> tuple[int, str, bytes]:
    """A query sent as a form POST (a body of `application/sparql-query` hangs Virtuoso 7)."""
    return http_.request("POST", {}, urlencode({"query": text}).encode(), {"Content-Type": FORM, "Accept": accept})


@dataclass(frozen=True)
class Loader:
    """A store's own bulk loader reached over HTTP: the store's name (as its Server header begins, in lower case), the
    query that lists its named graphs (with ?graphs, how many there are, when the store may cut a result short), where
    N-Quads are POSTed (its query endpoint, or else its Graph Store endpoint) with which parameters, and how many bytes
    of them go in one request (BENCHMARKS.md, "Publishing")."""

    store: str
    graphs: Path
    at_query_endpoint: bool
    params: tuple[tuple[str, str], ...]
    size: int


HERE = Path(__file__).parent
# Oxigraph server: N-Quads POSTed to its Graph Store endpoint with `no_transaction` go to its bulk loader, outside any
# transaction (its --help says nothing of it; the parameter is in its source); it shows a request's quads only once
# all are written. Virtuoso: its Turtle parser called from SPARQL on the request's body, one transaction a request
# (virtuoso-load.rq).
LOADERS = (Loader("oxigraph", HERE / "oxigraph-graphs.rq", False, (("no_transaction", ""),), 8 << 20),
           Loader("virtuoso", HERE / "virtuoso-graphs.rq", True, (("query", (HERE / "virtuoso-load.rq").read_text(encoding="utf-8")),), 2 << 20))


class Bulk:
    """A first load of graphs the store does not have yet, through the store's own bulk loader (a Loader: the one the
    store names in its answers), and the store's named graphs listed from its query endpoint. A loader adds quads,
    never replaces: a graph the store already has would become the union of old and new, so only absent graphs may go
    this way. Each request is all or nothing, as far as a kill goes (benchmarks/crash.py): Oxigraph shows a request's
    quads only once all are written; Virtuoso runs it as one transaction (though its readers may see it in part
    meanwhile, as they may a PUT: docs/beyond-one-machine.md)."""

    def __init__(self, url: str, query_url: str, timeout: float, loader: Loader | None = None) -> None:
        self.http, self._query = Http(url, timeout), Http(query_url, timeout)
        self._made = (url, query_url, timeout)
        self._loader = loader

    def another(self) -> Bulk:
        """The same store on connections of its own (one per thread)."""
        return Bulk(*self._made, loader=self.loader)

    @property
    def loader(self) -> Loader:
        """The store's bulk loader, by the name it gives itself (asked once)."""
        if self._loader is None:
            self._query.check(self._query.request("GET", {"query": "ASK { }"}), "answer a query")
            name = self._query.server.split("/")[0].lower()
            known = [loader for loader in LOADERS if loader.store == name]
            if not known:
                raise StoreError(f"the store {self._query.url} calls itself {shown(self._query.server or 'nothing')} (its Server header); "
                                 f"--bulk knows the bulk loaders of {' and '.join(loader.store for loader in LOADERS)} only: publish without it")
            self._loader = known[0]
        return self._loader

    @property
    def size(self) -> int:
        return self.loader.size

    def graphs(self) -> set[str]:
        """The IRIs of the store's named graphs."""
        answer = _query_form(self._query, self.loader.graphs.read_text(encoding="utf-8"), "application/sparql-results+json")
        data = self._query.check(answer, "list its graphs")
        try:
            results = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as error:
            results, data = None, " ".join(str(error).split()).encode()
        if not isinstance(results, ox.QuerySolutions):
            raise StoreError(f"the store {self._query.url} sent for its list of graphs what is not SPARQL results: {data[:200].decode('utf-8', 'replace')}")
        counts = "graphs" in {variable.value for variable in results.variables}
        graphs: set[str] = set()
        counted = 0
        for solution in results:
            if isinstance(solution["g"], ox.NamedNode):
                graphs.add(solution["g"].value)
            if counts and isinstance(solution["graphs"], ox.Literal):
                counted = int(solution["graphs"].value)
        if len(graphs) < counted:
            raise StoreError(f"the store {self._query.url} listed {len(graphs)} of its {counted} graphs (a limit on the rows of "
                             "a result, as Virtuoso's ResultSetMaxRows); raise it above the number of graphs, or publish without --bulk")
        return graphs

    def load(self, body: bytes | Body, graphs: Sequence[str]) -> None:
        """The N-Quads of new graphs added by the store's bulk loader."""
        to = self._query if self.loader.at_query_endpoint else self.http
        to.check(to.request("POST", dict(self.loader.params), body, {"Content-Type": N_QUADS}), _which("write", graphs))


def _parsed(url: str, data: bytes, graph: str) -> list[ox.Triple]:
    try:
        return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    except (SyntaxError, ValueError) as error:
        raise StoreError(f"the store {url} sent for <{graph}> what is not RDF: {' '.join(str(error).split())[:200]}") from None


def connect(url: str, *, protocol: str = "graph-store", query_url: str | None = None, update_url: str | None = None,
            timeout: float = 60.0) -> RemoteStore:
    """The store at url, written by the Graph Store Protocol ("graph-store"; many small graphs at once by SPARQL
    Update when update_url is given) or SPARQL Update ("update")."""
    if protocol == "graph-store":
        return GraphStore(url, update_url, timeout)
    if protocol == "update":
        return UpdateStore(url, query_url, timeout)
    raise UsageError(f"unknown protocol {shown(protocol)}; use graph-store or update")
