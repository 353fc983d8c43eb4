"""The library of named SPARQL queries: one .rq file each, with its title, description and parameters in its header.

A header line `# param: NAME | TYPE | DEFAULT | EXAMPLE | DESCRIPTION` declares a parameter:
the variable ?NAME of the query, bound to a value of TYPE (iri, string, integer, decimal,
date, boolean) at execution, never pasted into the text. DEFAULT `-` marks it required."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.errors import QueryError, UsageError, shown
from sanctiongraph.namespaces import ID, PREFIXES, XSD
from sanctiongraph.suggestions import did_you_mean

_HEADER = re.compile(r"^#\s*(title|description|param):\s*(.+)$")
PARAMETER_TYPES = ("iri", "string", "integer", "decimal", "date", "boolean")
ENTITY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")  # the form of a registry ID
EntityLookup = Callable[[str], str]  # a bare name to the registry ID it stands for; ValueError when none
_IRI = re.compile(r"^[a-z][a-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", re.IGNORECASE)


ANY = "*"  # the DEFAULT of a parameter that may be left out (or given empty): the query then runs for any value


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None
    example: str
    description: str

    @property
    def optional(self) -> bool:
        return self.default == ANY

    def term(self, value: str, entity: EntityLookup | None = None) -> ox.NamedNode | ox.Literal:
        """The RDF term a textual value stands for; a UsageError names the parameter when it does not fit.
        `entity` gives the registry ID a bare name (an ID, a label, an alias) stands for."""
        try:
            return _term(self.type, value, entity)
        except ValueError as error:
            raise UsageError(f"parameter {self.name}: {error}") from None


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    text: str

    def bindings(self, values: dict[str, str], entity: EntityLookup | None = None) -> dict[str, ox.NamedNode | ox.Literal]:
        """The terms to bind: the given values, else the defaults, and nothing for an optional parameter left out or
        given empty; unknown or missing parameters are usage errors.
        With `entity`, an iri parameter given a bare name binds the entity that name stands for (see expand_iri)."""
        declared = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            allowed = ", ".join(declared) or "none"
            raise UsageError(f"query {self.name} has no parameter {shown(unknown[0])}; its parameters: {allowed}")
        bound = {}
        for name, parameter in declared.items():
            value = values.get(name, parameter.default)
            if parameter.optional and value in (ANY, ""):
                continue
            if value is None:
                raise UsageError(
                    f"query {self.name} needs --param {name}=... ({parameter.type}: {parameter.description}; "
                    f"for example {parameter.example})"
                )
            bound[name] = parameter.term(value, entity)
        return bound


def parse_query(text: str, name: str) -> Query:
    header: dict[str, str] = {}
    parameters = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = _HEADER.match(line)
        if match and match.group(1) == "param":
            parameters.append(_parameter(match.group(2), name))
        elif match:
            header[match.group(1)] = match.group(2).strip()
    return Query(name, header.get("title", name), header.get("description", ""), tuple(parameters), text)


def load_query(path: Path) -> Query:
    query = parse_query(path.read_text(encoding="utf-8"), path.stem)
    if not query.description:
        raise QueryError(f"{path}: a query file must open with '# title:' and '# description:' lines")
    return query


def load_queries(*folders: Path) -> dict[str, Query]:
    """The queries of one or more folders (the packaged library, then a project's own), by name."""
    return {name: load_query(path) for name, path in query_files(folders).items()}


def query_files(folders: Sequence[Path]) -> dict[str, Path]:
    """The .rq files of the folders by name, sorted; a name in two folders is an error, unless both files are the same."""
    found: dict[str, Path] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.rq")):
            first = found.setdefault(path.stem, path)
            if first != path and first.read_bytes() != path.read_bytes():
                raise QueryError(f"{path}: the query name {path.stem!r} is taken by {first}; rename one of them")
    return dict(sorted(found.items()))


def find_query(folders: Sequence[Path], name: str) -> Query:
    """A named query of the library; an unknown name suggests the closest names."""
    files = query_files(folders)
    if name in files:
        return load_query(files[name])
    hint = did_you_mean(name, files) or "; `sanctiongraph queries` lists them"
    raise UsageError(f"no query named {shown(name)}{hint}")


def _parameter(spec: str, query: str) -> Parameter:
    parts = [part.strip() for part in spec.split("|")]
    if len(parts) != 5 or parts[1] not in PARAMETER_TYPES:
        raise QueryError(
            f"query {query}: malformed parameter line {shown(spec)}; write "
            f"'# param: NAME | TYPE | DEFAULT | EXAMPLE | DESCRIPTION' with TYPE one of {', '.join(PARAMETER_TYPES)}"
        )
    name, type_, default, example, description = parts
    return Parameter(name, type_, None if default == "-" else default, example, description)


def _term(type_: str, value: str, entity: EntityLookup | None) -> ox.NamedNode | ox.Literal:
    if type_ == "iri":
        return ox.NamedNode(expand_iri(value, entity))
    if type_ == "string":
        return ox.Literal(value)
    if type_ == "integer":
        if not re.fullmatch(r"[+-]?\d+", value.strip()):
            raise ValueError(f"{shown(value)} is not a whole number")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
    if type_ == "decimal":
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{shown(value)} is not a number") from None
        if not number.is_finite():
            raise ValueError(f"{shown(value)} is not a finite number")
        return ox.Literal(format(number, "f"), datatype=ox.NamedNode(XSD + "decimal"))
    if type_ == "date":
        try:
            return ox.Literal(dt.date.fromisoformat(value.strip()).isoformat(), datatype=ox.NamedNode(XSD + "date"))
        except ValueError:
            raise ValueError(f"{shown(value)} is not a date YYYY-MM-DD") from None
    if value.strip().lower() not in ("true", "false"):
        raise ValueError(f"{shown(value)} is not true or false")
    return ox.Literal(value.strip().lower(), datatype=ox.NamedNode(XSD + "boolean"))


def expand_iri(value: str, entity: EntityLookup | None = None) -> str:
    """A full IRI from an IRI, <IRI>, a prefixed name of ours (commodity:coal) or a bare name of an entity: its
    ID (mechel), or with `entity` also a label or an alias of it (Kuzbass), resolved by `entity`."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    prefix, colon, local = text.partition(":")
    if local and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    elif not colon and entity is not None and text and not text.startswith("<"):
        text = ID + entity(text)
    elif not local and ENTITY_ID.fullmatch(text):
        text = ID + text
    if not _IRI.match(text):
        raise ValueError(f"{shown(value)} is not an IRI, a prefixed name such as id:mechel, or an entity ID such as mechel")
    return text
