"""HTML pages of the server: a resource with its facts and evidence, the dataset, the named queries, the query editor.

The pages are the Jinja2 templates in `templates/`, autoescaped: every value from the graph or a request is text,
never markup. This module chooses what a page shows; the templates how. Links are relative to the page
(`Links.root` climbs to the site root), so the pages work under any prefix a proxy adds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from sanctiongraph.builder.jsonld import curie
from sanctiongraph.evidence import Evidence
from sanctiongraph.markup import templates
from sanctiongraph.namespaces import BASE, DCTERMS, RDF, RDFS, SD, VOID, sg
from sanctiongraph.query.library import Query
from sanctiongraph.query.running import Result, Term
from sanctiongraph.server.negotiation import EXTENSIONS, Rebase

FORMAT_NAMES = {"turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}
ALTERNATES = (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"))


@dataclass(frozen=True)
class Shown:
    """A term as a page shows it: its text, a link for a web IRI, the whole IRI as a tooltip, a literal's language."""

    text: str
    href: str | None = None
    title: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Links:
    """How a page links: `root` leads from the page to the site root; IRIs show in their public form."""

    root: str
    rebase: Rebase = Rebase()

    def href(self, iri: str) -> str:
        return self.root + iri[len(BASE):] if iri.startswith(BASE) else iri

    def iri(self, iri: str, label: str | None = None) -> Shown:
        """An IRI with its label; linked only if it is a web address (urn:, mailto:, javascript: ... are shown, not linked)."""
        shown = label or curie(iri)
        if not iri.startswith(("http://", "https://")):
            return Shown(shown, title=iri)
        return Shown(shown, href=self.href(iri), title=self.rebase.iri(iri))

    def term(self, term: Term | None, label: str | None = None) -> Shown | None:
        if term is None:
            return None
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value, label)
        if isinstance(term, ox.BlankNode):
            return Shown(f"_:{term.value}")
        return Shown(term.value, lang=term.language or None)


def marked(evidence: Evidence) -> tuple[str, str, str]:
    """The evidence's sentences around the quote: (before, quote, after); (the text, "", "") when the quote is not
    within them (it spans sentences), the quote alone when there are no sentences."""
    text = " ".join(evidence.sentences) or evidence.quote
    at = text.find(evidence.quote) if evidence.quote else -1
    if at < 0:
        return text, "", ""
    return text[:at], evidence.quote, text[at + len(evidence.quote):]


TEMPLATES = templates(Path(__file__).parent / "templates")
TEMPLATES.globals.update(curie=curie, marked=marked)


def _page(template: str, links: Links, **context: Any) -> bytes:
    """A page of the site, with `links` and `root` (the site root, relative to the page) for its links."""
    return TEMPLATES.get_template(template).render(links=links, root=links.root or "./", **context).encode("utf-8")


# --- a resource: an entity, a statement or claim, a source, any IRI the builder minted

@dataclass(frozen=True)
class Fact:
    predicate: ox.NamedNode
    predicate_label: str | None
    value: Term
    value_label: str | None


@dataclass
class Statement:
    """A statement that refers to the resource, with its evidence."""

    iri: str
    label: str
    source: str
    source_label: str
    classes: set[str] = field(default_factory=set)
    relations: set[str] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    according_to: set[str] = field(default_factory=set)


@dataclass
class Resource:
    iri: str
    label: str | None
    facts: list[Fact]
    evidence: list[Evidence]
    statements: list[Statement]
    referrers: list[Fact]  # predicate and subject of triples pointing at the resource
    source_labels: dict[str, str] = field(default_factory=dict)  # of the documents its evidence quotes
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # an ontology's (IRI, label, comment)
    truncated: bool = False  # a list was cut at its limit


HIDDEN = {RDFS + "label", sg.evidence}
TYPE = RDF + "type"


def resource_page(resource: Resource, links: Links) -> bytes:
    local = resource.iri[len(BASE):]
    # the views draw entities, concepts, statements and claims; not sources, evidence, sentences or times
    viewable = (local.startswith("id/") and "/" not in local[3:]) or local.startswith("vocab/") or any(
        f.predicate.value == sg.statedIn for f in resource.facts)
    facts: dict[str, list[Shown | None]] = {}
    for fact in resource.facts:
        if fact.predicate.value not in HIDDEN and fact.predicate.value != TYPE:
            key = fact.predicate_label or curie(fact.predicate.value)
            facts.setdefault(key, []).append(links.term(fact.value, fact.value_label))
    by_class: dict[str, list[Statement]] = {}
    for statement in resource.statements:
        by_class.setdefault(", ".join(sorted(statement.classes)) or "Statement", []).append(statement)
    return _page(
        "resource.html", links, resource=resource, title=resource.label or curie(resource.iri),
        name=resource.iri.rstrip("/").rsplit("/", 1)[-1], alternates=ALTERNATES,
        formats=[(ext, FORMAT_NAMES[fmt]) for ext, fmt in EXTENSIONS.items() if fmt != "html"],
        types=[links.term(f.value, f.value_label) for f in resource.facts if f.predicate.value == TYPE],
        view=links.root + "view/" + local if viewable else None, facts=facts, statements=sorted(by_class.items()),
    )


# --- the dataset, the named queries, a named query's form and results, the query editor

def dataset_page(void: Iterable[ox.Triple], entities: list[tuple[str, str, str]], links: Links, *, limit: int) -> bytes:
    """The site root: the VoID description of the dataset, its graphs and downloads, and an index of the entities."""
    described: dict[tuple[object, str], list[Term]] = {}
    for triple in void:
        described.setdefault((triple.subject, triple.predicate.value), []).append(triple.object)  # type: ignore[arg-type]
    dataset = ox.NamedNode(BASE + "dataset")

    def objects(subject: Term, predicate: str) -> list[Term]:
        return described.get((subject, predicate), [])

    def first(subject: Term, predicate: str) -> str:
        found = objects(subject, predicate)
        return found[0].value if found else ""

    subsets = objects(dataset, VOID + "subset")
    graphs = [(links.iri(first(subset, SD + "name")), first(subset, VOID + "triples"),
               links.root + "store?graph=" + quote(links.rebase.iri(first(subset, SD + "name")), safe=""))
              for subset in subsets[:limit]]
    by_type: dict[str, list[Shown]] = {}
    for iri, label, type_label in entities:
        by_type.setdefault(type_label, []).append(links.iri(iri, label) if iri else Shown(label))
    return _page(
        "dataset.html", links, title=first(dataset, DCTERMS + "title") or "sanctiongraph",
        description=first(dataset, DCTERMS + "description"), iri=links.rebase.iri(dataset.value),
        counts=[(key, first(dataset, VOID + key)) for key in ("triples", "entities", "distinctSubjects", "classes", "properties")],
        graphs=graphs, limit=limit if len(subsets) > limit else None, index=sorted(by_type.items()),
        downloads=[(links.href(d.value), d.value.rsplit("/", 1)[-1]) for d in objects(dataset, VOID + "dataDump")],
    )


def queries_page(library: dict[str, Query], links: Links) -> bytes:
    return _page("queries.html", links, title="Named queries", library=list(library.values()))


def query_form_page(query: Query, params: dict[str, str], links: Links, *, result: Result | None = None,
                    labels: dict[str, str] | None = None, error: str = "") -> bytes:
    """A named query: its parameters as a form, and its results (the labels of their IRIs given) or the error."""
    rows = [[links.term(t, (labels or {}).get(t.value) if t is not None else None) for t in row] for row in result.rows] if result else []
    return _page("query_form.html", links, title=query.title, query=query, params=params, error=error, result=result, rows=rows)


def query_page(examples: list[dict[str, str]], links: Links, *, editor: bool) -> bytes:
    """The SPARQL editor (YASGUI), with the named queries as examples; without YASGUI installed, says how to install it."""
    return _page("query.html", links, title="Query", examples=examples, editor=editor)
