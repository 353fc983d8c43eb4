"""What a view needs to know about the nodes it draws: names, classes and provenance, read from the store for those nodes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sanctiongraph.evidence import Evidence
from sanctiongraph.namespaces import iri_words
from sanctiongraph.query.library import load_queries
from sanctiongraph.query.slots import batches, fill, slots
from sanctiongraph.query.store import Readable

LOOKUPS = Path(__file__).parent / "lookups"


@dataclass(frozen=True)
class Time:
    """A time as the graph gives it: the property that points at it, its words as written, its earliest and latest day."""

    property: str
    as_written: str | None
    earliest: str
    latest: str


@dataclass
class Provenance:
    """What a view knows of a statement's or a claim's provenance: the source graph and document it is stated in, to
    whom it is attributed, what supports it and when it holds.

    `roles` holds a claim's agents by role (claimant, audience, modality, reporter in chain order).
    """

    iri: str
    graph: str
    document: str
    attributed_to: list[str] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    times: list[Time] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


@dataclass(frozen=True)
class SourceDocument:
    """The document behind a source's named graph, as a view shows it."""

    graph: str
    document: str
    title: str
    publisher: str | None
    address: str | None
    published: tuple[str, str] | None


class Facts:
    """Names, classes and provenance of the nodes a view draws, read from the store as the view asks for them.

    `cover` reads the lookups with their node slot holding only the IRIs asked about, and then the IRIs those name
    (claims, agents, classes, properties, source graphs, publishers), so a view reads in proportion to what it draws.
    """

    def __init__(self, store: Readable) -> None:
        self.store = store
        self.queries = load_queries(LOOKUPS)
        self.labels: dict[str, str] = {}
        self.aliases: dict[str, list[str]] = {}
        self.classes: dict[str, list[str]] = defaultdict(list)
        self.declared_in: dict[str, list[str]] = defaultdict(list)
        self.parents: dict[str, list[str]] = defaultdict(list)
        self.provenance: dict[str, Provenance] = {}
        self.documents: dict[str, SourceDocument] = {}  # by source graph
        self.covered: set[str] = set()
        for row in self.rows("parents"):
            self.parents[str(row["class"])].append(str(row["parent"]))

    def rows(self, name: str, iris: list[str] | None = None) -> list[dict[str, str | None]]:
        """A lookup's rows: for the given IRIs (in its slot), or over the whole store."""
        query = self.queries[name]
        texts = [query.text] if iris is None else [fill(query, {slots(query)[0]: [(iri,) for iri in batch]}) for batch in batches(iris)]
        found = []
        for text in texts:
            solutions = self.store.query(text, use_default_graph_as_union=True)
            variables = [variable.value for variable in solutions.variables]  # type: ignore[union-attr]
            found += [{v: None if term is None else term.value for v, term in zip(variables, row)} for row in solutions]  # type: ignore[union-attr]
        return found

    def cover(self, iris: Iterable[str]) -> None:
        """Read what the page needs about these IRIs, and about the IRIs that it names in turn, unless already read."""
        pending = set(iris) - self.covered
        while pending:
            self.covered |= pending
            pending = self._read(sorted(pending)) - self.covered

    def _read(self, iris: list[str]) -> set[str]:
        """Read the facts of these IRIs; return the IRIs they name."""
        named: set[str] = set()
        names: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in self.rows("labels", iris):
            names[str(row["node"])][str(row["kind"])].append(str(row["label"]))
        self.labels.update({node: min(kinds.get("label") or kinds["prefLabel"])
                            for node, kinds in names.items() if kinds.get("label") or kinds.get("prefLabel")})
        self.aliases.update({node: sorted(set(kinds["alias"])) for node, kinds in names.items() if kinds.get("alias")})

        declared: dict[str, set[str]] = defaultdict(set)
        for row in self.rows("classes", iris):
            self.classes[str(row["node"])].append(str(row["class"]))
            declared[str(row["node"])].add(str(row["graph"]))
        self.declared_in.update({node: sorted(graphs) for node, graphs in declared.items()})
        named |= {cls for node in declared for cls in self.classes[node]} | {g for graphs in declared.values() for g in graphs}

        new: dict[str, Provenance] = {}
        for row in self.rows("items", iris):
            item = new.setdefault(str(row["item"]), Provenance(str(row["item"]), str(row["graph"]), str(row["document"])))
            for values, value in ((item.attributed_to, row["attributedTo"]), (item.claims, row["claim"])):
                if value is not None and value not in values:
                    values.append(value)
        self.provenance.update(new)

        quotes: dict[tuple[str, str], tuple[int, str]] = {}
        sentences: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for row in self.rows("evidence", iris):
            key = (str(row["item"]), str(row["evidence"]))
            if row["quote"] is not None:
                quotes[key] = (int(str(row["start"])), row["quote"])
            elif (int(str(row["index"])), str(row["sentence"])) not in sentences[key]:
                sentences[key].append((int(str(row["index"])), str(row["sentence"])))
        for (iri, evidence), (_, quote) in sorted(quotes.items(), key=lambda pair: (pair[0][0], pair[1][0], pair[0][1])):
            if iri in new:
                texts = list(dict.fromkeys(sentence for _, sentence in sorted(sentences[(iri, evidence)])))
                new[iri].evidence.append(Evidence(quote, tuple(texts), new[iri].document))

        for row in self.rows("times", iris):
            if str(row["node"]) in new:
                new[str(row["node"])].times.append(Time(str(row["property"]), row["asWritten"], str(row["earliest"]), str(row["latest"])))

        for row in self.rows("claims", iris):
            if str(row["claim"]) in new:
                new[str(row["claim"])].roles[str(row["role"])].append(str(row["agent"]))

        for item in new.values():
            named |= {item.graph, *item.attributed_to, *item.claims, *(t.property for t in item.times)}
            named |= {agent for agents in item.roles.values() for agent in agents}

        for row in self.rows("sources", iris):
            document = _document(row)
            self.documents[document.graph] = document
            named |= {document.publisher} if document.publisher else set()
        return named

    def all_sources(self) -> list[str]:
        """The named graph of every source in the store (reading the documents of all of them)."""
        documents = [_document(row) for row in self.rows("sources")]
        self.documents.update({document.graph: document for document in documents})
        return [document.graph for document in documents]

    def label(self, iri: str) -> str:
        """The node's label; failing that, the last segment of its IRI in words, never the bare IRI."""
        self.cover([iri])
        return self.labels[iri] if iri in self.labels else iri_words(iri)

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
        self.cover([iri])
        classes = self.classes.get(iri)
        return max(sorted(classes), key=lambda c: len(self.ancestry(c))) if classes else None


def _document(row: dict[str, str | None]) -> SourceDocument:
    return SourceDocument(str(row["graph"]), str(row["document"]), row["title"] or str(row["document"]), row["publisher"],
                          row["address"], (str(row["earliest"]), str(row["latest"])) if row["earliest"] else None)


def load_facts(store: Readable) -> Facts:
    """The facts of the store's nodes, read as views ask for them."""
    return Facts(store)
