"""The network of actors: the entities of the registry, and the links between them, read from the store.

The link rule (README, "Network questions"):

- a **statement link**: a statement or claim of a source that names two entities, each in one of its roles (an
  object property of the ontology: a listing's `authority` and `listedEntity`, a claim's `claimant` and `audience`),
  links them; it runs from the entity in the earlier role of `roles.toml` to the other, and carries the statement,
  its class, the two roles and the source's graph (its evidence is looked up from the statement);
- a **registry link**: an object property the entity registry states between two entities (`sg:country`,
  `sg:inSector`, `sg:locatedIn`, ...); it has no evidence, and `evidence_only` leaves it out.

Filters: `sources` keeps the statement links of these sources; `start`/`end` keep the statement links whose
statement holds at some day of the window (its own times, else its source's publication). Registry links hold
regardless of source and time, so these two filters keep them; only `evidence_only` drops them.
"""

from __future__ import annotations

import difflib
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path

from sanctiongraph.errors import NetworkError, UsageError, shown
from sanctiongraph.namespaces import GRAPH, ID, SG
from sanctiongraph.query.library import Query, load_queries
from sanctiongraph.query.slots import BATCH, Row, fill
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


def _rank() -> dict[str, int]:
    with (HERE / "roles.toml").open("rb") as handle:
        return {SG + name: number for number, name in enumerate(tomllib.load(handle)["order"])}


class Links:
    """Reads the network from a store: its entities, and its links (all, or those at given entities) under filters."""

    def __init__(self, store: Readable, filters: Filters = Filters()) -> None:
        self.store, self.filters = store, filters
        self.queries = load_queries(HERE / "queries")
        self.rank = _rank()
        self.entities: dict[str, Entity] = {}
        for row in self._rows(self.queries["entities"]):
            entity = self.entities.setdefault(row["entity"], Entity(row["entity"]))
            if row["class"] not in entity.classes:
                entity.classes.append(row["class"])
            if "name" in row and row["name"] not in entity.names:
                entity.names.append(row["name"])
        self.graphs = {SOURCE_GRAPH + source for source in filters.sources}
        if self.graphs:
            known = {row["graph"] for row in self._rows(self.queries["sources"])}
            unknown = sorted(self.graphs - known)
            if unknown:
                names = ", ".join(sorted(g.removeprefix(SOURCE_GRAPH) for g in known))
                raise NetworkError(f"no source {shown(unknown[0].removeprefix(SOURCE_GRAPH))} in the graph; sources: {names or 'none'}")

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
        """The IRI of an entity given by its registry ID, its IRI, its label or an alias (in any case)."""
        iri = name if name.startswith(("http://", "https://")) else ID + name
        if iri in self.entities:
            return iri
        folded = name.casefold()
        named = sorted(e.iri for e in self.entities.values() if folded in (n.casefold() for n in e.names))
        if len(named) == 1:
            return named[0]
        if named:
            raise NetworkError(f"{shown(name)} names {len(named)} entities ({', '.join(i.removeprefix(ID) for i in named[:5])}); give an ID")
        ids = {e.iri.removeprefix(ID): e.iri for e in self.entities.values()}
        names = {n: e.iri for e in self.entities.values() for n in e.names}
        close = difflib.get_close_matches(name, [*ids, *names], n=5)
        suggested = list(dict.fromkeys(f"{(ids.get(c) or names[c]).removeprefix(ID)} ({self.label(ids.get(c) or names[c])})"
                                       for c in close))[:3]
        hint = f"; did you mean {', '.join(suggested)}?" if suggested else "; entity IDs are the keys of sources/entities.yaml"
        raise NetworkError(f"no entity {shown(name)} in the registry{hint}")

    def label(self, iri: str) -> str:
        entity = self.entities.get(iri)
        return entity.label if entity else iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]

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
        named: dict[str, dict[str, str]] = defaultdict(dict)  # statement -> entity -> its first role
        about: dict[str, tuple[str, str]] = {}  # statement -> (class, graph)
        for row in roles:
            statement, entity, role = row["statement"], row["entity"], row["role"]
            if self.graphs and row["graph"] not in self.graphs:
                continue
            cls, graph = about.get(statement, (row["class"], row["graph"]))
            about[statement] = (min(cls, row["class"]), graph)
            if entity not in named[statement] or self._order(role) < self._order(named[statement][entity]):
                named[statement][entity] = role
        kept = self._holding(sorted(about), whole=at is None) if self.filters.windowed else set(about)
        links = set()
        for statement in kept:
            ends = sorted(named[statement].items(), key=lambda pair: (self._order(pair[1]), pair[0]))
            cls, graph = about[statement]
            for (first, first_role), (second, second_role) in combinations(ends, 2):
                if at is None or first in at or second in at:
                    links.add(Link(first, second, cls, graph, statement, first_role, second_role))
        for row in registry:
            if row["subject"] != row["object"]:
                links.add(Link(row["subject"], row["object"], row["property"], REGISTRY))
        return sorted(links)

    def _order(self, role: str) -> tuple[int, str]:
        return self.rank.get(role, len(self.rank)), role

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
