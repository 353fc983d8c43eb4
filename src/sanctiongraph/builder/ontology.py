"""The ontology as the schema of annotated sources: classes, properties, domains, ranges, vocabularies."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph.builder.vocabulary import compile_vocabulary, vocabulary_files
from sanctiongraph.errors import SanctionGraphError
from sanctiongraph.namespaces import OWL, RDF, RDFS, SG, TIME, XSD

ONTOLOGY_FILES = ("sanctiongraph.ttl", "alignments.ttl", "vocabularies.ttl")  # and vocabulary.yaml (builder.vocabulary)
TEMPORAL = TIME + "TemporalEntity"


@dataclass(frozen=True)
class Property:
    """One sg: property, as a key of the annotation format."""

    name: str
    iri: str
    domain: str | None
    range: str | None
    verbatim: bool
    minted: bool  # set by the builder; annotators may not write it


class Ontology:
    """The parsed ontology files, indexed for checking annotated sources against them."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples
        parents: dict[str, set[str]] = defaultdict(set)
        classes: set[str] = set()
        types: dict[str, set[str]] = defaultdict(set)
        facts: dict[tuple[str, str], list[ox.NamedNode | ox.BlankNode | ox.Literal]] = defaultdict(list)
        for triple in triples:
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            if not isinstance(subject, ox.NamedNode) or isinstance(obj, ox.Triple):
                continue
            facts[(subject.value, predicate)].append(obj)
            if predicate == RDF + "type" and isinstance(obj, ox.NamedNode):
                types[subject.value].add(obj.value)
                if obj.value == OWL + "Class":
                    classes.add(subject.value)
            elif predicate == RDFS + "subClassOf" and isinstance(obj, ox.NamedNode):
                parents[subject.value].add(obj.value)
        self.classes = classes
        self._ancestors = {cls: closure(cls, parents) for cls in classes}
        self.properties: dict[str, Property] = {}
        for iri, kinds in types.items():
            if iri.startswith(SG) and kinds & {OWL + "ObjectProperty", OWL + "DatatypeProperty"}:
                domain = facts.get((iri, RDFS + "domain"), [None])[0]
                range_ = facts.get((iri, RDFS + "range"), [None])[0]
                verbatim, minted = (
                    any(getattr(v, "value", "") == "true" for v in facts.get((iri, SG + flag), []))
                    for flag in ("verbatim", "minted")
                )
                name = iri[len(SG):]
                self.properties[name] = Property(
                    name, iri, getattr(domain, "value", None), getattr(range_, "value", None), verbatim, minted
                )
        self.values: dict[str, dict[str, str]] = defaultdict(dict)
        for iri, kinds in types.items():
            for kind in kinds & classes:
                self.values[kind][iri.rsplit("/", 1)[-1]] = iri
        self.labels = {
            iri: objs[0].value for (iri, predicate), objs in facts.items() if predicate == RDFS + "label"
        }

    @classmethod
    def load(cls, folder: Path, sources: Path | None = None) -> Ontology:
        """Parse the ontology files of a folder (ontology/ in a checkout) and compile its vocabulary, with the
        values a sources folder adds to it."""
        triples: list[ox.Triple] = []
        for name in ONTOLOGY_FILES:
            path = folder / name
            try:
                triples.extend(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
            except (OSError, SyntaxError) as error:
                raise SanctionGraphError(f"{path}: cannot read the ontology: {error}") from None
        owl_class = ox.NamedNode(OWL + "Class")
        classes = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode) and t.predicate.value == RDF + "type" and t.object == owl_class}
        return cls(triples + compile_vocabulary(vocabulary_files(folder, sources), classes))

    def is_a(self, cls: str, ancestor: str) -> bool:
        """True when cls is ancestor or one of its subclasses."""
        return ancestor in self._ancestors.get(cls, {cls})

    @functools.lru_cache(maxsize=64)  # asked once per registry entity and source: a few dozen roots
    def subclasses(self, ancestor: str) -> list[str]:
        """The local names of the sg: classes under ancestor, sorted, for messages (do not change the list)."""
        return sorted(c[len(SG):] for c in self.classes if c.startswith(SG) and self.is_a(c, ancestor))

    def admits(self, prop: Property, cls: str) -> bool:
        """True when a thing of class cls may carry prop (its domain is cls or an ancestor, or it has none)."""
        return prop.domain is None or self.is_a(cls, prop.domain)

    def keys_for(self, cls: str) -> list[str]:
        """The property names a thing of class cls may carry, sorted, for messages."""
        return sorted(name for name, prop in self.properties.items() if not prop.minted and self.admits(prop, cls))

    def keys_declared_for(self, root: str) -> list[str]:
        """The names of the properties whose domain is root or one of its subclasses (not those of every entity),
        sorted: the keys that describe a document beside the fixed ones of an annotated source."""
        return sorted(name for name, prop in self.properties.items()
                      if not prop.minted and prop.domain is not None and self.is_a(prop.domain, root))

    def is_datatype(self, iri: str | None) -> bool:
        return iri is not None and iri.startswith(XSD)

    def label(self, iri: str) -> str:
        return self.labels.get(iri, iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1])


def closure(start: str, parents: Mapping[str, set[str]]) -> frozenset[str]:
    """start and every node the relation leads to from it."""
    seen = {start}
    todo = [start]
    while todo:
        for parent in parents.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return frozenset(seen)
