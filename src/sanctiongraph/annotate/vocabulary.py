"""The controlled vocabularies the assistant chooses values from: the one place that reads them."""

from __future__ import annotations

import pyoxigraph as ox

from sanctiongraph.builder.ontology import Ontology

SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
VOCAB = "https://w3id.org/sanctiongraph/vocab/"


def vocabulary(ontology: Ontology, name: str) -> dict[str, str]:
    """The values of the vocabulary `name` (unit, modality, commodity, ...), each with its label, from the
    ontology's SKOS concept schemes."""
    scheme = VOCAB + name
    values = sorted(t.subject.value for t in ontology.triples if isinstance(t.subject, ox.NamedNode)
                    and t.predicate.value == SKOS_IN_SCHEME and t.object == ox.NamedNode(scheme))
    return {iri.rsplit("/", 1)[-1]: ontology.label(iri) for iri in values}
