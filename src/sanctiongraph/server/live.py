"""Live reload: the server follows `graph/current` (sanctiongraph.builder.builds) from one build to the next, without a restart.

Each build served is a `Served`: its folder, its VoID, and a pool of query workers over its
store, all started together, holding the build's readers lock so that no build sweeps it away.
A request takes the build served when it arrives and is answered wholly from it. When
`current` names another build, the next request starts that build's workers in the background
and keeps being answered from the old build until they are all ready; then every request
after moves to the new build at once, and the old one is closed, and its lock released, once the
last request using it has finished. A build whose workers cannot start is reported once and
left; the server answers from the build it had."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from sanctiongraph.builder.builds import CURRENT, hold
from sanctiongraph.builder.exports import VOID_FILE
from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.server.workers import Job, Reply


class Answering(Protocol):
    """What answers a served graph's jobs: the query workers of a build (sanctiongraph.server.workers), or the threads
    that read a remote store (sanctiongraph.server.remote)."""

    def run(self, job: Job, *args: Any, wait: float, timeout: float | None = None) -> Reply: ...

    def health(self) -> tuple[bool, dict[str, Any]]: ...

    def close(self) -> None: ...


class Served:
    """One graph being served: a build (its folder) or a remote store (no folder, so no dumps); its VoID and what
    answers its jobs, closed once retired and unused."""

    def __init__(self, name: str, folder: Path | None, void: Callable[[], bytes], engine: Callable[[], Answering],
                 lock: int | None = None) -> None:
        self.folder, self.name, self._lock = folder, name, lock
        try:
            self.void = void()
            self.void_triples = [q.triple for q in ox.parse(self.void, format=ox.RdfFormat.TURTLE)]
            self.engine = engine()
        except BaseException:
            self._release()
            raise
        self.users, self.retired = 0, False

    def close(self) -> None:
        self.engine.close()
        self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


class Fixed:
    """A graph served as it is for the server's life: a remote store, which has no builds to follow."""

    def __init__(self, served: Served) -> None:
        self.served = served

    @contextlib.contextmanager
    def using(self) -> Iterator[Served]:
        yield self.served

    def close(self) -> None:
        self.served.close()


class Live:
    """The build being served, following `graph/current`; `using()` lends it to one request."""

    def __init__(self, graph: Path, engine: Callable[[Path], Answering]) -> None:
        self.graph, self._engine = graph, engine
        self._link = str(graph / CURRENT)
        self._resolved = ("", "")  # the text of the `current` link last read, and the folder it resolved to
        self._lock = threading.Lock()
        self._pending: str | None = None  # the build whose workers are starting, or that could not start
        self.served = self._open()

    @contextlib.contextmanager
    def using(self) -> Iterator[Served]:
        """The build to answer one request from, held until the request is done."""
        self._follow()
        with self._lock:
            served = self.served
            served.users += 1
        try:
            yield served
        finally:
            with self._lock:
                served.users -= 1
                done = served.retired and served.users == 0
            if done:
                served.close()

    def close(self) -> None:
        with self._lock:
            served = self.served
            served.retired = True
            done = served.users == 0
        if done:
            served.close()

    def _current(self) -> str:
        """The folder of the current build (the graph folder itself for one without builds). Asked on every request: the
        link is read (one system call) and resolved again only when its text has changed."""
        try:
            text = os.readlink(self._link)
        except OSError:  # no link: a graph folder without builds
            return str(self.graph)
        if text != self._resolved[0]:
            self._resolved = (text, os.path.realpath(self._link))
        return self._resolved[1]

    def _follow(self) -> None:
        """Start moving to the current build when it is not the one served (in the background; once per build)."""
        target = self._current()
        if target == str(self.served.folder) or target == self._pending:
            return
        with self._lock:
            if target == self._pending:
                return
            self._pending = target
        threading.Thread(target=self._move, args=(target,), daemon=True, name="sanctiongraph-reload").start()

    def _move(self, target: str) -> None:
        try:
            new = self._open()
        except (SanctionGraphError, OSError) as error:
            print(f"sanctiongraph: staying on build {self.served.name}: the new build cannot be served: {error}", file=sys.stderr, flush=True)
            return
        with self._lock:
            old, self.served = self.served, new
            old.retired = True
            done = old.users == 0
        if done:
            old.close()
        print(f"sanctiongraph: now serving build {new.name}", file=sys.stderr, flush=True)

    def _open(self) -> Served:
        """The current build, locked against the sweep and started; resolved again if it was swept meanwhile."""
        for _ in range(10):
            folder = Path(self._current())
            if folder == self.graph:
                return self._served(folder, None)
            lock = hold(folder)
            if lock is not None:
                return self._served(folder, lock)
        raise SanctionGraphError(f"{self.graph}: the current build kept being replaced while the server opened it")

    def _served(self, folder: Path, lock: int | None) -> Served:
        return Served(folder.name, folder, (folder / VOID_FILE).read_bytes, lambda: self._engine(folder), lock)
