"""The build's worker processes: the steps of a job run over its items on every core.

A job is a number of items and its steps, each a function of an item's index and the step's argument that returns a
small value (pickled back) and bytes (sent as they are). The workers are forked once the job is set up, so they start
with everything the parent has read (the ontology, the registry) and keep what one step leaves for the next (the
sources each has read); worker k owns the items k, k + jobs, k + 2 jobs, ... for every step, so what a step leaves in a
worker is there for the next one. Each result names its item, so the parent can put them in order whatever the
workers' scheduling; with one job, the steps run in this process, in order, with the same results."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import pickle
import traceback
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.context import ForkProcess
from types import TracebackType
from typing import Any

Step = Callable[[int, Any], tuple[Any, bytes]]
_FAILED = -1  # the index of a result that is a worker's exception


class Workers:
    """Steps over count items, on jobs forked processes (or in this process for one job); a context manager that
    ends its processes on the way out."""

    def __init__(self, count: int, jobs: int, steps: Sequence[Step]) -> None:
        self.count = count
        self.jobs = max(1, min(jobs, count))
        self.steps = steps
        self.processes: list[tuple[ForkProcess, Connection]] = []

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            context = multiprocessing.get_context("fork")
            for number in range(self.jobs):
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, range(number, self.count, self.jobs), self.steps),
                                          daemon=True, name=f"sanctiongraph build worker {number + 1}")
                process.start()
                theirs.close()
                self.processes.append((process, ours))
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        for process, connection in self.processes:
            if error is not None:
                process.terminate()
            process.join()
            connection.close()
        self.processes.clear()

    def run(self, step: int, argument: Any = None) -> Iterator[tuple[int, Any, bytes]]:
        """The results of a step, (index, value, bytes) for every item, in the order they come. The workers start on
        it at once, while the caller does other work; in this process, it runs as the results are read."""
        if not self.processes:
            return ((index, *self.steps[step](index, argument)) for index in range(self.count))
        for _, connection in self.processes:
            connection.send(argument)
        return self._results()

    def _results(self) -> Iterator[tuple[int, Any, bytes]]:
        pending = {connection: len(range(number, self.count, self.jobs)) for number, (_, connection) in enumerate(self.processes)}
        pending = {connection: left for connection, left in pending.items() if left}
        while pending:
            for ready in multiprocessing.connection.wait(list(pending)):
                assert isinstance(ready, Connection)
                try:
                    index, value = ready.recv()
                    if index == _FAILED:
                        raise value
                    data = ready.recv_bytes()
                except EOFError:
                    process = next(process for process, connection in self.processes if connection is ready)
                    process.join(1)
                    raise RuntimeError(f"{process.name} ended before sending its results (exit code {process.exitcode})") from None
                pending[ready] -= 1
                if not pending[ready]:
                    del pending[ready]
                yield index, value, data


def _serve(connection: Connection, mine: range, steps: Sequence[Step]) -> None:
    """A worker: for each step, wait for its argument, then send the result of each of its items.

    It first closes every descriptor it was forked with but its pipe and the standard streams: those are the parent's,
    the build's lock among them, which a worker outliving a killed parent must not keep held (once its parent is gone,
    its next result finds the pipe closed, and it ends)."""
    os.closerange(3, connection.fileno())
    os.closerange(connection.fileno() + 1, os.sysconf("SC_OPEN_MAX"))
    try:
        for step in steps:
            argument = connection.recv()
            for index in mine:
                value, data = step(index, argument)
                connection.send((index, value))
                connection.send_bytes(data)
    except (KeyboardInterrupt, BrokenPipeError, EOFError):
        return  # the parent is being stopped (Ctrl-C reaches every process of the command) or is gone
    except BaseException as error:  # sent to the parent, which raises it
        try:
            pickle.dumps(error)
        except Exception:
            error = RuntimeError("".join(traceback.format_exception(error)))
        with contextlib.suppress(OSError):
            connection.send((_FAILED, error))
    finally:
        connection.close()
