"""Compact JSON-LD 1.1: a context of our prefixes, CURIEs, one node object per subject, plain strings for xsd:string
literals. Written by the exports (a line per node, sanctiongraph.builder.parts) and for CONSTRUCT results."""

from __future__ import annotations

import functools
import json
import re
from typing import Any, Callable, Iterable

import pyoxigraph as ox

from sanctiongraph.namespaces import PREFIXES, RDF

_RDF_TYPE = RDF + "type"
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
OPENING = f'{{"@context": {json.dumps(dict(sorted(PREFIXES.items())), ensure_ascii=False)},\n "@graph": [\n'
CLOSING = "\n ]}\n"


# The namespaces, longest first, each followed by a local part that does not start with "//": the first that matches
# is the longest that leaves a local part (the regular expression tries the next when one is not followed by one).
_NAMESPACES = re.compile("(" + "|".join(re.escape(namespace) for _, namespace in _LONGEST_FIRST) + ")(?!//).", re.DOTALL)
_PREFIX_OF = {namespace: prefix for prefix, namespace in reversed(_LONGEST_FIRST)}


@functools.lru_cache(maxsize=1 << 16)
def curie(value: str) -> str:
    """The IRI as prefix:local with the longest namespace that leaves a local part, else the IRI itself."""
    found = _NAMESPACES.match(value)
    return value if found is None else f"{_PREFIX_OF[found.group(1)]}:{value[found.end(1):]}"


# A quad or a triple as Oxigraph writes it (str(quad)): subject, predicate, then an IRI, a blank node or a literal with
# its language or datatype; what follows the object (a graph name) is not read.
_TERMS = re.compile(r'(<[^>]*>|_:\S+) <([^>]*)> (?:<([^>]*)>|(_:\S+)|("(?:[^"\\]++|\\.)*+")(?:@(\S+)|\^\^<([^>]*)>)?)')


@functools.lru_cache(maxsize=1 << 16)
def _quoted(value: str) -> str:
    """An IRI as a JSON string of its CURIE."""
    return _json(curie(value))


@functools.lru_cache(maxsize=1 << 16)
def _reference(value: str) -> str:
    return f'{{"@id": {_quoted(value)}}}'


def _string(quoted: str) -> str:
    """The JSON string of a literal's value, from its N-Triples form: the same text, whose escapes are JSON's, but for
    the \\u escapes of control characters, which json.dumps writes otherwise (lower-case, DEL unescaped)."""
    return quoted if "\\u" not in quoted else _json(json.loads(quoted))


def node_lines(lines: Iterable[str]) -> list[str]:
    """One node object per subject, a line each, in the order the subjects first come, from quads or triples as
    Oxigraph writes them (str(quad)): each value is JSON text made once per term (a CURIE) or taken from the N-Triples
    form (a literal's value), and a node is the text json.dumps writes for it, without a dictionary per node."""
    nodes: dict[str, dict[str, list[str]]] = {}
    subject, node = "", {}
    match = _TERMS.match
    for line in lines:
        found = match(line)
        if found is None:
            raise ValueError(f"not a quad or triple of IRIs, blank nodes and literals: {line[:200]}")
        node_subject, predicate, iri, blank, lexical, language, datatype = found.groups()
        if node_subject != subject:
            subject = node_subject
            node = nodes.setdefault(subject, {})
        if predicate == _RDF_TYPE:
            key, value = '"@type"', _quoted(iri) if iri is not None else _json(blank)
        else:
            key = _quoted(predicate)
            if iri is not None:
                value = _reference(iri)
            elif blank is not None:
                value = f'{{"@id": {_json(blank)}}}'
            elif language is not None:
                value = f'{{"@value": {_string(lexical)}, "@language": {_json(language)}}}'
            elif datatype is not None:
                value = f'{{"@value": {_string(lexical)}, "@type": {_quoted(datatype)}}}'
            else:
                value = _string(lexical)
        values = node.get(key)
        if values is None:
            node[key] = [value]
        else:
            values.append(value)
    return [f'   {{"@id": {_quoted(name[1:-1]) if name[0] == "<" else _json(name)}'
            + "".join(f", {key}: [{', '.join(values)}]" for key, values in properties.items()) + "}"
            for name, properties in nodes.items()]


def jsonld(quads: list[ox.Quad]) -> bytes:
    """The JSON-LD document of some quads in the default graph (a CONSTRUCT result)."""
    return (OPENING + ",\n".join(node_lines(str(quad) for quad in quads)) + CLOSING).encode("utf-8")


_json: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False), made once
