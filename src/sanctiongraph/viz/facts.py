"""What a view needs to know about the nodes it draws: names, classes and provenance, read once from the store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.queries import load_queries

LOOKUPS = Path(__file__).parent / "lookups"


@dataclass(frozen=True)
class Time:
    """A time as the graph gives it: the property that points at it, its words as written, its earliest and latest day."""

    property: str
    as_written: str | None
    earliest: str
    latest: str


@dataclass(frozen=True)
class Evidence:
    quote: str
    sentences: tuple[str, ...]


@dataclass
class Item:
    """A statement or a claim: where it is stated, to whom it is attributed, what supports it and when it holds.

    `roles` holds a claim's agents by role (claimant, audience, modality, reporter in chain order).
    """

    iri: str
    graph: str
    attributed_to: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    times: list[Time] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class Source:
    """The document behind a source's named graph."""

    graph: str
    document: str
    title: str
    publisher: str | None
    address: str | None
    published: tuple[str, str] | None


@dataclass
class Facts:
    labels: dict[str, str]
    aliases: dict[str, list[str]]
    classes: dict[str, list[str]]
    declared_in: dict[str, list[str]]
    parents: dict[str, list[str]]
    items: dict[str, Item]
    sources: dict[str, Source]

    def label(self, iri: str) -> str:
        """The node's label; failing that, the last segment of its IRI in words, never the bare IRI."""
        if iri in self.labels:
            return self.labels[iri]
        local = iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        words = "".join(f" {c.lower()}" if c.isupper() else c for c in local).replace("-", " ").replace("_", " ")
        return " ".join(words.split()) or iri

    def ancestry(self, cls: str) -> list[str]:
        """The class and its superclasses, nearest first."""
        order, queue = [], [cls]
        while queue:
            current = queue.pop(0)
            if current not in order:
                order.append(current)
                queue.extend(sorted(self.parents.get(current, [])))
        return order

    def cls(self, iri: str) -> str | None:
        """The node's most specific ontology class (the one with the longest ancestry), if it has one."""
        classes = self.classes.get(iri)
        return max(sorted(classes), key=lambda c: len(self.ancestry(c))) if classes else None


def load_facts(store: ox.Store) -> Facts:
    """Run this package's lookup queries over the whole store."""
    queries = load_queries(LOOKUPS)

    def rows(name: str) -> list[dict[str, str | None]]:
        solutions = store.query(queries[name].text, use_default_graph_as_union=True)
        variables = [variable.value for variable in solutions.variables]  # type: ignore[union-attr]
        return [{v: None if row[v] is None else row[v].value for v in variables} for row in solutions]  # type: ignore[union-attr]

    names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows("labels"):
        names[str(row["node"])][str(row["kind"])].append(str(row["label"]))
    labels = {node: min(kinds.get("label") or kinds["prefLabel"])
              for node, kinds in names.items() if kinds.get("label") or kinds.get("prefLabel")}
    aliases = {node: sorted(set(kinds["alias"])) for node, kinds in names.items() if kinds.get("alias")}

    classes: dict[str, list[str]] = defaultdict(list)
    declared_in: dict[str, list[str]] = defaultdict(list)
    parents: dict[str, list[str]] = defaultdict(list)
    for row in rows("classes"):
        if row["node"] is not None:
            classes[row["node"]].append(str(row["class"]))
            declared_in[row["node"]].append(str(row["graph"]))
        else:
            parents[str(row["class"])].append(str(row["parent"]))

    items: dict[str, Item] = {}
    for row in rows("items"):
        item = items.setdefault(str(row["item"]), Item(str(row["item"]), str(row["graph"])))
        for values, value in ((item.attributed_to, row["attributedTo"]), (item.claims, row["claim"])):
            if value is not None and value not in values:
                values.append(value)

    quotes: dict[tuple[str, str], tuple[str, list[str]]] = {}
    for row in rows("evidence"):
        _, sentences = quotes.setdefault((str(row["item"]), str(row["evidence"])), (str(row["quote"]), []))
        if row["sentence"] is not None and row["sentence"] not in sentences:
            sentences.append(row["sentence"])
    for (iri, _), (quote, sentences) in quotes.items():
        if iri in items:
            items[iri].evidence.append(Evidence(quote, tuple(sentences)))

    for row in rows("times"):
        if str(row["node"]) in items:
            items[str(row["node"])].times.append(Time(str(row["property"]), row["asWritten"], str(row["earliest"]), str(row["latest"])))

    for row in rows("claims"):
        if str(row["claim"]) in items:
            items[str(row["claim"])].roles[str(row["role"])].append(str(row["agent"]))

    sources = {
        str(row["graph"]): Source(
            str(row["graph"]), str(row["document"]), row["title"] or str(row["document"]), row["publisher"], row["address"],
            (str(row["earliest"]), str(row["latest"])) if row["earliest"] else None)
        for row in rows("sources")
    }
    return Facts(labels, aliases, dict(classes), {n: sorted(set(g)) for n, g in declared_in.items()}, dict(parents), items, sources)
