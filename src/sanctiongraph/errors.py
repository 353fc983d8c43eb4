"""The exceptions sanctiongraph raises: one family, each a one-line message that says where and why."""

from __future__ import annotations

import reprlib
from typing import Any

SHOWN_LENGTH = 80  # characters of a value an error message quotes


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


class OutputError(SanctionGraphError):
    """An output could not be written: a read-only or full disk, a folder that is a file."""


class NetworkError(SanctionGraphError):
    """A network question cannot be answered as asked: an unknown entity or source, a filter that selects nothing."""


class StoreError(SanctionGraphError):
    """A remote store could not be published to: unreachable, refusing, or answering what we cannot read."""
