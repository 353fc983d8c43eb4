"""The reception of `sanctiongraph serve`: waitress, with one deadline for each whole request and a bound on those served.

Waitress reads every connection in one thread, as its bytes come, and hands a request to a
thread of its own only once it is whole, head and body (a chunked body is joined first); a
connection is kept open between requests (HTTP/1.1 keep-alive). Added here:

- a deadline for each whole request, counted from its first byte: a client still sending at
  its deadline gets 408 and is closed (waitress alone ends only connections idle for long, so
  a client sending a byte a second would be read for ever);
- at most `connections` requests served at once: the one past them gets 503 with Retry-After
  at once, from one of a few spare threads, instead of waiting in a queue;
- a client that reads nothing of its answer for STALLED seconds is closed, so a download
  larger than waitress buffers (16 MB) cannot hold a thread for ever.

So slow clients hold no thread, and a client that sends its request at once is read at once,
however many slow ones are sending."""

from __future__ import annotations

import http
import queue
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from waitress.adjustments import Adjustments  # type: ignore[import-untyped]
from waitress.channel import HTTPChannel  # type: ignore[import-untyped]
from waitress.server import TcpWSGIServer  # type: ignore[import-untyped]
from waitress.task import ThreadedTaskDispatcher  # type: ignore[import-untyped]

SERVER = "sanctiongraph"  # the Server header: the name, no versions
HEAD_LIMIT = 65536  # bytes of a request line and its headers
ARRIVALS = 512  # connections held open at once; a file descriptor each, well within the usual limit of 1024
SPARE_THREADS = 4  # threads beyond the connection slots, that answer 503 when every slot is taken
IDLE = 30  # seconds a kept-alive connection may wait for its next request
STALLED = 30  # seconds a client may read nothing of an answer waiting for it before its connection is closed
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def plain_answer(status: int, message: str, *headers: tuple[str, str]) -> bytes:
    """A short plain-text answer that closes the connection, whole: status line, headers and body."""
    body = f"{message}\n".encode()
    head = "".join(f"{name}: {value}\r\n" for name, value in (
        ("Server", SERVER), *headers, ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Connection", "close")))
    return f"HTTP/1.0 {status} {http.HTTPStatus(status).phrase}\r\n{head}\r\n".encode("latin-1") + body


class _Channel(HTTPChannel):  # type: ignore[misc]
    """A connection whose request being read has a deadline, set when its first bytes arrive."""

    deadline: float | None = None
    _timed: object = None  # the request the deadline belongs to

    def received(self, data: bytes) -> bool:
        result = super().received(data)
        if self.request is None:
            self.deadline = self._timed = None
        elif self.request is not self._timed:
            self._timed, self.deadline = self.request, time.monotonic() + self.server.request_timeout
        return bool(result)

    def overdue(self, now: float) -> bool:
        return self.deadline is not None and now >= self.deadline and not self.requests and not self.close_when_flushed

    def time_out(self) -> None:
        """408, then close once it is sent; called in the reading thread."""
        self.deadline = None
        self.write_soon(plain_answer(408, f"the request was not complete within {self.server.request_timeout:g} s"))
        self.close_when_flushed = True
        self.server.pull_trigger()

    def handle_close(self) -> None:
        """Close; first take on what the client has sent unread (after an error answer), so that closing does not reset
        the connection before the client reads the answer."""
        connection = self.socket
        if connection is not None:  # None once closed (waitress may close twice)
            try:
                connection.shutdown(socket.SHUT_WR)
                for _ in range(16):
                    if not connection.recv(65536):
                        break
            except OSError:  # nothing more has come, or the client has gone
                pass
        super().handle_close()


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel

    def __init__(self, app: WSGIApp, adjustments: Adjustments, dispatcher: ThreadedTaskDispatcher, request_timeout: float) -> None:
        self.request_timeout = request_timeout
        super().__init__(app, {}, dispatcher=dispatcher, adj=adjustments, sockinfo=adjustments.listen[0])

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # connections idle between requests
        moment = time.monotonic()
        for channel in list(self.active_channels.values()):
            if channel.overdue(moment):
                channel.time_out()
            elif channel.requests and channel.total_outbufs_len and now - channel.last_activity > STALLED:
                channel.handle_close()  # the thread writing the answer stops (ClientDisconnected) and frees its slot


class Slots:
    """WSGI middleware: at most `count` requests served at once, from their start to the last byte of their answer."""

    def __init__(self, app: WSGIApp, count: int) -> None:
        self.app, self._free = app, queue.SimpleQueue[None]()  # a token per free slot: taken and given back without a Python lock
        for _ in range(count):
            self._free.put(None)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            self._free.get_nowait()
        except queue.Empty:
            body = b"the server is at its limit of connections; try again shortly\n"
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"), ("Retry-After", "1"),
                                                       ("Content-Length", str(len(body)))])
            return [body]
        try:
            answer = self.app(environ, start_response)
        except BaseException:
            self._free.put(None)
            raise
        return self._released_after(answer)

    def _released_after(self, answer: Iterable[bytes]) -> Iterator[bytes]:
        try:
            yield from answer
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
            self._free.put(None)


def http_server(app: WSGIApp, *, host: str, port: int, connections: int, request_timeout: float, max_body: int) -> _Server:
    """The server, bound and listening; `run()` serves until KeyboardInterrupt, `close()` closes it."""
    threads = connections + SPARE_THREADS
    adjustments = Adjustments(
        host=host, port=port, threads=threads, connection_limit=ARRIVALS, channel_timeout=IDLE, cleanup_interval=1,
        max_request_header_size=HEAD_LIMIT, max_request_body_size=max_body, ident=SERVER, expose_tracebacks=False,
        asyncore_use_poll=True, clear_untrusted_proxy_headers=True, backlog=256)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    return _Server(Slots(app, connections), adjustments, dispatcher, request_timeout)
