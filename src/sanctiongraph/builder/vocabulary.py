"""Controlled vocabularies as data: YAML concept schemes compiled into SKOS at build time.

The packaged `vocabulary.yaml` of the ontology folder declares every scheme (the class of the ontology
whose values it holds, a label, a definition) and its values; a project's `sources/vocabulary/*.yaml`,
in the same format, add values to those schemes. Each value becomes a `skos:Concept` of its class,
`https://w3id.org/sanctiongraph/vocab/<scheme>/<id>`, with its label, definition, broader value,
HS code and alignments; a value without a broader one is a top concept of its scheme."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sanctiongraph.builder.yamlfile import line_of, load_yaml
from sanctiongraph.errors import SourceError, shown
from sanctiongraph.namespaces import RDF, RDFS, SG, SKOS, VOCAB
from sanctiongraph.suggestions import did_you_mean

VOCABULARY_FILE = "vocabulary.yaml"  # the packaged vocabulary, in the ontology folder
PROJECT_VOCABULARY = "vocabulary"  # a project's folder of *.yaml, beside the registry
SCHEME_KEYS = ("class", "label", "definition", "values")
VALUE_KEYS = ("label", "definition", "broader", "hsCode", "note", "exactMatch")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_HS_CODE = re.compile(r"^[0-9]{4}(?:[0-9]{2})?$")
_EXTERNAL = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class VocabularyFile:
    path: Path
    folder: Path  # the folder the file must lie inside
    shown_as: str


def vocabulary_files(ontology_folder: Path, sources_folder: Path | None) -> list[VocabularyFile]:
    """The packaged vocabulary, then a project's own files in name order."""
    files = [VocabularyFile(ontology_folder / VOCABULARY_FILE, ontology_folder, VOCABULARY_FILE)]
    if sources_folder is not None:
        files += [VocabularyFile(path, sources_folder, path.relative_to(sources_folder).as_posix())
                  for path in sorted((sources_folder / PROJECT_VOCABULARY).glob("*.yaml"))]
    return files


@dataclass
class _Scheme:
    name: str
    cls: str
    values: dict[str, str]  # value ID -> where it was declared


def compile_vocabulary(files: list[VocabularyFile], classes: set[str]) -> list[ox.Triple]:
    """The SKOS triples of every scheme and value of the files; classes are the ontology's."""
    triples: list[ox.Triple] = []
    schemes: dict[str, _Scheme] = {}
    broader: list[tuple[_Scheme, str, Any, str]] = []

    def add(subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(ox.NamedNode(subject), ox.NamedNode(predicate), obj))

    for file in files:
        data = load_yaml(file.path, file.folder, file.shown_as)
        if data is None:
            continue
        if not isinstance(data, dict):
            raise SourceError(file.shown_as, "a vocabulary file must be a mapping of scheme names to schemes")
        for name, body in data.items():
            where = f"{file.shown_as}:{line_of(data, str(name))}"
            if not isinstance(body, dict):
                raise SourceError(where, f"the scheme {shown(name)} must be a mapping with {', '.join(SCHEME_KEYS)}")
            _known_keys(body, SCHEME_KEYS, file.shown_as, where, "a scheme")
            scheme_iri = f"{VOCAB}{name}"
            scheme = schemes.get(str(name))
            if scheme is None:
                scheme = _new_scheme(str(name), body, classes, sorted(schemes), where)
                schemes[scheme.name] = scheme
                add(scheme_iri, RDF + "type", ox.NamedNode(SKOS + "ConceptScheme"))
                add(scheme_iri, RDFS + "label", _text(body["label"], where, "label"))
                add(scheme_iri, SKOS + "definition", _text(body["definition"], where, "definition"))
            elif set(body) - {"values"}:
                raise SourceError(where, f"the scheme {shown(name)} is declared in {VOCABULARY_FILE}; here it takes only 'values'")
            values = body.get("values") or {}
            if not isinstance(values, dict):
                raise SourceError(where, "'values' must be a mapping of value IDs to values")
            for value_id, value in values.items():
                value_where = f"{file.shown_as}:{line_of(values, str(value_id))}"
                if not isinstance(value_id, str) or not _ID.match(value_id):
                    raise SourceError(value_where, f"invalid value ID {shown(value_id)}: use lower-case letters, digits and hyphens")
                if value_id in scheme.values:
                    raise SourceError(value_where, f"{name} value {shown(value_id)} is declared twice (first at {scheme.values[value_id]})")
                if not isinstance(value, dict):
                    raise SourceError(value_where, f"the value {shown(value_id)} must be a mapping with a label and a definition")
                _known_keys(value, VALUE_KEYS, file.shown_as, value_where, "a value")
                scheme.values[value_id] = value_where
                node = f"{scheme_iri}/{value_id}"
                label = _text(value.get("label"), value_where, "label")
                add(node, RDF + "type", ox.NamedNode(scheme.cls))
                add(node, RDF + "type", ox.NamedNode(SKOS + "Concept"))
                add(node, SKOS + "inScheme", ox.NamedNode(scheme_iri))
                add(node, SKOS + "prefLabel", label)
                add(node, RDFS + "label", label)
                add(node, SKOS + "definition", _text(value.get("definition"), value_where, "definition"))
                if "hsCode" in value:
                    code = value["hsCode"]
                    if not isinstance(code, str) or not _HS_CODE.match(code):
                        raise SourceError(value_where, f"hsCode must be a quoted HS heading or subheading of 4 or 6 digits, such as \"2701\", not {shown(code)}")
                    add(node, SKOS + "notation", ox.Literal(code, datatype=ox.NamedNode(SG + "HSCode")))
                if "note" in value:
                    add(node, SKOS + "scopeNote", _text(value["note"], value_where, "note"))
                for match in value.get("exactMatch", []) if isinstance(value.get("exactMatch"), list) else [value.get("exactMatch")]:
                    if match is None:
                        continue
                    if not isinstance(match, str) or not _EXTERNAL.match(match):
                        raise SourceError(value_where, f"exactMatch must be the http(s) IRI of an external concept (a QUDT unit, a Wikidata item), not {shown(match)}")
                    add(node, SKOS + "exactMatch", ox.NamedNode(match))
                if "broader" in value:
                    broader.append((scheme, value_id, value["broader"], value_where))
                else:
                    add(scheme_iri, SKOS + "hasTopConcept", ox.NamedNode(node))
    for scheme, value_id, parent, where in broader:
        if not isinstance(parent, str) or parent not in scheme.values or parent == value_id:
            raise SourceError(where, f"broader must name another value of {scheme.name}, not {shown(parent)}{did_you_mean(parent, scheme.values)}")
        add(f"{VOCAB}{scheme.name}/{value_id}", SKOS + "broader", ox.NamedNode(f"{VOCAB}{scheme.name}/{parent}"))
    return triples


def _new_scheme(name: str, body: dict[str, Any], classes: set[str], known: list[str], where: str) -> _Scheme:
    if "class" not in body:
        raise SourceError(where, f"unknown vocabulary {shown(name)}; a project's vocabulary adds values to the schemes of "
                                 f"{VOCABULARY_FILE}: {', '.join(known)}{did_you_mean(name, known)}")
    cls = body["class"]
    if not isinstance(cls, str) or SG + cls not in classes:
        raise SourceError(where, f"the class of a scheme must be a class of the ontology, not {shown(cls)}")
    if not _ID.match(name):
        raise SourceError(where, f"invalid scheme name {shown(name)}: use lower-case letters, digits and hyphens")
    return _Scheme(name, SG + cls, {})


def _known_keys(body: dict[str, Any], allowed: tuple[str, ...], shown_as: str, where: str, what: str) -> None:
    for key in body:
        if key not in allowed:
            raise SourceError(f"{shown_as}:{line_of(body, str(key)) or where.rsplit(':', 1)[-1]}",
                              f"unknown key {shown(key)} of {what}; allowed: {', '.join(allowed)}{did_you_mean(str(key), allowed)}")


def _text(value: Any, where: str, key: str) -> ox.Literal:
    if not isinstance(value, str) or not value.strip():
        raise SourceError(where, f"{key} must be non-empty text")
    return ox.Literal(value, language="en")
