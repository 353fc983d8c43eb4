"""The build from the bundled sources: exports readable by independent parsers, deterministic, traceable to the text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import ARTICLE, FIRST_GRAPH, FIRST_SOURCE, ONTOLOGY
from rdflib.compare import isomorphic

from sanctiongraph.builder.builds import READERS
from sanctiongraph.builder.dataset import BuildReport, build
from sanctiongraph.builder.exports import EXPORTS, NETWORK_FILE, STEM
from sanctiongraph.builder.layout import LAYOUT_FILE
from sanctiongraph.builder.manifest import MANIFEST_FILE

TEXT = ARTICLE.read_text(encoding="utf-8")
SG = "https://w3id.org/sanctiongraph/ontology#"


def test_writes_every_export(built: tuple[Path, BuildReport]) -> None:
    folder, _ = built
    names = [f"{STEM}.{e.suffix}" for e in EXPORTS] + ["void.ttl", "store"]
    visible = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    assert visible == sorted([*names, "builds", "cache", "current"])
    build = folder / os.readlink(folder / "current")
    assert build.parent == folder / "builds" and sorted(p.name for p in build.iterdir()) == sorted([*names, READERS, MANIFEST_FILE, LAYOUT_FILE, NETWORK_FILE])
    for name in names:
        assert os.readlink(folder / name) == f"current/{name}", name
    assert (folder / "store").resolve().is_dir()


def test_two_builds_are_byte_identical(built: tuple[Path, BuildReport], sources: Path, tmp_path: Path) -> None:
    folder, _ = built
    build(sources, ONTOLOGY, tmp_path)
    for path in [*folder.iterdir(), folder / "current" / NETWORK_FILE]:
        if path.is_file():
            assert (tmp_path / path.relative_to(folder)).read_bytes() == path.read_bytes(), path.name


def _rdflib_dataset(path: Path, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=path.read_bytes(), format=fmt)
    return dataset


def test_dataset_exports_agree_when_read_by_rdflib(built: tuple[Path, BuildReport]) -> None:
    """TriG, N-Quads and JSON-LD, read by rdflib's own parsers, hold the same quads as the build."""
    folder, report = built
    expected = set(report.dataset.quads)
    per_graph = {}
    for suffix, fmt in (("trig", "trig"), ("nq", "nquads"), ("jsonld", "json-ld")):
        dataset = _rdflib_dataset(folder / f"{STEM}.{suffix}", fmt)
        quads = list(dataset.quads((None, None, None, None)))
        assert len(quads) == len(expected), suffix
        assert {str(g) for *_, g in quads} == {q.graph_name.value for q in expected}, suffix
        per_graph[suffix] = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    for name, graph in per_graph["trig"].items():
        assert isomorphic(graph, per_graph["nq"][name]) and isomorphic(graph, per_graph["jsonld"][name]), name


def test_union_exports_are_isomorphic(built: tuple[Path, BuildReport]) -> None:
    folder, _ = built
    turtle = rdflib.Graph().parse(data=(folder / f"{STEM}.ttl").read_bytes(), format="turtle")
    ntriples = rdflib.Graph().parse(data=(folder / f"{STEM}.nt").read_bytes(), format="nt")
    assert len(turtle) > 4000
    assert isomorphic(turtle, ntriples)
    union = rdflib.Graph()
    for quad in _rdflib_dataset(folder / f"{STEM}.jsonld", "json-ld").quads((None, None, None, None)):
        union.add(quad[:3])
    assert isomorphic(turtle, union)


def test_jsonld_uses_a_compact_context(built: tuple[Path, BuildReport]) -> None:
    folder, _ = built
    document = json.loads((folder / f"{STEM}.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["sg"] == SG
    first_node = document["@graph"][0]["@graph"][0]
    assert first_node["@id"].split(":")[0] in document["@context"]


def test_void_describes_the_dataset(built: tuple[Path, BuildReport]) -> None:
    folder, report = built
    void = rdflib.Graph().parse(data=(folder / "void.ttl").read_bytes(), format="turtle")
    triples = void.value(rdflib.URIRef("https://w3id.org/sanctiongraph/dataset"), rdflib.URIRef("http://rdfs.org/ns/void#triples"))
    assert int(triples) == len({q.triple for q in report.dataset.quads})
    dumps = set(void.objects(None, rdflib.URIRef("http://rdfs.org/ns/void#dataDump")))
    assert len(dumps) == len(EXPORTS)


def test_every_evidence_quote_is_verbatim_at_its_offsets(store: ox.Store) -> None:
    rows = list(store.query(
        """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?exact ?prefix ?suffix ?start ?end WHERE {
          ?evidence oa:hasSource <https://w3id.org/sanctiongraph/id/source/newsweek-2025-03-russia-mines> ; oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact ; oa:prefix ?prefix ; oa:suffix ?suffix .
          ?p oa:start ?start ; oa:end ?end .
        }""", use_default_graph_as_union=True))
    assert len(rows) > 100
    for row in rows:
        start, end = int(row["start"].value), int(row["end"].value)
        assert TEXT[start:end] == row["exact"].value
        assert TEXT[:start].endswith(row["prefix"].value)
        assert TEXT[end:].startswith(row["suffix"].value)


def test_every_story_sentence_carries_a_statement(built: tuple[Path, BuildReport]) -> None:
    _, report = built
    (coverage,) = [c for c in report.dataset.coverage if c.source == f"articles/{FIRST_SOURCE}.yaml"]
    assert coverage.uncovered == []
    assert coverage.story == coverage.covered == 28


def test_photo_credit_is_not_a_story_sentence(store: ox.Store) -> None:
    rows = list(store.query(
        """PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?text WHERE { GRAPH <%s> { ?s sg:storySentence false ; rdf:value ?text } }""" % FIRST_GRAPH))
    texts = {row["text"].value for row in rows}
    assert "ALEXEY DRUZHININ/Getty Images" in texts
    assert len(texts) == 6
    statements = store.query(
        """PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        ASK { ?statement sg:evidence/sg:sentence ?s . ?s sg:storySentence false }""", use_default_graph_as_union=True)
    assert not bool(statements)


def test_claims_are_not_attributed_to_the_source(store: ox.Store) -> None:
    """What Seredyuk said is attributed to him, relayed by Kommersant, then Newsweek; never to Newsweek alone."""
    rows = list(store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX id: <https://w3id.org/sanctiongraph/id/>
        SELECT ?who WHERE { <https://w3id.org/sanctiongraph/id/source/newsweek-2025-03-russia-mines/seredyuk-mine-workers> prov:wasAttributedTo ?who }""",
        use_default_graph_as_union=True))
    assert [row["who"].value for row in rows] == ["https://w3id.org/sanctiongraph/id/seredyuk"]


def test_every_statement_lives_in_its_source_graph(store: ox.Store) -> None:
    outside = store.query(
        """PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        ASK { GRAPH ?g { ?s sg:statedIn ?doc } FILTER (?g != IRI(REPLACE(STR(?doc), "/id/source/", "/graph/source/"))) }""")
    assert not bool(outside)


def test_graph_provenance(store: ox.Store) -> None:
    rows = list(store.query(
        """PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        SELECT ?publisher ?earliest ?latest ?build WHERE {
          GRAPH <https://w3id.org/sanctiongraph/graph/provenance/newsweek-2025-03-russia-mines> {
            <https://w3id.org/sanctiongraph/graph/source/newsweek-2025-03-russia-mines> a prov:Bundle ;
                prov:wasDerivedFrom ?doc ; prov:wasGeneratedBy ?build .
            ?doc dcterms:publisher ?publisher ; sg:publicationDate [ sg:earliest ?earliest ; sg:latest ?latest ] .
            ?build a sg:SourceBuild ; prov:used ?doc ; prov:wasAssociatedWith ?software .
          }
          GRAPH <https://w3id.org/sanctiongraph/graph/provenance> {
            ?software a prov:SoftwareAgent . [] a sg:Build ; prov:wasAssociatedWith ?software ; sg:inputDigest ?digest .
          }
        }"""))
    assert [(r["publisher"].value, r["earliest"].value, r["latest"].value) for r in rows] == [
        ("https://w3id.org/sanctiongraph/id/newsweek", "2025-03-01", "2025-03-07")
    ]


def test_the_build_is_described_in_a_few_quads_each_source_in_its_own_graph(store: ox.Store) -> None:
    """graph:provenance holds only what names the whole build (O(1) quads); each source's description and the activity
    that built it are in graph:provenance/<id>, so an edit of one source changes that source's graphs only."""
    whole = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/sanctiongraph/graph/provenance> { ?s ?p ?o } }")
    assert int(next(iter(whole))["n"].value) <= 8  # type: ignore[arg-type,index]
    names = [row["g"].value for row in store.query(  # type: ignore[union-attr]
        "SELECT ?g WHERE { GRAPH ?g { ?g0 a <http://www.w3.org/ns/prov#Bundle> } } ORDER BY ?g")]
    sources = [row["g"].value for row in store.query(  # type: ignore[union-attr]
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s <https://w3id.org/sanctiongraph/ontology#statedIn> ?d } } ORDER BY ?g")]
    assert names and names == [g.replace("/graph/source/", "/graph/provenance/") for g in sources]


@pytest.fixture(scope="module")
def ontology_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for name in ("sanctiongraph.ttl", "alignments.ttl", "vocabularies.ttl"):
        graph.parse(data=(ONTOLOGY / name).read_bytes(), format="turtle")
    return graph


def test_every_term_has_a_label_and_a_definition(ontology_graph: rdflib.Graph) -> None:
    RDF, OWL, SKOS, RDFS = rdflib.RDF, rdflib.OWL, rdflib.SKOS, rdflib.RDFS
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, SKOS.Concept, SKOS.ConceptScheme)
    terms = {s for kind in kinds for s in ontology_graph.subjects(RDF.type, kind) if str(s).startswith("https://w3id.org/sanctiongraph/")}
    assert len(terms) > 150
    missing = [t for t in terms if (t, RDFS.label, None) not in ontology_graph or (t, SKOS.definition, None) not in ontology_graph]
    assert missing == []


def test_ontology_header(ontology_graph: rdflib.Graph) -> None:
    ontology = rdflib.URIRef("https://w3id.org/sanctiongraph/ontology")
    for predicate in (rdflib.OWL.versionIRI, rdflib.RDFS.label, rdflib.RDFS.comment, rdflib.DCTERMS.license):
        assert ontology_graph.value(ontology, predicate) is not None, predicate
