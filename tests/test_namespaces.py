"""Every ontology term the code names is declared in the ontology, with the kind its name says."""

from __future__ import annotations

import pyoxigraph as ox
from conftest import ONTOLOGY

from sanctiongraph.namespaces import OWL, RDF, RDFS, SG, sg

CLASSES = {OWL + "Class", RDFS + "Class"}
PROPERTIES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}


def test_every_term_the_code_names_is_declared() -> None:
    declared: dict[str, set[str]] = {}
    for path in sorted(ONTOLOGY.glob("*.ttl")):
        for quad in ox.parse(path=path, format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == RDF + "type" and isinstance(quad.subject, ox.NamedNode):
                declared.setdefault(quad.subject.value, set()).add(quad.object.value)
    named = {name: value for name, value in vars(sg).items() if not name.startswith("_")}
    assert named, "sanctiongraph.namespaces.sg names no term"
    for name, iri in named.items():
        assert iri == SG + name, (name, iri)
        kinds = declared.get(iri, set())
        expected = CLASSES if name[0].isupper() else PROPERTIES
        assert kinds & expected, f"{iri} is used by the code but declared in ontology/ as {sorted(kinds) or 'nothing'}"
