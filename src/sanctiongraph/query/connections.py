"""Kept-alive HTTP connections to one SPARQL 1.1 endpoint, shared by threads: what `serve --store` sends the store's
queries over.

SPARQLWrapper (sanctiongraph.query.endpoint.send) opens a new connection for every query, as urllib keeps none alive;
in front of a store that is a second TCP handshake per request (BENCHMARKS.md, "Serving in front of a store").
Connections keeps the connections it has opened, each an Http of sanctiongraph.query.remote (one connection, with the
credentials of the environment), and lends one to a request at a time: a request takes an idle one, or opens one when
none is idle, and gives it back once answered, so there are never more than the requests at once. The requests are
those of send(): the query as a POSTed form (a body of `application/sparql-query` hangs Virtuoso 7), JSON results or
Turtle asked for, with the protocol's default-graph-uri and named-graph-uri."""

from __future__ import annotations

import queue
from collections.abc import Sequence

from sanctiongraph.errors import EndpointUnavailable
from sanctiongraph.query.endpoint import GRAPH_FORMS, check_endpoint, one_line
from sanctiongraph.query.remote import FORM, Http


class Connections:
    """The kept-alive connections to the endpoint at url."""

    def __init__(self, url: str, timeout: float) -> None:
        check_endpoint(url)
        self.url, self._timeout = url, timeout
        self._idle: queue.LifoQueue[Http] = queue.LifoQueue()

    def send(self, text: str, form: str, timeout: float, default: Sequence[str] = (), named: Sequence[str] = ()) -> bytes:
        """The body of the endpoint's answer to a query, as send() gives it; EndpointUnavailable when the endpoint cannot
        be reached, fails (5xx) or runs out of time, RuntimeError when it refuses the query (4xx)."""
        try:
            http = self._idle.get_nowait()
        except queue.Empty:
            http = Http(self.url, self._timeout, noun="endpoint")
        fields = [("query", text), *(("default-graph-uri", g) for g in default), *(("named-graph-uri", g) for g in named)]
        accept = "text/turtle" if form in GRAPH_FORMS else "application/sparql-results+json"
        try:
            status, reason, body = http.request("POST", {}, _form(fields), {"Content-Type": FORM, "Accept": accept}, timeout)
        finally:
            self._idle.put(http)  # after a failure it has closed its connection, and opens another when next lent
        said = f"{status} {reason}" + (f": {one_line(body.decode('utf-8', 'replace'))}" if body else "")
        if status >= 500:
            raise EndpointUnavailable(f"the endpoint {self.url} failed: {said}")
        if status >= 400:
            raise RuntimeError(f"the endpoint {self.url} refused the query: {said}")
        return body

    def close(self) -> None:
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return


def _form(fields: Sequence[tuple[str, str]]) -> bytes:
    """The fields as a form, every byte of each value percent-encoded: as valid as urlencode's choice of bytes, and,
    done by bytes.hex in C, a tenth of its time on a query of a few kilobytes (at the cost of a longer body)."""
    return "&".join(f"{name}=%{value.encode().hex('%')}" if value else f"{name}=" for name, value in fields).encode()
