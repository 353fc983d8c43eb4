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


def _compact(text: str, start: int, end: int) -> str:
    """The IRI text[start:end] as prefix:local with the longest namespace that leaves a local part, else the IRI."""
    found = _NAMESPACES.match(text, start, end)
    return text[start:end] if found is None else f"{_PREFIX_OF[found.group(1)]}:{text[found.end(1):end]}"


@functools.lru_cache(maxsize=1 << 16)
def curie(value: str) -> str:
    """The IRI as prefix:local with the longest namespace that leaves a local part, else the IRI itself."""
    return _compact(value, 0, len(value))


# The JSON text of the terms met, keyed by their N-Triples form: plain dictionaries looked up in node_lines' loop (a call
# through an lru_cache costs about what making the text does), each emptied when it holds _CACHE_SIZE entries.
_CACHE_SIZE = 1 << 16
_TYPE = ', "@type": ['
_LITERAL_TYPE = f', "{curie(_RDF_TYPE)}": ['  # rdf:type's key for a literal, which "@type" cannot hold
_KEYS: dict[str, str] = {}  # a predicate: the text that opens its values in a node, _TYPE for rdf:type
_NAMES: dict[str, str] = {}  # an IRI (its CURIE) or a blank node: a JSON string
_AROUND: dict[str, tuple[str, str]] = {}  # a literal's language tag or datatype: the text before and after its value


def _name(term: str) -> str:
    text = _NAMES.get(term)
    if text is None:
        if len(_NAMES) >= _CACHE_SIZE:
            _NAMES.clear()
        if term.startswith("<") and term.endswith(">"):
            text = f'"{_compact(term, 1, len(term) - 1)}"'
        elif term.startswith("_:"):
            text = _json(term)
        else:
            raise ValueError(f"not an IRI or a blank node: {term[:200]}")
        _NAMES[term] = text
    return text


def _key(predicate: str) -> str:
    if len(_KEYS) >= _CACHE_SIZE:
        _KEYS.clear()
    if not predicate.startswith("<"):
        raise ValueError(f"not an IRI: {predicate[:200]}")
    key = _KEYS[predicate] = _TYPE if predicate == f"<{_RDF_TYPE}>" else f", {_name(predicate)}: ["
    return key


def _around(marker: str) -> tuple[str, str]:
    """The text before and after a literal's JSON string, from its language tag or datatype (if any) in N-Triples."""
    if len(_AROUND) >= _CACHE_SIZE:
        _AROUND.clear()
    if not marker:
        around = "", ""
    elif marker[0] == "@":
        around = '{"@value": ', f', "@language": {_json(marker[1:])}}}'
    elif marker.startswith("^^<"):
        around = '{"@value": ', f', "@type": {_name(marker[2:])}}}'
    else:
        raise ValueError(f"not a language tag or a datatype: {marker[:200]}")
    _AROUND[marker] = around
    return around


def _unescaped(quoted: str) -> str:
    """The JSON string of a literal's N-Triples form that holds a \\u escape (of a control character, which json.dumps
    writes otherwise: lower-case, DEL unescaped). Without one, the N-Triples form is the JSON string: its escapes are
    JSON's."""
    return _json(json.loads(quoted))


def node_lines(lines: Iterable[str]) -> list[str]:
    """One node object per subject, a line each, in the order the subjects first come, from quads or triples as
    Oxigraph writes them (str(quad)): each value is JSON text made once per term (a CURIE) or taken from the N-Triples
    form (a literal's value), and a node is the text json.dumps writes for it, without a dictionary per node.

    A line is cut at its first two spaces (an IRI or a blank node has none) and a literal at its last quote (what
    follows it, a language tag, a datatype or a graph name, has none)."""
    nodes: dict[str, dict[str, list[str]]] = {}
    subject: str | None = None
    node: dict[str, list[str]] = {}
    keys, names, around = _KEYS, _NAMES, _AROUND
    line = ""
    try:
        for line in lines:
            node_subject, predicate, rest = line.split(" ", 2)
            if node_subject != subject:
                subject = node_subject
                node = nodes.setdefault(subject, {})
            try:
                key = keys[predicate]
            except KeyError:
                key = _key(predicate)
            if rest[0] == '"':
                lexical, _, tail = rest.rpartition('"')
                marker = tail.partition(" ")[0]  # a graph name follows it in a quad
                try:
                    opening, closing = around[marker]
                except KeyError:
                    opening, closing = _around(marker)
                value = opening + (lexical + '"' if "\\u" not in lexical else _unescaped(lexical + '"')) + closing
                if key is _TYPE:  # "@type" holds IRIs only
                    key = _LITERAL_TYPE
            else:
                term = rest.partition(" ")[0]
                value = names.get(term) or _name(term)
                if key is not _TYPE:
                    value = '{"@id": ' + value + "}"
            if key in node:
                node[key].append(value)
            else:
                node[key] = [key + value]  # the key's text before its first value: a node's line is two joins
    except (ValueError, IndexError) as error:
        raise ValueError(f"not a quad or triple as Oxigraph writes it ({error}): {line[:200]}") from None
    return ['   {"@id": ' + (names.get(name) or _name(name)) + "]".join([", ".join(values) for values in properties.values()])
            + "]}" for name, properties in nodes.items()]


def jsonld(quads: list[ox.Quad]) -> bytes:
    """The JSON-LD document of some quads in the default graph (a CONSTRUCT result)."""
    return (OPENING + ",\n".join(node_lines(str(quad) for quad in quads)) + CLOSING).encode("utf-8")


_json: Callable[[Any], str] = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps(value, ensure_ascii=False), made once
