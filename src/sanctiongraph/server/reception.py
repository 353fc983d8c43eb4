"""The reception of `sanctiongraph serve`: every connection's request read whole, head and body, before it is served.

One thread reads all arriving connections at once, as their bytes come, each under one
deadline for its whole request counted from its arrival; only a complete request is handed
on to take one of the server's connection slots. A client still sending at its deadline
gets 408; when more connections are arriving than the reception holds, the one that has
waited longest gets 503. So slow clients hold no slot, and a client that sends its request
at once is read at once, however many slow ones are waiting. Memory is bounded too: past a
total of bytes held, the connection holding most gets 503."""

from __future__ import annotations

import http
import http.client
import io
import selectors
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sanctiongraph.server.app import HTTPError, body_length

SERVER = "sanctiongraph"  # the Server header: the name, no versions
HEAD_LIMIT = 65536  # bytes of a request line and its headers
ARRIVALS = 512  # connections read at once; a file descriptor each, well within the usual limit of 1024
HELD_BODIES = 16  # the bytes all connections being read may hold together: this many bodies of the largest size


class HeadTooLarge(Exception):
    pass


@dataclass
class Arrival:
    """A connection and what it has sent so far."""

    connection: socket.socket
    address: Any
    deadline: float  # on time.monotonic()
    data: bytearray = field(default_factory=bytearray)
    size: int | None = None  # of the whole request, once its head is read

    def receive(self, max_body: int) -> bool:
        """Read what has come; True once the request is whole. EOFError if the client hung up before."""
        try:
            chunk = self.connection.recv(65536)
        except BlockingIOError:
            return False
        if not chunk:
            raise EOFError("the client closed the connection")
        searched = max(0, len(self.data) - 3)
        self.data += chunk
        if self.size is None:
            ends = [i + len(blank) for blank in (b"\r\n\r\n", b"\n\n") if (i := self.data.find(blank, searched)) >= 0]
            if not ends:
                if len(self.data) > HEAD_LIMIT:
                    raise HeadTooLarge
                return False
            self.size = min(ends) + _body_size(bytes(self.data[: min(ends)]), max_body)
        return len(self.data) >= self.size


def _body_size(head: bytes, max_body: int) -> int:
    """The bytes of body to read after this head: none when the application will refuse the body unread."""
    try:
        headers = http.client.parse_headers(io.BytesIO(head.partition(b"\n")[2]))
        return body_length(headers.get("content-length"), ",".join(headers.get_all("transfer-encoding") or []), max_body)
    except (http.client.HTTPException, HTTPError):  # the handler or the application answers the head
        return 0


def answer(connection: socket.socket, status: int, message: str, *headers: tuple[str, str]) -> None:
    """A short plain-text answer, sent without waiting; then the connection is closed."""
    body = f"{message}\n".encode()
    head = "".join(f"{name}: {value}\r\n" for name, value in (
        ("Server", SERVER), *headers, ("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Connection", "close")))
    try:
        connection.setblocking(False)
        connection.send(f"HTTP/1.0 {status} {http.HTTPStatus(status).phrase}\r\n{head}\r\n".encode("latin-1") + body)
        connection.shutdown(socket.SHUT_WR)
        for _ in range(16):  # take what the client sent on, so that closing does not reset the connection before it reads
            if not connection.recv(65536):
                break
    except OSError:
        pass
    finally:
        connection.close()


class Reception:
    """Accepts the listener's connections and reads their requests, in the thread that calls run."""

    def __init__(self, listener: socket.socket, *, limit: float, max_body: int, hand_on: Callable[[Arrival], None]) -> None:
        self.listener, self.limit, self.max_body, self.hand_on = listener, limit, max_body, hand_on
        self.arrivals: dict[socket.socket, Arrival] = {}  # in order of arrival, so of deadline: the first is due first
        self.held, self.most_held = 0, HELD_BODIES * max_body  # bytes of all arrivals' data
        self.selector = selectors.DefaultSelector()

    def run(self, poll: float) -> None:
        """Read requests until interrupted; then close the connections still being read."""
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ)
        try:
            while True:
                wait = min(poll, max(0.0, self.first().deadline - time.monotonic())) if self.arrivals else poll
                for key, _ in self.selector.select(wait):
                    if key.fileobj is self.listener:
                        self.admit()
                    elif key.data.connection in self.arrivals:  # not turned away for a newer one meanwhile
                        self.read(key.data)
                while self.arrivals and self.first().deadline <= time.monotonic():
                    self.turn_away(self.first(), 408, f"the request was not complete within {self.limit:g} s")
        finally:
            for arrival in list(self.arrivals.values()):
                self.leave(arrival)
                arrival.connection.close()
            self.selector.close()

    def first(self) -> Arrival:
        return next(iter(self.arrivals.values()))

    def admit(self) -> None:
        try:
            connection, address = self.listener.accept()
        except OSError:  # the client gave up before, or no file descriptor is free
            return
        connection.setblocking(False)
        if len(self.arrivals) >= ARRIVALS:
            self.turn_away(self.first(), 503, "the server is reading as many requests as it can; try again shortly", ("Retry-After", "1"))
        self.arrivals[connection] = Arrival(connection, address, time.monotonic() + self.limit)
        self.selector.register(connection, selectors.EVENT_READ, self.arrivals[connection])

    def read(self, arrival: Arrival) -> None:
        before, too_large = len(arrival.data), False
        try:
            whole = arrival.receive(self.max_body)
        except HeadTooLarge:
            whole, too_large = False, True
        except (EOFError, OSError):  # the client hung up
            self.leave(arrival)
            arrival.connection.close()
            return
        self.held += len(arrival.data) - before
        if too_large:
            self.turn_away(arrival, 431, f"the request line and headers are over the limit of {HEAD_LIMIT} bytes")
        elif whole:
            self.leave(arrival)
            self.hand_on(arrival)
        elif self.held > self.most_held:
            largest = max(self.arrivals.values(), key=lambda a: len(a.data))
            self.turn_away(largest, 503, "the server is receiving as much as it can hold; try again shortly", ("Retry-After", "1"))

    def leave(self, arrival: Arrival) -> None:
        self.selector.unregister(arrival.connection)
        del self.arrivals[arrival.connection]
        self.held -= len(arrival.data)

    def turn_away(self, arrival: Arrival, status: int, message: str, *headers: tuple[str, str]) -> None:
        self.leave(arrival)
        answer(arrival.connection, status, message, *headers)
