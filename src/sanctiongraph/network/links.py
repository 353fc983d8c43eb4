"""The network of actors: the entities of the registry, and the links between them, read from the store.

The link rule (README, "Network questions"):

- a **statement link**: a statement or claim of a source that names two entities in roles that relate (object
  properties of the ontology: a listing's `authority` and `listedEntity`, a claim's `claimant` and `audience`) links
  them. Roles relate unless both qualify the statement's principal entities (`qualifiers` of `roles.toml`: a
  characterisation's `birthCountry` and `criticOf` each relate to its `subject`, not to each other). A link runs from
  the entity in the earlier role of `roles.toml`'s `order` to the other, and carries the statement, its class, the two
  roles and the source's graph (its evidence is looked up from the statement);
- a **registry link**: an object property the entity registry states between two entities (`sg:country`,
  `sg:inSector`, `sg:locatedIn`, ...); it has no evidence, and `evidence_only` leaves it out.

Filters: `sources` keeps the statement links of these sources; `start`/`end` keep the statement links whose
statement holds at some day of the window (its own times, else its source's publication). Registry links hold
regardless of source and time, so these two filters keep them; only `evidence_only` drops them.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from itertools import combinations
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from sanctiongraph.errors import NetworkError, UsageError, shown
from sanctiongraph.identity import Names
from sanctiongraph.namespaces import GRAPH, ID, SG
from sanctiongraph.query.facts import load_facts
from sanctiongraph.query.library import Query, load_queries
from sanctiongraph.query.slots import BATCH, Row, fill

if TYPE_CHECKING:
    from sanctiongraph.query.store import Readable

HERE = Path(__file__).parent
REGISTRY = GRAPH + "registry"
SOURCE_GRAPH = GRAPH + "source/"


@dataclass(frozen=True, order=True)
class Link:
    """One link between two entities: by a statement (with the roles that name each end) or by the registry."""

    start: str
    end: str
    relation: str  # the statement's class, or the registry's property
    graph: str  # the source's named graph, or the registry's
    statement: str | None = None
    start_role: str | None = None
    end_role: str | None = None

    @property
    def registry(self) -> bool:
        return self.statement is None


_FIELDS = attrgetter(*(item.name for item in fields(Link)))


def in_order(links: Iterable[Link]) -> list[Link]:
    """The links in Link's own order (field by field), compared as tuples of their fields: the same order, without
    Link's generated comparisons (the 55,000 links of 10,000 sources, shuffled: 0.06 s against 0.20 s)."""
    return sorted(links, key=_FIELDS)


@dataclass(frozen=True)
class Filters:
    """Which links count: of these sources only (IDs), holding within a window (ISO days), with evidence only."""

    sources: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None
    evidence_only: bool = False

    def __post_init__(self) -> None:
        if self.start and self.end and self.start > self.end:
            raise UsageError(f"the window starts ({self.start}) after it ends ({self.end})")

    @property
    def windowed(self) -> bool:
        return self.start is not None or self.end is not None

    def describe(self) -> str:
        """The filters in words, for messages."""
        parts = [f"source {', '.join(self.sources)}"] if self.sources else []
        if self.windowed:
            parts.append(f"from {self.start or 'any day'} to {self.end or 'any day'}")
        if self.evidence_only:
            parts.append("links with evidence only")
        return "; ".join(parts) or "no filters"


def day(text: str | None, what: str) -> date | None:
    """A day of a window, given as YYYY-MM-DD."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} takes a day as YYYY-MM-DD, not {shown(text)}") from None


@dataclass
class Entity:
    """An entity of the registry as the network knows it: its classes and names (label first, then aliases)."""

    iri: str
    classes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.names[0] if self.names else self.iri.removeprefix(ID)

    @property
    def cls(self) -> str:
        return self.classes[0] if self.classes else SG + "Entity"


def solutions(store: Readable, text: str) -> Iterator[dict[str, str]]:
    """The rows of a SELECT query over the union of the store's graphs, each a dict of its bound values."""
    found = store.query(text, use_default_graph_as_union=True)
    variables = [variable.value for variable in found.variables]  # type: ignore[union-attr]
    for solution in found:  # type: ignore[union-attr]
        yield {v: term.value for v, term in zip(variables, solution) if term is not None}


@dataclass(frozen=True)
class Roles:
    """How statements' roles make links (roles.toml), as IRIs: their order; the qualifiers, each with the roles it
    relates to (none named: every principal role); the sanctioned roles."""

    rank: dict[str, int]
    qualifiers: dict[str, frozenset[str]]
    sanctioned: frozenset[str]

    @classmethod
    def load(cls) -> Roles:
        with (HERE / "roles.toml").open("rb") as handle:
            declared = tomllib.load(handle)
        unknown = sorted(set(declared["qualifies"]) - set(declared["qualifiers"]))
        if unknown:
            raise NetworkError(f"roles.toml: {unknown[0]} in [qualifies] is not one of the qualifiers")
        return cls({SG + name: number for number, name in enumerate(declared["order"])},
                   {SG + name: frozenset(SG + role for role in declared["qualifies"].get(name, [])) for name in declared["qualifiers"]},
                   frozenset(SG + name for name in declared["sanctioned"]))

    def order(self, role: str) -> tuple[int, str]:
        return self.rank.get(role, len(self.rank)), role

    def pairs(self, ends: list[tuple[str, str]]) -> list[tuple[tuple[str, str], tuple[str, str]]]:
        """The pairs of (entity, role) of one statement that relate, each in its direction (ends: in role order)."""
        principal = [end for end in ends if end[1] not in self.qualifiers] or [end for end in ends if end[1] == ends[0][1]]
        related = set(combinations(principal, 2))
        for qualifier in (end for end in ends if end not in principal):
            qualified = [end for end in ends if end[1] in self.qualifiers[qualifier[1]]] or principal
            related.update((a, b) if ends.index(a) < ends.index(b) else (b, a) for a, b in
                           ((qualifier, end) for end in qualified if end != qualifier))
        return sorted(related, key=lambda pair: (ends.index(pair[0]), ends.index(pair[1])))


def statement_links(rows: Iterable[dict[str, str]], roles: Roles) -> dict[str, list[Link]]:
    """The links of each statement named in the rows of statement-links.rq (statement, class, graph, role, entity):
    an entity named in several roles takes the first of them in roles.toml's order; the statement's class is the
    first of its classes by IRI."""
    named: dict[str, dict[str, str]] = defaultdict(dict)  # statement -> entity -> its first role
    about: dict[str, tuple[str, str]] = {}  # statement -> (class, graph)
    for row in rows:
        statement, entity, role = row["statement"], row["entity"], row["role"]
        cls, graph = about.get(statement, (row["class"], row["graph"]))
        about[statement] = (min(cls, row["class"]), graph)
        if entity not in named[statement] or roles.order(role) < roles.order(named[statement][entity]):
            named[statement][entity] = role
    found: dict[str, list[Link]] = {}
    for statement, (cls, graph) in about.items():
        ends = sorted(named[statement].items(), key=lambda pair: (roles.order(pair[1]), pair[0]))
        found[statement] = [Link(first, second, cls, graph, statement, first_role, second_role)
                            for (first, first_role), (second, second_role) in roles.pairs(ends)]
    return found


def registry_links(rows: Iterable[dict[str, str]]) -> list[Link]:
    """The links of the rows of registry-links.rq (subject, property, object), but from an entity to itself."""
    return [Link(row["subject"], row["object"], row["property"], REGISTRY) for row in rows if row["subject"] != row["object"]]


QUOTES = " … "  # between the quotes of one statement's evidence, wherever the network shows them


def evidence_text(quotes: Iterable[str], sentences: Iterable[str]) -> tuple[str, str]:
    """A statement's evidence as the network shows it (an edge's `evidence` and `sentence`, a hop's): its quotes
    joined by QUOTES, and the sentences they lie in, each once, in the order given."""
    return QUOTES.join(quotes), " ".join(dict.fromkeys(sentences))


@dataclass(frozen=True)
class Attestation:
    """Where a statement is stated and on what evidence, as a hop of `sanctiongraph path` shows it: the document of its
    source, the quotes of its evidence (in the order of their starts, joined by " … "), the sentences they lie in, and
    the source's address, if it has one (the `source`, `evidence`, `sentence` and `address` of its edges in the
    network's graph, sanctiongraph.network.graph)."""

    document: str
    evidence: str
    sentence: str
    address: str | None


def check_sources(wanted: set[str], known: set[str]) -> None:
    """A NetworkError when a source graph of the filter is not among the graph's sources."""
    unknown = sorted(wanted - known)
    if unknown:
        names = ", ".join(sorted(g.removeprefix(SOURCE_GRAPH) for g in known))
        raise NetworkError(f"no source {shown(unknown[0].removeprefix(SOURCE_GRAPH))} in the graph; sources: {names or 'none'}")


class Links:
    """Reads the network from a store: its entities, its links (all, or those at given entities) under filters, and
    how the statements that make them are attested."""

    def __init__(self, store: Readable, filters: Filters = Filters()) -> None:
        self.store, self.filters = store, filters
        self.queries = load_queries(HERE / "queries")
        self.roles = Roles.load()
        self.entities = self._entities()
        self.names = Names((iri.removeprefix(ID), name) for iri, entity in self.entities.items() for name in entity.names)
        self.graphs = {SOURCE_GRAPH + source for source in filters.sources}
        if self.graphs:
            check_sources(self.graphs, self._sources())

    def _entities(self) -> dict[str, Entity]:
        """The registry's entities by IRI, in order, with their classes and names (queries/entities.rq)."""
        entities: dict[str, Entity] = {}
        for row in self._rows(self.queries["entities"]):
            entity = entities.setdefault(row["entity"], Entity(row["entity"]))
            if row["class"] not in entity.classes:
                entity.classes.append(row["class"])
            if "name" in row and row["name"] not in entity.names:
                entity.names.append(row["name"])
        return entities

    def _sources(self) -> set[str]:
        """The named graph of every source."""
        return {row["graph"] for row in self._rows(self.queries["sources"])}

    def _rows(self, query: Query, text: str | None = None) -> Iterator[dict[str, str]]:
        return solutions(self.store, text or query.text)

    def _filled(self, name: str, slot: tuple[str, ...], rows: list[Row]) -> Iterator[dict[str, str]]:
        query = self.queries[name]
        for start in range(0, len(rows), BATCH):
            yield from self._rows(query, fill(query, {slot: rows[start:start + BATCH]}))

    def of_sources(self, name: str) -> Iterator[dict[str, str]]:
        """The rows of a query over the whole store, or, with a sources filter, over their graphs (its ?graph slot)."""
        return self._filled(name, ("graph",), [(g,) for g in sorted(self.graphs)]) if self.graphs else self._rows(self.queries[name])

    # --- names

    def resolve(self, name: str) -> str:
        """The IRI of an entity given by its IRI, or by its registry ID, a label or an alias as sanctiongraph.identity
        resolves them (case and punctuation aside), as every command does."""
        for iri in (name, ID + name):  # an IRI, or a registry ID
            if iri in self.entities:
                return iri
        try:
            return ID + self.names.identify(name)
        except ValueError as error:  # unknown, or ambiguous: its message says which and why
            raise NetworkError(str(error)) from None

    def label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.label if entity else iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    def attestations(self, statements: Iterable[str]) -> dict[str, Attestation]:
        """How each of these statements is attested, from the views' facts of the store (sanctiongraph.query.facts)."""
        facts = load_facts(self.store)
        wanted = sorted(set(statements))
        facts.cover(wanted)
        found = {}
        for statement in wanted:
            item = facts.provenance.get(statement)
            if item is not None:
                document = facts.documents.get(item.graph)
                found[statement] = Attestation(item.document, *evidence_text((e.quote for e in item.evidence),
                                                                             (s for e in item.evidence for s in e.sentences)),
                                               document.address if document and document.address else None)
        return found

    # --- links

    def all(self) -> list[Link]:
        """Every link of the network under the filters."""
        roles = self._rows(self.queries["statement-links"])
        registry = self._rows(self.queries["registry-links"]) if not self.filters.evidence_only else iter(())
        return self._links(roles, registry, None)

    def at(self, entities: Iterable[str]) -> list[Link]:
        """The links with an end at one of these entities, under the filters."""
        entities = sorted(set(entities))
        statements = {row["statement"] for row in self._filled("statements-at", ("entity",), [(e,) for e in entities])}
        roles = self._filled("statement-links", ("statement",), [(s,) for s in sorted(statements)])
        registry: Iterable[dict[str, str]] = ()
        if not self.filters.evidence_only:
            rows: list[Row] = [(e, None) for e in entities] + [(None, e) for e in entities]
            registry = self._filled("registry-links", ("subject", "object"), rows)
        return self._links(roles, registry, set(entities))

    def _links(self, roles: Iterable[dict[str, str]], registry: Iterable[dict[str, str]], at: set[str] | None) -> list[Link]:
        by_statement = statement_links((row for row in roles if not self.graphs or row["graph"] in self.graphs), self.roles)
        kept = self._holding(sorted(by_statement), whole=at is None) if self.filters.windowed else set(by_statement)
        links = {link for statement in kept for link in by_statement[statement]
                 if at is None or link.start in at or link.end in at}
        links.update(registry_links(registry))
        return in_order(links)

    def _holding(self, statements: list[str], *, whole: bool) -> set[str]:
        """The statements that hold at some day of the window (`whole`: of all statements, read in one query)."""
        start, end = str(self.filters.start or date.min), str(self.filters.end or date.max)
        spans = self.queries["spans"]
        rows = self._rows(spans) if whole else self._filled("spans", ("statement",), [(s,) for s in statements])
        held = set()
        for row in rows:
            first, last = row.get("earliest", str(date.min)), row.get("latest", str(date.max))
            if first <= end and last >= start:
                held.add(row["statement"])
        return held & set(statements)
