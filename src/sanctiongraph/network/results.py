"""The network's answers as query results (rows of RDF terms), so that the writers of `sanctiongraph query`
(query/results.py: a table with labels, CSV, TSV, JSON, XML) write them."""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from sanctiongraph.namespaces import XSD
from sanctiongraph.query.running import Result, Term

Value = str | int | float | bool | ox.NamedNode | None


def term(value: Value) -> Term | None:
    """A value as a term: an IRI as given, a str, int, float or bool as a typed literal, None unbound."""
    if value is None or isinstance(value, ox.NamedNode):
        return value
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(round(value, 6)), datatype=ox.NamedNode(XSD + "double"))
    return ox.Literal(value)


def result(variables: list[str], rows: Sequence[Sequence[Value]]) -> Result:
    """A SELECT result of these columns and rows."""
    return Result("select", variables, [tuple(term(value) for value in row) for row in rows])
