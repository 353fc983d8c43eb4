"""The exceptions sanctiongraph raises: one family, each a one-line message that says where and why."""

from __future__ import annotations

import reprlib
from types import TracebackType
from typing import Any

SHOWN_LENGTH = 80  # characters of a value an error message quotes
MAX_ERRORS = 50  # errors of the sources one build reports


class _Short(reprlib.Repr):
    """reprlib's bounded repr, which also bounds the mappings load_yaml returns (a dict subclass)."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = SHOWN_LENGTH
        self.maxlevel, self.maxlist, self.maxdict = 2, 4, 4

    def repr1(self, x: Any, level: int) -> str:
        if isinstance(x, dict) and type(x) is not dict:
            return self.repr_dict(x, level)
        return super().repr1(x, level)


def shown(value: Any) -> str:
    """A value as an error message quotes it: its repr, cut to about SHOWN_LENGTH characters whatever its size."""
    return clipped(_Short().repr(value))


def clipped(text: str, limit: int = SHOWN_LENGTH) -> str:
    """Text for a message, cut to at most limit characters."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SanctionGraphError(Exception):
    """Root of every error sanctiongraph reports to its users."""


def reported(error: SanctionGraphError) -> str:
    """An error as the command prints it on stderr."""
    return f"sanctiongraph: error: {error}"


class SourceError(SanctionGraphError):
    """An annotated source or the entity registry is malformed or inconsistent."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str]]:  # sent back by the build's worker processes
        return type(self), (self.where, self.message)


class SourceErrors(SanctionGraphError):
    """Several errors of the sources, found in one build: a line saying how many, then one located line each."""

    def __init__(self, errors: list[SourceError], count: int) -> None:
        shown_ = f" (the first {len(errors)})" if count > len(errors) else ""
        super().__init__(f"{count} errors in the sources{shown_}:\n" + "\n".join(str(e) for e in errors))
        self.errors = errors
        self.count = count

    def __reduce__(self) -> tuple[type[SourceErrors], tuple[list[SourceError], int]]:
        return type(self), (self.errors, self.count)


class Problems:
    """The errors of the sources that one build finds, collected so that it reports them all (the first `limit`,
    and how many there are), each where it was found; a build raises them once it has read everything it can."""

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.errors: list[SourceError] = []
        self.count = 0
        self.limit = limit

    def collected(self) -> Problems:
        """For a `with` block: a SourceError (or SourceErrors) it raises is collected, and the work goes on after
        the block. (A class-based context manager: it wraps every field of every statement.)"""
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> bool:
        if isinstance(error, SourceErrors):
            for one in error.errors:
                self.add(one)
            self.count += error.count - len(error.errors)
            return True
        if isinstance(error, SourceError):
            self.add(error)
            return True
        return False

    def add(self, error: SourceError) -> None:
        if any(str(known) == str(error) for known in self.errors):
            return
        self.count += 1
        if len(self.errors) < self.limit:
            self.errors.append(error)

    def add_all(self, other: Problems) -> None:
        """Add what another collection found (a worker process's, for one source), as if found here."""
        for error in other.errors:
            self.add(error)
        self.count += other.count - len(other.errors)

    def raise_any(self) -> None:
        """Raise what was collected: the one error as it is, several as SourceErrors."""
        if self.count == 1:
            raise self.errors[0]
        if self.count:
            raise SourceErrors(self.errors, self.count)


class CheckError(SanctionGraphError):
    """The built graph violates one or more of the ontology's checks."""

    def __init__(self, violations: list[str]) -> None:
        count = len(violations)
        super().__init__(f"{count} check violation{'s' if count != 1 else ''}:\n" + "\n".join(violations))
        self.violations = violations


class UsageError(SanctionGraphError):
    """A command or a call was given arguments it cannot use (exit status 2)."""


class QueryError(SanctionGraphError):
    """A query could not be run: a syntax error, a failing endpoint, a malformed query file."""


class QueryTimeout(QueryError):
    """A query ran past its time limit."""


class EndpointUnavailable(SanctionGraphError):
    """A SPARQL endpoint did not answer a query: unreachable, failing (5xx), sending what is not an answer, or
    (`timed_out`) out of time."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class ResultTooLarge(QueryError):
    """A query's result is over the size limit it was run with."""


class ViewError(SanctionGraphError):
    """A view cannot be drawn: an unknown entity or source, a query that is not a CONSTRUCT, or too many nodes."""


class ViewTooLarge(ViewError):
    """A view has more nodes than it may draw."""


class OutputError(SanctionGraphError):
    """An output could not be written: a read-only or full disk, a folder that is a file."""


class NetworkError(SanctionGraphError):
    """A network question cannot be answered as asked: an unknown entity or source, a filter that selects nothing."""


class StoreError(SanctionGraphError):
    """A remote store could not be published to: unreachable, refusing, or answering what we cannot read."""
