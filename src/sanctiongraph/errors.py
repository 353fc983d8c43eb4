"""The exceptions sanctiongraph raises: one family, each a one-line message that says where and why."""

from __future__ import annotations


class SanctionGraphError(Exception):
    """Root of every error sanctiongraph reports to its users."""


class SourceError(SanctionGraphError):
    """An annotated source or the entity registry is malformed or inconsistent."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


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


class ResultTooLarge(QueryError):
    """A query's result is over the size limit it was run with."""


class ViewError(SanctionGraphError):
    """A view cannot be drawn: an unknown entity or source, a query that is not a CONSTRUCT, or too many nodes."""


class ViewTooLarge(ViewError):
    """A view has more nodes than it may draw."""
