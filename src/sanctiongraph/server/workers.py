"""The server's query engine: a few sandboxed worker processes, each holding the store, that can be killed at the time limit.

Oxigraph cannot interrupt a query from Python, so a query running past its limit would go
on burning a core if it ran in a thread; in a process it is stopped by ending the process,
and a fresh worker takes its place. Work is sent as a module-level function and its
arguments (pickled); the function runs in the worker with the store as first argument.

Server and worker talk over one pipe each, in frames: the length of what follows (8 bytes), then
that many bytes, read and written with plain system calls, one job at a time. A job goes to the
worker pickled (the server's own functions and arguments); a reply comes back in a fixed layout
(status, media type and headers as JSON, then the body) that the server reads without unpickling:
a worker runs the text a user sent, so what it sends back is taken as data, never as code."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import queue
import resource
import select
import signal
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sanctiongraph.errors import QueryTimeout, SanctionGraphError
from sanctiongraph.query.store import open_store
from sanctiongraph.server.sandbox import forbid_network

STARTUP_LIMIT = 600.0  # seconds a new worker may take to open the store (in memory: to copy it there)
_LENGTH = struct.Struct("!Q")  # the length of a frame, and of a reply's head within it
_FIRST_READ = 1 << 16  # bytes asked for at once when a frame begins: most replies come whole in one read
_LARGEST = 1 << 32  # bytes of a frame at most: no reply within a worker's limits comes near it


class Overloaded(SanctionGraphError):
    """Every worker stayed busy for longer than a request may wait."""


class EngineFailure(SanctionGraphError):
    """A worker died while it ran a job (it is replaced)."""


@dataclass(frozen=True)
class Reply:
    """An HTTP answer computed by a worker."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())


Job = Callable[..., Reply]


def encoded(reply: Reply) -> bytes:
    """A reply as a worker sends it: the length of its head, the head (status, media type, headers) as JSON, the body."""
    head = json.dumps([reply.status, reply.content_type, reply.headers]).encode()
    return _LENGTH.pack(len(head)) + head + reply.body


def decoded(data: bytes) -> Reply:
    """The reply in what a worker sent; EngineFailure if it is not one."""
    try:
        (size,) = _LENGTH.unpack_from(data)
        status, media, headers = json.loads(data[_LENGTH.size:_LENGTH.size + size])
        if not (isinstance(status, int) and 100 <= status < 600 and isinstance(media, str) and isinstance(headers, list)
                and all(isinstance(h, list) and len(h) == 2 and all(isinstance(p, str) for p in h) for h in headers)):
            raise ValueError("not a status, media type and headers")
    except (struct.error, ValueError) as error:  # json's errors are ValueErrors
        raise EngineFailure(f"a query worker sent a malformed reply: {error}") from None
    return Reply(status, media, data[_LENGTH.size + size:], tuple((name, value) for name, value in headers))


def send(fd: int, data: bytes) -> None:
    """One frame on the pipe: the length, then the data."""
    for part in (_LENGTH.pack(len(data)) + data,) if len(data) < _FIRST_READ else (_LENGTH.pack(len(data)), data):
        view = memoryview(part)  # a large body is written as it is, not copied behind its length first
        while view:
            view = view[os.write(fd, view):]


def received(fd: int, more: Callable[[], bool] = lambda: True) -> bytes:
    """The data of the next frame on the pipe; EOFError if the other end closed it. The first read may take more than
    the frame's length, so the pipe must hold one frame at a time, as it does: a job, then its reply.

    Before each read after the first, `more` waits for the rest and says whether it came in time: a frame left half
    written is an EngineFailure when it says no, so a worker that stalls within a reply cannot hold the server."""
    def waited() -> None:
        if not more():
            raise EngineFailure("a query worker stopped within a reply and did not finish it in time")

    first = os.read(fd, _FIRST_READ)
    while 0 < len(first) < _LENGTH.size:
        waited()
        first += os.read(fd, _LENGTH.size - len(first))
    if not first:
        raise EOFError("the pipe is closed")
    (size,) = _LENGTH.unpack_from(first)
    if size > _LARGEST:
        raise EngineFailure(f"a frame of {size} bytes came on a query worker's pipe, more than the {_LARGEST} allowed")
    if len(first) - _LENGTH.size == size:
        return first[_LENGTH.size:]
    data = bytearray(size)
    data[:len(first) - _LENGTH.size] = first[_LENGTH.size:]
    view, got = memoryview(data), len(first) - _LENGTH.size
    while got < size:
        waited()
        count = os.readv(fd, [view[got:]])
        if not count:
            raise EOFError("the pipe closed within a frame")
        got += count
    return bytes(data)


@dataclass(eq=False)
class _Worker:
    process: Any  # a multiprocessing process of the spawn context
    connection: Connection  # the pipe; read and written as frames through its file descriptor
    ready: Any = field(default_factory=select.poll)  # tells when the pipe has something to read

    def __post_init__(self) -> None:
        self.fd = self.connection.fileno()
        self.ready.register(self.fd, select.POLLIN)

    def answer(self, limit: float) -> bytes | None:
        """The next frame from the worker, or None if none began within `limit` seconds; EngineFailure if one began
        but did not end within them."""
        deadline = time.monotonic() + limit

        def more() -> bool:
            return bool(self.ready.poll(max(0.0, deadline - time.monotonic()) * 1000))

        return received(self.fd, more) if more() else None

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.connection.close()


class Engine:
    """A pool of worker processes over the store of `graph` (a build's folder), on disk or copied into each worker's memory
    (`in_memory`); `run` waits for a free one, at most `wait` seconds."""

    def __init__(self, graph: Path, *, workers: int, timeout: float, memory: int | None = None, writable: bool = False,
                 in_memory: bool = False) -> None:
        self.graph, self.timeout, self.memory, self.writable, self.in_memory = graph, timeout, memory, writable, in_memory
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        try:
            started = [self._start() for _ in range(1 if writable else workers)]  # all at once: in memory each takes long
            for worker in started:
                self._idle.put(self._ready(worker))
        except BaseException:
            self.close()
            raise

    def run(self, job: Job, *args: Any, wait: float, timeout: float | None = None) -> Reply:
        """The reply of job(store, *args) from a worker within timeout (at most the engine's own); Overloaded,
        QueryTimeout or EngineFailure when it cannot be had."""
        limit = self.timeout if timeout is None else min(timeout, self.timeout)
        try:
            worker = self._idle.get(timeout=wait)
        except queue.Empty:
            raise Overloaded(f"every query worker stayed busy for {wait:g} s; try again shortly") from None
        try:
            send(worker.fd, pickle.dumps((job, args), protocol=pickle.HIGHEST_PROTOCOL))
            data = worker.answer(limit)
            if data is not None:
                return decoded(data)
            worker = self._replace(worker)
            raise QueryTimeout(f"stopped after the time limit of {limit:g} s")
        except (EOFError, OSError):
            worker = self._replace(worker)
            raise EngineFailure("the query worker died running this request (out of its memory limit, or of stack); "
                                "a new one took its place") from None
        except EngineFailure:
            worker = self._replace(worker)  # it sent what no worker sends: it is not trusted with another job
            raise
        finally:
            self._idle.put(worker)

    def health(self) -> tuple[bool, dict[str, Any]]:
        """Whether any worker is running, and how many are (for /health)."""
        with self._lock:
            running = sum(1 for worker in self._all if worker.process.is_alive())
        return running > 0, {"status": "ok" if running else "no query worker is running", "workers": running}

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    def _spawn(self) -> _Worker:
        return self._ready(self._start())

    def _start(self) -> _Worker:
        parent, child = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(child, str(self.graph), self.writable, self.memory, self.in_memory), daemon=True, name="sanctiongraph-engine")
        process.start()
        child.close()
        worker = _Worker(process, parent)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ready(self, worker: _Worker) -> _Worker:
        """The worker once it has opened its store; SanctionGraphError (and the worker ended) if it could not."""
        try:
            message = worker.answer(STARTUP_LIMIT)
        except (EOFError, OSError):
            message = b"it exited"
        if message is None:
            self._forget(worker)
            raise SanctionGraphError(f"a query worker did not start within {STARTUP_LIMIT:g} s")
        if message:
            self._forget(worker)
            raise SanctionGraphError(f"a query worker could not start: {message.decode('utf-8', 'replace')}")
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        """A new worker in place of one that timed out or died; the old one if no new one starts (tried again next time)."""
        self._forget(worker)
        try:
            return self._spawn()
        except SanctionGraphError:
            return worker

    def _forget(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()


def _serve(connection: Connection, graph: str, writable: bool, memory: int | None, in_memory: bool) -> None:
    """A worker's life: open the store, then run jobs until the connection closes.

    The worker cannot open a network connection (sanctiongraph.server.sandbox), whatever a query asks for.
    `memory` (bytes) caps the worker's data segment and anonymous mappings: a query that needs
    more makes the allocator abort the process, which the engine then replaces."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    if memory is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    fd = connection.fileno()
    try:
        forbid_network()
        store = open_store(Path(graph), writable=writable, memory=in_memory)
    except (SanctionGraphError, OSError) as error:
        send(fd, str(error).encode() or b"error")
        return
    send(fd, b"")  # ready
    while True:
        try:
            job, args = pickle.loads(received(fd))
        except EOFError:
            return
        try:
            reply = job(store, *args)
        except Exception as error:  # noqa: BLE001 - a bug in a job answers 500 instead of killing the worker
            reply = Reply(500, "text/plain; charset=utf-8", f"internal error: {type(error).__name__}: {error}\n".encode())
        send(fd, encoded(reply))
