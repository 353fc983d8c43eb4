"""What in a SPARQL text would make an engine fetch a URL (SERVICE, LOAD), as a SPARQL parser reads it.

The server answers no query or update that would fetch: it refuses them with a clear 400, and
its workers run sandboxed (sanctiongraph.server.sandbox), so a query that got past this check could
still fetch nothing. The check is rdflib's SPARQL 1.1 parser, not a reading of our own: a
text it cannot parse is refused when it might hold such a call. Parsing costs milliseconds, so
only texts in which the words could occur are parsed: after SPARQL's codepoint escapes
(\\uXXXX, \\UXXXXXXXX) are applied, no text without the letters of "service" or "load" can hold
either keyword. Where rdflib's reading departs from the grammar's, it is brought in line (comments end at a
carriage return too). A SERVICE to the server's own endpoint is run here, without the call: it is
removed, and the text that remains must parse without any SERVICE or LOAD."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sanctiongraph.errors import QueryError
from sanctiongraph.query.running import remote_calls

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_WORDS = re.compile(r"service|load")


class FetchRefused(QueryError):
    """A query or update would make the engine fetch a URL."""


def refuse_fetches(text: str, *, update: bool = False, own: frozenset[str] = frozenset()) -> str:
    """The text, without its SERVICE calls to one of the `own` endpoints; FetchRefused for any other SERVICE, any
    LOAD, or a text that may hold one and does not parse."""
    calls = _calls(text, update)
    if not calls:
        return text
    if any(keyword == "LOAD" for keyword, _ in calls):
        raise FetchRefused("LOAD: this server fetches no documents")
    elsewhere = [target for _, target in calls if target not in own]
    if elsewhere:
        shown = elsewhere[0] or "with a variable or prefixed name"
        raise FetchRefused(f"SERVICE {shown}: this server calls no other service; query that endpoint yourself")
    for call in reversed(remote_calls(text)):
        if call.keyword == "SERVICE" and call.target in own:
            text = text[: call.start] + text[call.end:]
    if _calls(text, update):
        raise FetchRefused("SERVICE: this server calls no other service; query that endpoint yourself")
    return text


def _calls(text: str, update: bool) -> list[tuple[str, str | None]]:
    """Each SERVICE and LOAD of the text: the keyword and the target IRI (None for a variable or a prefixed name)."""
    unescaped = _ESCAPE.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), text)
    if not _WORDS.search(unescaped.casefold()):
        return []
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate  # imported when needed: a second to load

    # SPARQL ends a comment at CR or LF, rdflib at LF only: outside comments a CR and an LF mean the same to the
    # grammar (whitespace, or a character of a long string), so the parser reads the text with LFs alone
    lines = text.replace("\r", "\n")
    try:
        tree = parseUpdate(lines) if update else parseQuery(lines)
    except RecursionError:
        raise FetchRefused("this text mentions SERVICE or LOAD and is nested too deeply to be checked") from None
    except Exception as error:  # noqa: BLE001 - pyparsing's exceptions, and rdflib's own for bad terms
        message = " ".join(str(error).split())[:200]
        raise FetchRefused(f"this text mentions SERVICE or LOAD and does not parse as SPARQL 1.1 here: {message}") from None
    calls = []
    for node in _nodes(tree):
        if node.name == "Load":
            calls.append(("LOAD", _iri(node["iri"])))
        elif node.name == "ServiceGraphPattern":
            calls.append(("SERVICE", _iri(node["term"])))
    return calls


def _nodes(tree: Any) -> Iterator[Any]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(tree, CompValue):
        yield tree
        for value in tree.values():
            yield from _nodes(value)
    elif isinstance(tree, (list, tuple, ParseResults)):
        for value in tree:
            yield from _nodes(value)


def _iri(term: Any) -> str | None:
    from rdflib import URIRef

    return str(term) if isinstance(term, URIRef) else None
