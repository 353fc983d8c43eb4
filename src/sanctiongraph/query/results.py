"""Writing query results for people (an aligned table with labels) and for programs (SPARQL results, RDF)."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from sanctiongraph.builder.jsonld import curie, jsonld
from sanctiongraph.errors import UsageError, shown
from sanctiongraph.namespaces import PREFIXES
from sanctiongraph.query.running import Result, Term

ROW_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "turtle", "ntriples", "jsonld", "rdfxml")
_RESULTS = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML}
CELL_LIMIT = 100  # characters of a table cell; the other formats give values whole
Labeller = Callable[[list[str]], dict[str, str]]


def render(result: Result, fmt: str, labels: Labeller | None = None) -> bytes:
    """Serialise a result in a format; `labels` maps IRIs to labels for the table."""
    allowed = GRAPH_FORMATS if result.kind == "graph" else ROW_FORMATS
    if fmt not in allowed:
        raise UsageError(f"format {shown(fmt)} does not fit a {result.kind} result; use one of {', '.join(allowed)}")
    if result.kind == "graph":
        return _graph(result, fmt, labels)
    if fmt == "table":
        if result.kind == "ask":
            return b"yes\n" if result.boolean else b"no\n"
        return _table(result.variables, result.rows, labels).encode("utf-8")
    document = sparql_json(result)
    if fmt == "json":
        return document
    return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON).serialize(format=_RESULTS[fmt])  # type: ignore[return-value]  # bytes when no output file is given


def sparql_json(result: Result) -> bytes:
    """The SPARQL 1.1 Query Results JSON document of a SELECT or ASK result."""
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(result.boolean)}).encode()
    bindings = [
        {name: _json_term(term) for name, term in zip(result.variables, row) if term is not None} for row in result.rows
    ]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    encoded = {"type": "literal", "value": term.value}
    if term.language:
        encoded["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        encoded["datatype"] = term.datatype.value
    return encoded


def _graph(result: Result, fmt: str, labels: Labeller | None) -> bytes:
    if fmt == "table":
        rows = [(t.subject, t.predicate, t.object) for t in result.triples]
        return _table(["subject", "predicate", "object"], rows, labels).encode("utf-8")  # type: ignore[arg-type]
    if fmt == "jsonld":
        return jsonld([ox.Quad(t.subject, t.predicate, t.object) for t in result.triples])
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "rdfxml": ox.RdfFormat.RDF_XML}[fmt]
    return ox.serialize(result.triples, format=rdf_format, prefixes=PREFIXES if fmt != "ntriples" else None)  # type: ignore[return-value]  # bytes when no output file is given


def _table(variables: list[str], rows: Sequence[Sequence[Term | None]], labels: Labeller | None) -> str:
    iris = sorted({t.value for row in rows for t in row if isinstance(t, ox.NamedNode)})
    names = labels(iris) if labels and iris else {}

    def show(term: Term | None) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return names.get(term.value) or curie(term.value)
        return " ".join(term.value.split())

    def clip(text: str) -> str:
        return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"

    cells = [[clip(show(t)) for t in row] for row in rows]
    widths = [max([_width(v)] + [_width(r[i]) for r in cells]) for i, v in enumerate(variables)]
    lines = ["  ".join(_pad(v, w) for v, w in zip(variables, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
