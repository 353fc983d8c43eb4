"""Compact JSON-LD 1.1: a context of our prefixes, CURIEs, one node object per subject, plain strings for xsd:string
literals. Written by the exports (a line per node, sanctiongraph.builder.parts) and for CONSTRUCT results."""

from __future__ import annotations

import functools
import json
from typing import Any, Iterable, Iterator

import pyoxigraph as ox

from sanctiongraph.namespaces import PREFIXES, RDF, XSD

_RDF_TYPE = RDF + "type"
_XSD_STRING = XSD + "string"
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
OPENING = f'{{"@context": {json.dumps(dict(sorted(PREFIXES.items())), ensure_ascii=False)},\n "@graph": [\n'
CLOSING = "\n ]}\n"


@functools.lru_cache(maxsize=1 << 16)
def curie(value: str) -> str:
    """The IRI as prefix:local with the longest namespace that leaves a local part, else the IRI itself."""
    for prefix, namespace in _LONGEST_FIRST:
        if value.startswith(namespace):
            local = value[len(namespace):]
            if local and not local.startswith("//"):
                return f"{prefix}:{local}"
    return value


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Any:
    if isinstance(term, (ox.NamedNode, ox.BlankNode)):
        return {"@id": node_id(term)}
    assert isinstance(term, ox.Literal), f"RDF-star terms are not written: {term}"
    language = term.language
    if language:
        return {"@value": term.value, "@language": language}
    datatype = term.datatype.value
    if datatype == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": curie(datatype)}


def node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else curie(term.value)


def node_lines(quads: Iterable[ox.Quad]) -> Iterator[str]:
    """One node object per subject, a line each (json.dumps without indent runs in C), in the order the subjects come."""
    nodes: dict[str, dict[str, list[Any]]] = {}
    subject, node = "", {}
    for quad in quads:
        if quad.subject.value != subject:  # type: ignore[union-attr]  # no quoted triples in our graphs
            subject = quad.subject.value  # type: ignore[union-attr]
            node = nodes.setdefault(node_id(quad.subject), {})  # type: ignore[arg-type]
        predicate = quad.predicate.value
        if predicate == _RDF_TYPE:
            node.setdefault("@type", []).append(curie(quad.object.value))  # type: ignore[union-attr]
        else:
            node.setdefault(curie(predicate), []).append(_value(quad.object))
    return (f"   {_json({'@id': name, **properties})}" for name, properties in nodes.items())


def jsonld(quads: list[ox.Quad]) -> bytes:
    """The JSON-LD document of some quads in the default graph (a CONSTRUCT result)."""
    return (OPENING + ",\n".join(node_lines(quads)) + CLOSING).encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
