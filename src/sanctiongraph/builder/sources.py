"""Annotated sources and the entity registry, read from YAML into typed records.

This module checks the shape of the files (required keys, ids, evidence); the
builder checks every property and value against the ontology."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from sanctiongraph.builder.inputs import read_input
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.source_text import Quote, SourceText
from sanctiongraph.builder.times import TimeValue, parse_time
from sanctiongraph.builder.yamlfile import line_of, load_yaml
from sanctiongraph.errors import Problems, SanctionGraphError, SourceError, shown
from sanctiongraph.namespaces import SG, sg
from sanctiongraph.suggestions import did_you_mean

BROKEN = ""  # the class of an entity or statement that did not load: what refers to it raises no errors of its own
REGISTRY_FILE = "entities.yaml"
ARTICLES_FOLDER = "articles"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
DRAFT = "draft"  # the key that marks a statement as an unreviewed draft (sanctiongraph annotate writes it)
RESERVED_IDS = {"source", "build", "software", "sentence"}
SOURCE_KEYS = ("id", "text", "type", "title", "publisher", "language", "published", "address",
               "attribution", "not-story", "statements")
REQUIRED_SOURCE_KEYS = ("id", "text", "type", "title", "publisher", "language", "published", "address",
                        "attribution", "statements")


@dataclass
class Item:
    """A registry entity or a statement of a source: an id, a class and ontology-keyed fields."""

    id: str
    cls: str
    fields: dict[str, Any]
    where: str
    field_where: dict[str, str]
    labels: dict[str, list[str]] = field(default_factory=dict)  # registry only: "label"/"aliases" by language
    evidence: list[Quote] = field(default_factory=list)  # statements only
    draft: str | None = None  # statements only: the `draft:` marker of a statement not yet reviewed


@dataclass
class Source:
    id: str
    shown_as: str  # the annotation file, relative to the sources folder
    text_file: str
    text: SourceText
    cls: str
    title: str
    publisher: str
    publisher_where: str
    language: str
    published: TimeValue
    address: str | None
    attribution: str
    not_story: list[tuple[Quote, str]]
    statements: list[Item]
    where: str
    description: Item  # the ontology's properties of documents that the source gives (author, ...), keyed by local name
    broken: set[str] = field(default_factory=set)  # statements that did not load, for the errors found before


def registry_path(folder: Path) -> Path:
    """The registry file of a sources folder; a SourceError if there is none."""
    path = folder / REGISTRY_FILE
    if not path.is_file():
        raise SourceError(REGISTRY_FILE, "the entity registry is missing")
    return path


def load_registry(folder: Path, ontology: Ontology, problems: Problems | None = None) -> dict[str, Item]:
    """The entities of the registry file. Errors in some of its entities are added to `problems`, if given, and the
    others returned (so that a build goes on to find the errors of the sources); without it, they are raised."""
    shown_as = REGISTRY_FILE
    data = load_yaml(registry_path(folder), folder, shown_as)
    if data is None:  # only comments: a new project's registry
        data = {}
    if not isinstance(data, dict):
        raise SourceError(shown_as, "the registry must be a mapping of entity IDs to entities")
    entities: dict[str, Item] = {}
    found = problems or Problems()
    for entity_id, body in data.items():
        with found.collected():
            where = f"{shown_as}:{line_of(data, str(entity_id))}"
            _check_id(entity_id, where)
            if not isinstance(body, dict):
                raise SourceError(where, f"entity {shown(entity_id)} must be a mapping with a type and a label")
            cls = _class(body, f"{shown_as}:{line_of(body, 'type')}", ontology, sg.Entity, "an entity")
            fields = {k: v for k, v in body.items() if k not in ("type", "label", "aliases")}
            if "label" not in body:
                raise SourceError(where, f"entity {shown(entity_id)} has no label")
            labels = {"label": _texts(body["label"], f"{shown_as}:{line_of(body, 'label')}", "label"),
                      "aliases": _texts(body.get("aliases", []), f"{shown_as}:{line_of(body, 'aliases')}", "aliases")}
            entities[entity_id] = Item(entity_id, cls, fields, where, _field_where(body, shown_as), labels)
        if isinstance(entity_id, str) and _ID.match(entity_id) and entity_id not in entities:
            entities[entity_id] = Item(entity_id, BROKEN, {}, f"{shown_as}:{line_of(data, entity_id)}", {}, {"label": [entity_id], "aliases": []})
    if problems is None:
        found.raise_any()
    return entities


def registry_record(registry: dict[str, Item]) -> list[list[Any]] | None:
    """The entities of a registry as JSON values, to keep with the part of the shared inputs (sanctiongraph.builder.cache),
    or None if one of them would not read back the same (a mapping with numbers for keys)."""
    rows = [[entity.id, entity.cls, entity.fields, entity.where, entity.field_where, entity.labels] for entity in registry.values()]
    return rows if json.loads(json.dumps(rows, ensure_ascii=False)) == rows else None


def registry_from_record(rows: list[list[Any]]) -> dict[str, Item]:
    """The entities registry_record() gave."""
    return {row[0]: Item(*row) for row in rows}


def source_files(folder: Path) -> list[Path]:
    """The annotation files of a sources folder (articles/*.yaml), in order of their names."""
    articles = folder / ARTICLES_FOLDER
    if not articles.is_dir():
        return []
    return [articles / name for name in sorted(os.listdir(articles)) if name.endswith(".yaml")]


def load_source(path: Path, folder: Path, ontology: Ontology, problems: Problems | None = None) -> Source:
    """An annotated source. Errors in its statements and its not-story entries are added to `problems`, if given,
    and the source returned without what they prevent; without it, they are raised. Any other error is raised."""
    shown_as = path.relative_to(folder).as_posix()
    data = load_yaml(path, folder, shown_as)
    if not isinstance(data, dict):
        raise SourceError(shown_as, "an annotated source must be a mapping (id, text, title, ..., statements)")
    where = f"{shown_as}:{line_of(data) or 1}"
    header = Problems()
    described = ontology.keys_declared_for(sg.Document)
    allowed = (*SOURCE_KEYS, *described)
    for key in data:
        if key not in allowed:
            header.add(SourceError(f"{shown_as}:{line_of(data, str(key))}",
                                     f"unknown key {shown(key)}; allowed: {', '.join(allowed)}{did_you_mean(str(key), allowed)}"))
    for key in REQUIRED_SOURCE_KEYS:
        if key not in data:
            header.add(SourceError(where, f"missing key {shown(key)}"))
    header.raise_any()

    def at(key: str) -> str:
        return f"{shown_as}:{line_of(data, key)}"

    _check_id(data["id"], at("id"))
    for key in ("text", "title", "publisher", "language", "address", "attribution"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise SourceError(at(key), f"{shown(key)} must be non-empty text")
    try:
        content = read_input(path.parent / data["text"], folder, at("text"), data["text"]).decode("utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(at("text"), f"the source text {shown(data['text'])} is not UTF-8 ({error.reason})") from None
    text = SourceText(content)
    _check_language(data["language"], at("language"))
    address = data["address"]
    if address != "unknown" and not re.match(r"^https?://\S+$", address):
        raise SourceError(at("address"), f"address must be an http(s) URL or 'unknown', not {shown(address)}")
    document_class = _class({"type": data["type"]}, at("type"), ontology, sg.Document, "a document")
    published = parse_time(data["published"], at("published"))

    found = problems or Problems()
    not_story = []
    if not isinstance(data.get("not-story", []), list):
        raise SourceError(at("not-story"), "'not-story' must be a list of {quote, reason} entries")
    for entry in data.get("not-story") or []:
        entry_where = f"{shown_as}:{line_of(entry) or line_of(data, 'not-story')}"
        with found.collected():
            if not isinstance(entry, dict) or set(entry) != {"quote", "reason"}:
                raise SourceError(entry_where, "a not-story entry needs exactly 'quote' and 'reason'")
            not_story.append((_locate(text, entry["quote"], None, f"{shown_as}:{line_of(entry, 'quote')}"), str(entry["reason"])))

    if not isinstance(data["statements"], list) or not data["statements"]:
        raise SourceError(at("statements"), "'statements' must be a non-empty list")
    statements: list[Item] = []
    seen: dict[str, str] = {}
    broken: set[str] = set()
    for raw in data["statements"]:
        item_where = f"{shown_as}:{line_of(raw) or line_of(data, 'statements')}"
        loaded = len(statements)
        with found.collected():
            if not isinstance(raw, dict):
                raise SourceError(item_where, "each statement must be a mapping with an id, a type and evidence")
            if "id" not in raw:
                raise SourceError(item_where, "statement without an 'id'")
            _check_id(raw["id"], f"{shown_as}:{line_of(raw, 'id')}")
            if raw["id"] in seen:
                raise SourceError(item_where, f"duplicate statement id {shown(raw['id'])} (first at line {seen[raw['id']].rsplit(':', 1)[1]})")
            seen[raw["id"]] = item_where
            item_class = _statement_class(raw, f"{shown_as}:{line_of(raw, 'type')}", ontology)
            if "evidence" not in raw:
                raise SourceError(item_where, f"statement {shown(raw['id'])} has no evidence")
            fields = {k: v for k, v in raw.items() if k not in ("id", "type", "evidence", DRAFT)}
            if DRAFT in raw and not (isinstance(raw[DRAFT], str) and raw[DRAFT].strip()):
                raise SourceError(item_where, f"{DRAFT!r} must be a note saying what is left to review, not {shown(raw[DRAFT])}")
            statement = Item(raw["id"], item_class, fields, item_where, _field_where(raw, shown_as), draft=raw.get(DRAFT))
            statements.append(statement)  # with or without its evidence, so that the references to it resolve
            evidence_where = f"{shown_as}:{line_of(raw, 'evidence')}"
            statement.evidence = [_locate(text, quote, occurrence, evidence_where) for quote, occurrence in _evidence(raw["evidence"], evidence_where)]
        if len(statements) == loaded and isinstance(raw, dict) and isinstance(raw.get("id"), str):
            broken.add(raw["id"])
    if problems is None:
        found.raise_any()
    return Source(
        id=data["id"], shown_as=shown_as, text_file=data["text"], text=text, cls=document_class, title=data["title"],
        publisher=data["publisher"], publisher_where=at("publisher"), language=data["language"], published=published,
        address=None if address == "unknown" else address, attribution=data["attribution"],
        not_story=not_story, statements=statements, where=where, broken=broken,
        description=Item(data["id"], document_class, {key: data[key] for key in data if key in described}, where,
                         _field_where(data, shown_as)),
    )


def without_drafts(sources: list[Source], allow_drafts: bool) -> list[Source]:
    """The sources without their draft statements when drafts are allowed (a preview build); otherwise one error
    that lists every draft."""
    drafts = [draft for source in sources for draft in draft_statements(source)]
    if drafts and not allow_drafts:
        raise drafts_refused(drafts)
    for source in sources:
        source.statements = [item for item in source.statements if item.draft is None]
    return sources


def draft_statements(source: Source) -> list[str]:
    """Where each draft statement of a source is, and its id."""
    return [f"{item.where} {item.id}" for item in source.statements if item.draft is not None]


def drafts_refused(drafts: list[str]) -> SanctionGraphError:
    """The error of a build that is given draft statements and not allowed them."""
    return SanctionGraphError(
        f"{len(drafts)} unreviewed draft statement(s): {'; '.join(drafts)}; review each and remove its "
        f"'{DRAFT}:' line, or build with --allow-drafts for a preview without them")


def _check_id(value: Any, where: str) -> None:
    if not isinstance(value, str) or not _ID.match(value):
        raise SourceError(where, f"invalid id {shown(value)}: use lower-case letters, digits and hyphens")
    if value in RESERVED_IDS:
        raise SourceError(where, f"id {shown(value)} is reserved")


def _check_language(tag: str, where: str) -> None:
    """A BCP 47 language tag, as RDF takes it (checked by Oxigraph, which writes the literals)."""
    try:
        ox.Literal("", language=tag)
    except ValueError:
        raise SourceError(where, f"language {shown(tag)} is not a BCP 47 language tag such as en, de or pt-BR") from None


def _class(body: dict[str, Any], where: str, ontology: Ontology, root: str, what: str) -> str:
    name = body.get("type")
    allowed = ontology.subclasses(root)
    if not isinstance(name, str) or name not in allowed:
        raise SourceError(where, f"unknown type {shown(name)} for {what}; allowed: {', '.join(allowed)}{did_you_mean(name, allowed)}")
    return SG + name


def _statement_class(raw: dict[str, Any], where: str, ontology: Ontology) -> str:
    name = raw.get("type")
    allowed = sorted(set(ontology.subclasses(sg.Statement)) - {"Statement"} | {"Claim"})
    if not isinstance(name, str) or name not in allowed:
        raise SourceError(where, f"unknown statement type {shown(name)}; allowed: {', '.join(allowed)}{did_you_mean(name, allowed)}")
    return SG + name


def _texts(value: Any, where: str, key: str) -> list[str]:
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise SourceError(where, f"{shown(key)} must be text or a list of texts")
    return values


def _field_where(body: dict[str, Any], shown_as: str) -> dict[str, str]:
    return {str(key): f"{shown_as}:{line_of(body, str(key))}" for key in body}


def _evidence(value: Any, where: str) -> list[tuple[Any, int | None]]:
    entries = value if isinstance(value, list) else [value]
    result: list[tuple[Any, int | None]] = []
    for entry in entries:
        if isinstance(entry, str):
            result.append((entry, None))
        elif isinstance(entry, dict) and "quote" in entry and set(entry) <= {"quote", "occurrence"}:
            occurrence = entry.get("occurrence")
            if occurrence is not None and (not isinstance(occurrence, int) or isinstance(occurrence, bool)):
                raise SourceError(where, "'occurrence' must be a whole number")
            result.append((entry["quote"], occurrence))
        else:
            raise SourceError(where, "evidence must be a quote, {quote: ..., occurrence: N}, or a list of them")
    if not result:
        raise SourceError(where, "evidence must not be empty")
    return result


def _locate(text: SourceText, quote: Any, occurrence: int | None, where: str) -> Quote:
    if not isinstance(quote, str):
        raise SourceError(where, f"a quote must be text, not {shown(quote)}")
    try:
        return text.locate(quote, occurrence)
    except ValueError as error:
        raise SourceError(where, str(error)) from None
