"""Nodes bound into a query: a `VALUES` block of UNDEF in a view or lookup query is a slot for rows of IRIs.

As written, a slot binds nothing and the query runs over the whole store in any SPARQL client; filled, it makes
Oxigraph look the given nodes up instead. IRIs enter the text only as terms serialised by Oxigraph. Rows go in
batches of at most BATCH: with a thousand rows or more Oxigraph 0.5 plans some of these queries as if nothing were
bound (seconds instead of milliseconds on a million quads); with a few hundred it does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyoxigraph as ox

from sanctiongraph.errors import QueryError
from sanctiongraph.query.library import Query
from sanctiongraph.query.running import values_block

BATCH = 500
Row = tuple[str | None, ...]  # an IRI per variable of the slot; None leaves it UNDEF

_SLOT = re.compile(r"VALUES\s+(?:\?(\w+)|\(((?:\s*\?\w+)+)\s*\))\s*\{\s*(?:UNDEF|\((?:\s*UNDEF)+\s*\))\s*\}")


def slots(query: Query) -> list[tuple[str, ...]]:
    """The variables of each slot of the query, in the order they appear."""
    return [(match.group(1),) if match.group(1) else tuple(match.group(2).replace("?", " ").split())
            for match in _SLOT.finditer(query.text)]


def fill(query: Query, rows: Mapping[tuple[str, ...], Sequence[Row]]) -> str:
    """The query's text with the slots of the given variables holding the given rows (none: the slot matches nothing)."""
    missing = sorted(" ".join(variables) for variables in set(rows) - set(slots(query)))
    if missing:
        raise QueryError(f"{query.name}: no VALUES slot of UNDEF for ?{missing[0]}")

    def filled(match: re.Match[str]) -> str:
        variables = (match.group(1),) if match.group(1) else tuple(match.group(2).replace("?", " ").split())
        if variables not in rows:
            return match.group(0)
        return values_block(variables, [[None if iri is None else ox.NamedNode(iri) for iri in row] for row in rows[variables]])

    return _SLOT.sub(filled, query.text)


def batches(iris: Iterable[str]) -> Iterator[list[str]]:
    """The IRIs, sorted, in lists of at most BATCH."""
    ordered = sorted(iris)
    for start in range(0, len(ordered), BATCH):
        yield ordered[start:start + BATCH]
