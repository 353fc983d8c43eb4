"""The server in front of a remote SPARQL 1.1 store (`sanctiongraph serve --store URL`) instead of a build.

The server's jobs (sanctiongraph.server.jobs) read the store through an Endpoint (sanctiongraph.query.endpoint), which
sends every request to the one URL given, over connections kept alive and shared by the jobs' threads
(sanctiongraph.query.connections), so nothing a client sends can make the server fetch from elsewhere; a query
or view that would make the store itself fetch (SERVICE, LOAD) is refused by the jobs as on a build. A job runs in
the thread of the request it answers, at most `workers` at once (a hop to a pool thread took a named query from 1.1
to 2.3 ms, measured in process on the shared 2-core machine; through HTTP the difference was within the noise); each request to the store is
given what is left of the time limit as its socket timeout, so a job whose store stops answering ends at the limit.
A store that cannot be reached, fails or sends garbage is answered 502, one that runs out of time 504, each with one
line saying so. Updates and Graph Store writes are refused, as on a server without a token."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sanctiongraph.errors import EndpointUnavailable, ResultTooLarge
from sanctiongraph.query.connections import Connections
from sanctiongraph.query.endpoint import Endpoint
from sanctiongraph.server.jobs import failure
from sanctiongraph.server.live import Fixed, Served
from sanctiongraph.server.workers import Job, Overloaded, Reply

VOID_QUERY = Path(__file__).parent / "void.rq"
HEALTH_TIMEOUT = 5.0  # seconds the store has to answer /health's probe


class StoreEngine:
    """Runs jobs against a remote store: at most `workers` at once, each within the time limit."""

    def __init__(self, url: str, *, workers: int, timeout: float) -> None:
        self.url, self.workers, self.timeout = url, workers, timeout
        self._slots = threading.BoundedSemaphore(workers)
        self._connections = Connections(url, timeout)

    def run(self, job: Job, *args: Any, wait: float, timeout: float | None = None) -> Reply:
        """The reply of job(store, *args), run in this thread within the time limit (at most the engine's own: each
        request to the store gets what is left of it); Overloaded when every slot stayed taken for `wait` seconds."""
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        if not self._slots.acquire(timeout=wait):
            raise Overloaded(f"every connection to the store stayed busy for {wait:g} s; try again shortly")
        try:
            return _answer(job, Endpoint(self.url, timeout=limit, deadline=time.monotonic() + limit, connections=self._connections), args)
        finally:
            self._slots.release()

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Whether the store answers `ASK {}` within HEALTH_TIMEOUT seconds (at most the time limit), and its URL
        (which holds no credentials: --store refuses a URL that does)."""
        report: dict[str, Any] = {"store": self.url, "workers": self.workers}
        try:
            self._connections.send("ASK {}", "ASK", min(HEALTH_TIMEOUT, self.timeout))
        except (EndpointUnavailable, RuntimeError) as error:
            return False, {"status": f"the store does not answer: {error}", **report, "answers": False}
        return True, {"status": "ok", **report, "answers": True}

    def close(self) -> None:
        self._connections.close()


def _answer(job: Job, store: Endpoint, args: tuple[Any, ...]) -> Reply:
    try:
        return job(store, *args)
    except EndpointUnavailable as error:
        return failure(504 if error.timed_out else 502, str(error))
    except ResultTooLarge as error:
        return failure(400, str(error))
    except Exception as error:  # noqa: BLE001 - a bug in a job answers 500, as in a query worker
        return failure(500, f"internal error: {type(error).__name__}: {error}")


def void(url: str, timeout: float) -> bytes:
    """The VoID of the graphs on the store, as Turtle (VOID_QUERY)."""
    triples = Endpoint(url, timeout=timeout).query(VOID_QUERY.read_text(encoding="utf-8"))
    assert not isinstance(triples, (ox.QuerySolutions, ox.QueryBoolean))
    return ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE)  # type: ignore[return-value]  # bytes when no output is given


def in_front(url: str, *, workers: int, timeout: float) -> Fixed:
    """The store at url, served; EndpointUnavailable when it does not answer."""
    return Fixed(Served(url, None, lambda: void(url, timeout), lambda: StoreEngine(url, workers=workers, timeout=timeout)))
