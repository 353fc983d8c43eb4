"""HTML pages of the server: a resource with its facts and evidence, the dataset, the named queries, the query editor.

Every value from the graph or a request goes through html.escape; links are relative to the
page (`Links.root` climbs to the site root), so the pages work under any prefix a proxy adds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

import pyoxigraph as ox

from sanctiongraph.builder.exports import SD, curie
from sanctiongraph.namespaces import BASE, DCTERMS, SG, VOID
from sanctiongraph.query.library import Query
from sanctiongraph.query.running import Result, Term
from sanctiongraph.server.negotiation import EXTENSIONS, Rebase

FORMAT_NAMES = {"turtle": "Turtle", "jsonld": "JSON-LD", "ntriples": "N-Triples", "rdfxml": "RDF/XML"}


@dataclass(frozen=True)
class Links:
    """How a page links: `root` leads from the page to the site root; IRIs show in their public form."""

    root: str
    rebase: Rebase = Rebase()

    def href(self, iri: str) -> str:
        return self.root + iri[len(BASE):] if iri.startswith(BASE) else iri

    def term(self, term: Term | None, label: str | None = None) -> str:
        """A term as HTML: a link with its label for an IRI, the text for a literal."""
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            shown = label or curie(term.value)
            if not term.value.startswith(("http://", "https://")):  # urn:, mailto:, javascript: ... are shown, not linked
                return f'<span title="{escape(term.value)}">{escape(shown)}</span>'
            return f'<a href="{escape(self.href(term.value))}" title="{escape(self.rebase.iri(term.value))}">{escape(shown)}</a>'
        if isinstance(term, ox.BlankNode):
            return f"_:{escape(term.value)}"
        language = f' lang="{escape(term.language)}"' if term.language else ""
        return f"<span{language}>{escape(term.value)}</span>"


def document(title: str, body: str, links: Links, *, head: str = "") -> bytes:
    """A whole page around its body, with the site's header."""
    root = escape(links.root or "./")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · sanctiongraph</title><link rel="stylesheet" href="{root}assets/style.css">{head}</head>
<body><header><a class="home" href="{root}">sanctiongraph</a><nav><a href="{root}sparql">Query</a> <a href="{root}queries">Named queries</a></nav></header>
<main>{body}</main></body></html>
""".encode("utf-8")


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
    evidence: set[tuple[str, str]] = field(default_factory=set)  # (quote, sentence)
    according_to: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Evidence:
    quote: str
    sentence: str
    source: str
    source_label: str


@dataclass
class Resource:
    iri: str
    label: str | None
    facts: list[Fact]
    evidence: list[Evidence]
    statements: list[Statement]
    referrers: list[Fact]  # predicate and subject of triples pointing at the resource
    terms: list[tuple[str, str, str]] = field(default_factory=list)  # an ontology's (IRI, label, comment)
    truncated: bool = False  # a list was cut at its limit


HIDDEN = {"http://www.w3.org/2000/01/rdf-schema#label", "https://w3id.org/sanctiongraph/ontology#evidence"}
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def resource_page(resource: Resource, links: Links) -> bytes:
    name = resource.iri.rstrip("/").rsplit("/", 1)[-1]
    title = resource.label or curie(resource.iri)
    types = [links.term(f.value, f.value_label) for f in resource.facts if f.predicate.value == TYPE]
    formats = " · ".join(f'<a href="{escape(name)}.{ext}">{FORMAT_NAMES[fmt]}</a>' for ext, fmt in EXTENSIONS.items() if fmt != "html")
    local = resource.iri[len(BASE):]
    # the views draw entities, concepts, statements and claims; not sources, evidence, sentences or times
    viewable = (local.startswith("id/") and "/" not in local[3:]) or local.startswith("vocab/") or any(
        f.predicate.value == SG + "statedIn" for f in resource.facts)
    view = f' · <a href="{escape(links.root + "view/" + local)}">network view of its neighbourhood</a>' if viewable else ""
    parts = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="iri">{escape(links.rebase.iri(resource.iri))}</p>',
        f'<p class="types">{" ".join(types)}</p>' if types else "",
        f'<p class="formats">As data: {formats}{view}</p>',
    ]
    if resource.truncated:
        parts.append('<p class="error">This page shows the first rows of each list only; the query editor has them all.</p>')
    for evidence in resource.evidence:
        parts.append('<section class="evidence"><h2>Evidence</h2>' + _evidence(evidence.quote, evidence.sentence)
                     + f"<p>in {links.term(ox.NamedNode(evidence.source), evidence.source_label)}</p></section>")
    facts = [f for f in resource.facts if f.predicate.value not in HIDDEN and f.predicate.value != TYPE]
    if facts:
        parts.append("<h2>Facts</h2>" + _fact_table(facts, links))
    if resource.terms:
        items = "".join(
            f'<dt id="{escape(iri.split("#")[-1])}">{escape(label)}</dt><dd>{escape(comment)} <code>{escape(curie(iri))}</code></dd>'
            for iri, label, comment in resource.terms
        )
        parts.append(f'<h2>Terms</h2><dl class="terms">{items}</dl>')
    if resource.statements:
        parts.append("<h2>Statements</h2>" + _statements(resource.statements, links))
    if resource.referrers:
        items = "".join(
            f"<li>{links.term(f.value, f.value_label)} <span class=\"relation\">{escape(f.predicate_label or curie(f.predicate.value))}</span></li>"
            for f in resource.referrers
        )
        parts.append(f'<h2>Referred to by</h2><ul class="referrers">{items}</ul>')
    alternates = "".join(
        f'<link rel="alternate" type="{media}" href="{escape(name)}.{ext}">'
        for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"))
    )
    return document(title, "\n".join(p for p in parts if p), links, head=alternates)


def _fact_table(facts: Sequence[Fact], links: Links) -> str:
    grouped: dict[str, list[str]] = {}
    for fact in facts:
        key = fact.predicate_label or curie(fact.predicate.value)
        grouped.setdefault(key, []).append(links.term(fact.value, fact.value_label))
    rows = "".join(f"<tr><th>{escape(key)}</th><td>{'<br>'.join(values)}</td></tr>" for key, values in grouped.items())
    return f'<table class="facts">{rows}</table>'


def _statements(statements: list[Statement], links: Links) -> str:
    by_class: dict[str, list[Statement]] = {}
    for statement in statements:
        by_class.setdefault(", ".join(sorted(statement.classes)) or "Statement", []).append(statement)
    out = []
    for name in sorted(by_class):
        items = []
        for s in by_class[name]:
            quotes = "".join(_evidence(quote, sentence) for quote, sentence in sorted(s.evidence))
            said = f", according to {escape(', '.join(sorted(s.according_to)))}" if s.according_to else ""
            relation = f' <span class="relation">({escape(", ".join(sorted(s.relations)))})</span>' if s.relations else ""
            items.append(
                f'<li class="statement">{links.term(ox.NamedNode(s.iri), s.label)}{relation}{quotes}'
                f'<p class="source">in {links.term(ox.NamedNode(s.source), s.source_label)}{said}</p></li>'
            )
        out.append(f"<h3>{escape(name)}</h3><ul class=\"statements\">{''.join(items)}</ul>")
    return "".join(out)


def _evidence(quote: str, sentence: str) -> str:
    """The sentence with the quoted words marked (the quote alone when it spans sentences)."""
    text = sentence or quote
    at = text.find(quote) if quote else -1
    if at < 0:
        return f"<blockquote>{escape(text)}</blockquote>"
    return f"<blockquote>{escape(text[:at])}<mark>{escape(quote)}</mark>{escape(text[at + len(quote):])}</blockquote>"


# --- tables of query results, the dataset, the named queries

def results_table(result: Result, labels: dict[str, str], links: Links) -> str:
    if result.kind == "ask":
        return f'<p class="answer">{"yes" if result.boolean else "no"}</p>'
    header = "".join(f"<th>{escape(v)}</th>" for v in result.variables)
    rows = "".join(
        "<tr>" + "".join(f"<td>{links.term(t, labels.get(t.value) if t is not None else None)}</td>" for t in row) + "</tr>"
        for row in result.rows
    )
    count = len(result.rows)
    return f'<table class="results"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table><p class="count">{count} row{"s" if count != 1 else ""}</p>'


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

    counts = "".join(
        f"<tr><th>{key}</th><td>{escape(first(dataset, VOID + key))}</td></tr>"
        for key in ("triples", "entities", "distinctSubjects", "classes", "properties")
    )
    graphs = "".join(
        f'<li>{links.term(ox.NamedNode(first(subset, SD + "name")))} <span class="count">{escape(first(subset, VOID + "triples"))} triples</span> '
        f'<a href="{escape(links.root)}store?graph={escape(quote(links.rebase.iri(first(subset, SD + "name")), safe=""))}">contents</a></li>'
        for subset in objects(dataset, VOID + "subset")[:limit]
    )
    if len(objects(dataset, VOID + "subset")) > limit:
        graphs += f"<li>… the first {limit} only; the query editor lists them all</li>"
    downloads = "".join(
        f'<li><a href="{escape(links.href(d.value))}">{escape(d.value.rsplit("/", 1)[-1])}</a></li>' for d in objects(dataset, VOID + "dataDump")
    )
    by_type: dict[str, list[str]] = {}
    for iri, label, type_label in entities:
        by_type.setdefault(type_label, []).append(links.term(ox.NamedNode(iri), label) if iri else escape(label))
    index = "".join(f"<h3>{escape(t)}</h3><p class=\"index\">{' · '.join(items)}</p>" for t, items in sorted(by_type.items()))
    root = escape(links.root or "./")
    title = first(dataset, DCTERMS + "title") or "sanctiongraph"
    body = (
        f"<h1>{escape(title)}</h1><p>{escape(first(dataset, DCTERMS + 'description'))}</p>"
        f'<p class="iri">{escape(links.rebase.iri(dataset.value))}</p>'
        f'<p>Ask it: <a href="{root}sparql">the query editor</a> (SPARQL endpoint <code>sparql</code>), '
        f'<a href="{root}queries">the named queries</a>; its VoID description: <a href="{root}.well-known/void">Turtle</a>.</p>'
        f'<table class="facts">{counts}</table><h2>Graphs</h2><ul>{graphs}</ul>'
        f"<h2>Downloads</h2><ul>{downloads}</ul><h2>Entities</h2>{index}"
    )
    return document(title, body, links)


def queries_page(library: dict[str, Query], links: Links) -> bytes:
    items = "".join(
        f'<li><a href="queries/{escape(q.name)}">{escape(q.title)}</a> <code>{escape(q.name)}</code>'
        f"<p>{escape(q.description)}</p></li>"
        for q in library.values()
    )
    return document("Named queries", f'<h1>Named queries</h1><ul class="library">{items}</ul>', links)


def query_form_page(query: Query, params: dict[str, str], links: Links, *, table: str = "", error: str = "") -> bytes:
    """A named query: its parameters as a form, and its results or the error."""
    fields = "".join(
        f'<label>{escape(p.name)} <small>{escape(p.type)}: {escape(p.description)}</small>'
        f'<input name="{escape(p.name)}" value="{escape(params.get(p.name, p.default or ""))}" placeholder="{escape(p.example)}"'
        f'{" required" if p.default is None else ""}></label>'
        for p in query.parameters
    )
    editor = f"{links.root}sparql?example={query.name}"
    body = (
        f"<h1>{escape(query.title)}</h1><p>{escape(query.description)}</p>"
        f'<form method="get" class="parameters">{fields}<button type="submit">Run</button></form>'
        + (f'<p class="error">{escape(error)}</p>' if error else "") + table
        + f'<details><summary>SPARQL</summary><pre>{escape(query.text)}</pre></details>'
        f'<p><a href="{escape(editor)}">Open in the query editor</a></p>'
    )
    return document(query.title, body, links)


def query_page(examples: list[dict[str, str]], links: Links, *, editor: bool) -> bytes:
    """The SPARQL editor (YASGUI), with the named queries as examples; without YASGUI installed, says how to install it."""
    items = "".join(
        f'<li><button type="button" class="example" data-name="{escape(e["name"])}" title="{escape(e["title"])}">{escape(e["name"])}</button></li>'
        for e in examples
    )
    if not editor:
        body = ('<h1>Query</h1><p class="error">The query editor is not installed on this server: run '
                "<code>npm ci --prefix web</code> in a clone of sanctiongraph, then restart the server (an editable install), "
                "or build and install the wheel again, or give <code>--assets DIR</code>. "
                "The SPARQL endpoint itself works: <code>sparql</code>.</p>")
        return document("Query", body, links)
    data = json.dumps(examples, ensure_ascii=False)
    for char, escaped in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):  # nothing in it can end the script element
        data = data.replace(char, escaped)
    root = escape(links.root or "./")
    body = (
        f'<div class="editor"><aside><h2>Examples</h2><ul class="examples">{items}</ul>'
        '<p><button type="button" id="network-view">Open a CONSTRUCT result as a network view</button></p></aside>'
        f'<div id="yasgui"></div></div><script type="application/json" id="examples">{data}</script>'
        f'<script src="{root}assets/yasgui.min.js"></script><script src="{root}assets/query-page.js"></script>'
    )
    return document("Query", body, links, head=f'<link rel="stylesheet" href="{root}assets/yasgui.min.css">')
