"""A SPARQL 1.1 endpoint, read as the embedded store is read.

`Endpoint` offers the part of pyoxigraph's Store that the queries, the views and the server read through
(sanctiongraph.query.store.Readable): `query`, `quads_for_pattern` and `contains_named_graph`, each one query of the
SPARQL 1.1 Protocol sent by SPARQLWrapper to the one URL the endpoint was made with, with the credentials of the
environment. Its default graph is the union of the store's graphs, as the embedded store's is (`union_graphs`).

A store that cannot be reached, fails (5xx), sends what is not an answer, or runs out of time raises
EndpointUnavailable; a query the store refuses (4xx) is a RuntimeError, as pyoxigraph raises for a query it cannot
evaluate (sanctiongraph.query.running.evaluate turns both into one line naming the query)."""

from __future__ import annotations

import itertools
import math
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar
from urllib.error import URLError
from urllib.parse import urlsplit

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.errors import EndpointUnavailable, UsageError, shown
from sanctiongraph.query.library import Query

if TYPE_CHECKING:
    from sanctiongraph.query.connections import Connections  # which sends through this module's send() helpers

ENDPOINT_USER = "SANCTIONGRAPH_ENDPOINT_USER"
ENDPOINT_PASSWORD = "SANCTIONGRAPH_ENDPOINT_PASSWORD"
ENDPOINT_AUTH = "SANCTIONGRAPH_ENDPOINT_AUTH"  # basic (default) or digest
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")  # the query forms that answer with triples
T = TypeVar("T")


class Endpoint:
    """A SPARQL 1.1 query endpoint read through pyoxigraph's Store interface. Each request gets `timeout` seconds,
    and, with a `deadline` (time.monotonic()), no more than is left before it. Requests go over `connections` (kept
    alive, sanctiongraph.query.connections) when given, otherwise each by SPARQLWrapper on a connection of its own."""

    def __init__(self, url: str, *, timeout: float, deadline: float | None = None, connections: Connections | None = None) -> None:
        check_endpoint(url)
        self.url, self.timeout, self.deadline, self.connections = url, timeout, deadline, connections

    def query(self, query: str, *, use_default_graph_as_union: bool = False,
              default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None,
              named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """The answer to a query: solutions, a boolean, or the triples of a CONSTRUCT or DESCRIBE."""
        from sanctiongraph.query.running import query_form  # running reads endpoints through this module

        form = query_form(Query("query", "query", "", (), query))
        body = self._send(query, form, use_default_graph_as_union, default_graph, named_graphs)
        if form in GRAPH_FORMS:
            return _read(self.url, lambda: [q.triple for q in ox.parse(body, format=ox.RdfFormat.TURTLE)])
        return _read(self.url, lambda: ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))

    def results_document(self, query: str, form: str, *, limit: int, use_default_graph_as_union: bool = False,
                         default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None = None,
                         named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None) -> tuple[bytes, int]:
        """The SPARQL JSON results of a SELECT or ASK query (its `form`) as the endpoint sent them, and their number of
        rows (counted up to limit + 1; none for ASK); read through, so that an answer that is not one is
        EndpointUnavailable as from `query`, but not written again: a server passes them on as they are."""
        body = self._send(query, form, use_default_graph_as_union, default_graph, named_graphs)
        answer = _read(self.url, lambda: ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
        if isinstance(answer, ox.QueryBoolean):
            return body, 0
        return body, _read(self.url, lambda: sum(1 for _ in itertools.islice(answer, limit + 1)))

    def _send(self, query: str, form: str, use_default_graph_as_union: bool,
              default_graph: Sequence[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None,
              named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None) -> bytes:
        """The body of the endpoint's answer to a query of that form, asked for the dataset given."""
        if use_default_graph_as_union:
            default = named = union_graphs(self.url, self._left())
        else:
            default = tuple(g.value for g in default_graph or () if isinstance(g, ox.NamedNode))
            named = tuple(g.value for g in named_graphs or () if isinstance(g, ox.NamedNode))
        if self.connections is not None:
            return self.connections.send(query, form, self._left(), default, named)
        return send(self.url, query, form, self._left(), default, named)

    def quads_for_pattern(self, subject: ox.NamedNode | None, predicate: ox.NamedNode | None, object: ox.NamedNode | ox.Literal | None,
                          graph_name: ox.NamedNode | None = None, /) -> Iterator[ox.Quad]:
        """The quads of the store's named graphs that match the pattern (None matches anything)."""
        given = (subject, predicate, object, graph_name)
        terms = [str(term) if term is not None else f"?{name}" for term, name in zip(given, "spog")]
        text = f"SELECT * WHERE {{ GRAPH {terms[3]} {{ {terms[0]} {terms[1]} {terms[2]} }} }}"
        solutions = self.query(text)
        assert isinstance(solutions, ox.QuerySolutions)
        for row in solutions:
            s, p, o, g = (term if term is not None else row[name] for term, name in zip(given, "spog"))
            yield ox.Quad(s, p, o, g)  # type: ignore[arg-type]

    def contains_named_graph(self, graph_name: ox.NamedNode, /) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph_name} {{ ?s ?p ?o }} }}"))

    def _left(self) -> float:
        """The seconds the next request may take."""
        if self.deadline is None:
            return self.timeout
        left = min(self.timeout, self.deadline - time.monotonic())
        if left <= 0:
            raise EndpointUnavailable(f"the endpoint {self.url} did not answer within the time limit", timed_out=True)
        return left


_UNION_GRAPHS: dict[str, tuple[str, ...]] = {}


def union_graphs(endpoint: str, timeout: float) -> tuple[str, ...]:
    """The graphs to name as an endpoint's dataset so that its default graph is the union of its graphs: none when its
    default graph has triples (a store that answers from the union, as Virtuoso and GraphDB do, or Oxigraph with
    --union-default-graph); all its named graphs when the default graph is empty but they are not (a store that keeps
    the default graph apart, as Oxigraph and Fuseki do unless told otherwise). Asked once per endpoint and process."""
    if endpoint not in _UNION_GRAPHS:
        graphs: tuple[str, ...] = ()
        probe = send(endpoint, "ASK { ?s ?p ?o }", "ASK", timeout)
        if not _read(endpoint, lambda: bool(ox.parse_query_results(probe, format=ox.QueryResultsFormat.JSON))):
            listing = send(endpoint, "SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "SELECT", timeout)
            solutions = _read(endpoint, lambda: list(ox.parse_query_results(listing, format=ox.QueryResultsFormat.JSON)))  # type: ignore[arg-type]
            graphs = tuple(sorted(row[0].value for row in solutions if isinstance(row[0], ox.NamedNode)))
        _UNION_GRAPHS[endpoint] = graphs
    return _UNION_GRAPHS[endpoint]


def send(endpoint: str, text: str, form: str, timeout: float, default: Sequence[str] = (), named: Sequence[str] = ()) -> bytes:
    """The body of an endpoint's answer to a query (JSON results, or Turtle for CONSTRUCT and DESCRIBE), with the
    dataset of the protocol's default-graph-uri and named-graph-uri when they are given."""
    from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import EndPointInternalError, SPARQLWrapperException

    check_endpoint(endpoint)
    client = SPARQLWrapper(endpoint, agent=f"sanctiongraph/{__version__}")
    client.setTimeout(max(1, math.ceil(timeout)))
    client.setMethod(POST)
    if os.environ.get(ENDPOINT_USER):
        client.setHTTPAuth(DIGEST if os.environ.get(ENDPOINT_AUTH, "basic").lower() == "digest" else BASIC)
        client.setCredentials(os.environ[ENDPOINT_USER], os.environ.get(ENDPOINT_PASSWORD, ""))
    client.setQuery(text)
    client.queryType = form  # SPARQLWrapper's own guess mistakes "address" in a comment for ADD
    client.setReturnFormat(TURTLE if form in GRAPH_FORMS else JSON)
    for graph in default:
        client.addDefaultGraph(graph)
    for graph in named:
        client.addNamedGraph(graph)
    try:
        return client.query().response.read()
    except EndPointInternalError as error:
        raise EndpointUnavailable(f"the endpoint {endpoint} failed: {one_line(str(error))}") from None
    except SPARQLWrapperException as error:
        raise RuntimeError(f"the endpoint {endpoint} refused the query: {one_line(str(error))}") from None
    except (URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        if isinstance(reason, TimeoutError):
            raise EndpointUnavailable(f"the endpoint {endpoint} did not answer within {timeout:.3g} s", timed_out=True) from None
        raise EndpointUnavailable(f"cannot reach the endpoint {endpoint}: {reason}") from None


def _read(endpoint: str, parse: Callable[[], T]) -> T:
    """What parse makes of an endpoint's answer; an answer that is not what was asked for is EndpointUnavailable."""
    try:
        return parse()
    except (SyntaxError, ValueError) as error:
        raise EndpointUnavailable(f"the endpoint {endpoint} sent an unreadable answer: {one_line(str(error))}") from None


def check_endpoint(endpoint: str) -> None:
    """Only an http(s) URL is sent a query: urllib would as well read a file: or ftp: URL."""
    try:
        address = urlsplit(endpoint)
        usable = address.scheme in ("http", "https") and bool(address.hostname) and address.port != 0
    except ValueError:  # a malformed host or port
        usable = False
    if not usable or re.search(r"[\s\x00-\x1f\x7f]", endpoint):
        raise UsageError(f"the endpoint {shown(endpoint)} is not an http(s) URL; only http:// and https:// endpoints are queried")


def one_line(text: str) -> str:
    return " ".join(text.split())[:300]
