"""FollowTheMoney entities: the persons, companies and organisations of the registry, and a Sanction for each
listing of a source, built and validated by the followthemoney package, written as line-delimited JSON.

- An entity's ID is `sanctiongraph.<registry ID>`, a Sanction's `sanctiongraph.<source ID>.<statement ID>`.
- An entity has its label as `name`, its aliases as `alias`, its Wikidata ID, and the topic `sanction` when a
  listing names it.
- A Sanction has the listed entity, the authority's label, the regime and the sanctions list as `program`, the dates
  of `ftm.toml`, the statement's IRI as `recordId`, its summary, its evidence quotes as `description`, and the
  source's address (`sourceUrl`) and publisher. A listing that is the content of a claim is the claimant's word, not
  the source's: its summary says so ("… (claimed by Isaac Levi)").
- A listing whose listed entity has no FtM schema (a country, a sector) is left out: FtM's Sanction needs an entity.
"""

from __future__ import annotations

import json
import tomllib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from followthemoney import model
from followthemoney.proxy import EntityProxy

from sanctiongraph.files import write_atomically
from sanctiongraph.namespaces import ID, SG
from sanctiongraph.network.links import QUOTES, Links, solutions
from sanctiongraph.query.facts import Facts, load_facts
from sanctiongraph.query.library import load_queries

HERE = Path(__file__).parent
PREFIX = "sanctiongraph."


@dataclass(frozen=True)
class Exported:
    entities: list[EntityProxy]
    left_out: int  # listings whose listed entity has no FtM schema


def ftm_id(iri: str) -> str:
    """The FtM ID of a registry entity or of a statement (`<source>/<statement>` becomes `<source>.<statement>`)."""
    return PREFIX + iri.removeprefix(ID).removeprefix("source/").replace("/", ".")


def _mapping() -> dict[str, dict[str, str]]:
    with (HERE / "ftm.toml").open("rb") as handle:
        return {table: {SG + key: value for key, value in values.items()} for table, values in tomllib.load(handle).items()}


def _schema(cls: str, facts: Facts, schemata: dict[str, str]) -> str | None:
    """The FtM schema of a class: its own, else its nearest ancestor's (breadth first)."""
    seen, level = set(), [cls]
    while level:
        for current in level:
            if current in schemata:
                return schemata[current]
        seen.update(level)
        level = [parent for current in level for parent in sorted(facts.parents.get(current, [])) if parent not in seen]
    return None


def _day(earliest: str, latest: str) -> str | None:
    """A time as FtM writes dates: the day, the month or the year that holds both ends, or None."""
    for size in (10, 7, 4):
        if earliest[:size] == latest[:size]:
            return earliest[:size]
    return None


def ftm_entities(store: ox.Store) -> Exported:
    """The registry's persons, companies and organisations and a Sanction per listing, validated by followthemoney."""
    mapping = _mapping()
    links, facts = Links(store), load_facts(store)
    queries = load_queries(HERE / "queries")
    listings: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in solutions(store, queries["listings"].text):
        for key in ("listed", "authority", "regime", "list"):
            if key in row:
                listings[row["statement"]][key].add(row[key])
    facts.cover(sorted(listings) + sorted({v for fields in listings.values() for values in fields.values() for v in values}))
    wikidata: dict[str, list[str]] = defaultdict(list)
    for row in solutions(store, queries["identifiers"].text):
        wikidata[row["entity"]].append(row["wikidataId"])

    listed = {iri for fields in listings.values() for iri in fields["listed"]}
    entities: dict[str, EntityProxy] = {}
    for iri, entity in sorted(links.entities.items()):
        schema = next((s for s in (_schema(c, facts, mapping["schemata"]) for c in entity.classes) if s), None)
        if schema is None:
            continue
        proxy = model.make_entity(schema)
        proxy.id = ftm_id(iri)
        proxy.add("name", entity.label)
        proxy.add("alias", sorted(set(entity.names[1:]) - {entity.label}))
        proxy.add("wikidataId", wikidata.get(iri, []))
        if iri in listed:
            proxy.add("topics", "sanction")
        entities[iri] = proxy

    sanctions, left_out = [], 0
    for statement, fields in sorted(listings.items()):
        targets = sorted(iri for iri in fields["listed"] if iri in entities)
        if not targets:
            left_out += 1
            continue
        sanctions.append(_sanction(statement, fields, targets, facts, mapping["dates"]))
    found = sorted([*entities.values(), *sanctions], key=lambda proxy: str(proxy.id))
    for proxy in found:
        proxy.schema.validate({"properties": proxy.properties})  # raises InvalidData
    return Exported(found, left_out)


def _sanction(statement: str, fields: dict[str, set[str]], targets: list[str], facts: Facts,
              dates: dict[str, str]) -> EntityProxy:
    sanction = model.make_entity("Sanction")
    sanction.id = ftm_id(statement)
    sanction.add("entity", [ftm_id(iri) for iri in targets])
    sanction.add("authority", sorted(facts.label(iri) for iri in fields["authority"]))
    sanction.add("program", sorted(facts.label(iri) for iri in fields["regime"]) + sorted(facts.label(iri) for iri in fields["list"]))
    sanction.add("recordId", statement)
    item = facts.provenance[statement]
    claimants = sorted({facts.label(agent) for claim in item.claims for agent in facts.provenance[claim].roles["claimant"]})
    summary = facts.label(statement) + (f" (claimed by {', '.join(claimants)})" if claimants else "")
    sanction.add("summary", summary)
    sanction.add("description", QUOTES.join(f"“{e.quote}”" for e in item.evidence))
    for time in sorted(item.times, key=lambda t: (t.property, t.earliest, t.latest)):
        prop, day = dates.get(time.property), _day(time.earliest, time.latest)
        if prop and day:
            sanction.add(prop, day)
    document = facts.documents.get(item.graph)
    if document is not None:
        sanction.add("sourceUrl", document.address or [])
        sanction.add("publisher", facts.label(document.publisher) if document.publisher else [])
    return sanction


def write_ftm(entities: list[EntityProxy], path: Path) -> Path:
    """The entities as line-delimited JSON (one entity a line, as FtM's tools read them), written atomically."""
    lines = (json.dumps(proxy.to_dict(), ensure_ascii=False, sort_keys=True) + "\n" for proxy in entities)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, "".join(lines).encode("utf-8"))
