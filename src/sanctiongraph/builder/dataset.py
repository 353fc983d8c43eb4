"""Annotated sources to one RDF dataset: a named graph per source, provenance, evidence selectors."""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import os
import re
import shutil
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterator

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder import builds
from sanctiongraph.builder.cache import SourceCache
from sanctiongraph.builder.checks import CHECKS_FOLDER, run_checks
from sanctiongraph.builder.contribution import Contribution, Coverage, Local, References
from sanctiongraph.builder.exports import EXPORTS, FILES, ExportWriter
from sanctiongraph.builder.inputs import forget_links
from sanctiongraph.builder.layout import Previous
from sanctiongraph.builder.manifest import Manifest
from sanctiongraph.builder.network import Rules, shared_network, source_network
from sanctiongraph.builder.ontology import ONTOLOGY_FILES, TEMPORAL, Ontology, Property
from sanctiongraph.builder.parts import Part, Summary, render, summary_of
from sanctiongraph.builder.sources import (
    BROKEN,
    REGISTRY_FILE,
    Item,
    Source,
    draft_statements,
    drafts_refused,
    load_registry,
    load_source,
    registry_from_record,
    registry_path,
    registry_record,
    source_files,
    without_drafts,
)
from sanctiongraph.builder.store_update import LOAD_CHUNK, copied, filled, new_store, written_since
from sanctiongraph.builder.times import Day, TimeValue, parse_time
from sanctiongraph.builder.vocabulary import PROJECT_VOCABULARY, vocabulary_files
from sanctiongraph.builder.workers import Workers
from sanctiongraph.errors import CheckError, OutputError, Problems, SourceError, shown
from sanctiongraph.identity import AmbiguousName, registry_names
from sanctiongraph.namespaces import DCTERMS, GRAPH, ID, OA, OWL, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, WD, XSD, sg
from sanctiongraph.progress import QUIET, Progress
from sanctiongraph.query.store import STORE_LINK
from sanctiongraph.suggestions import did_you_mean

_QID = re.compile(r"Q[1-9][0-9]{0,11}")  # as ontology/checks/identifiers.rq, which reports the others
_DIGITS = 18  # digits of a number before (and after) its decimal point: what Oxigraph's xsd:integer and xsd:decimal hold
ONTOLOGY_GRAPH = ox.NamedNode(GRAPH + "ontology")
REGISTRY_GRAPH = ox.NamedNode(GRAPH + "registry")
LINKS_GRAPH = ox.NamedNode(GRAPH + "links")
PROVENANCE_GRAPH = ox.NamedNode(GRAPH + "provenance")  # the build's own description; each source's is in provenance_graph(id)
_UNIT_TYPE = {"year": TIME + "unitYear", "month": TIME + "unitMonth", "day": TIME + "unitDay"}
_XSD_OF = {"year": (TIME + "inXSDgYear", XSD + "gYear"), "month": (TIME + "inXSDgYearMonth", XSD + "gYearMonth"),
           "day": (TIME + "inXSDDate", XSD + "date")}


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


def text(value: str, language: str | None = None) -> ox.Literal:
    return ox.Literal(value, language=language) if language else ox.Literal(value)


def source_iri(source_id: str) -> str:
    return f"{ID}source/{source_id}"


def source_graph(source_id: str) -> ox.NamedNode:
    return iri(f"{GRAPH}source/{source_id}")


def provenance_graph(source_id: str) -> ox.NamedNode:
    """The graph that describes a source's document and its named graph, and the activity that built them."""
    return iri(f"{GRAPH}provenance/{source_id}")


@dataclass
class Dataset:
    """The built dataset: its parts (the ontology and registry, each source, the build), where each minted IRI was
    declared, and the sentence coverage; with a cache, how many sources it reused and which shared inputs changed since
    the last build (all sources rebuilt), and the previous build's exports if they can be copied from."""

    parts: list[Part | Summary]
    locations: dict[str, str]
    coverage: list[Coverage]
    sources: int
    statements: int
    reused: int = 0
    changed_inputs: list[str] = field(default_factory=list)
    cache: SourceCache | None = None  # to commit once the build is published
    previous: Previous | None = None
    shared_digest: str = ""  # of what every graph and check depends on (_shared_digest): the manifest's, with a cache

    @property
    def quads(self) -> list[ox.Quad]:
        """The quads of every part, parsed again from their N-Quads (for tests and benchmarks: a build keeps them
        rendered, sanctiongraph.builder.parts): of a build without a previous one to copy from."""
        rendered = [part for part in self.parts if isinstance(part, Part)]
        if len(rendered) != len(self.parts):
            raise ValueError("the quads of a part copied from the previous build are not kept")
        data = b"".join(blocks.text["nq"] for part in rendered for blocks in part.graphs.values())
        return list(ox.parse(data, format=ox.RdfFormat.N_QUADS))


class _Emitter:
    def __init__(self) -> None:
        self.quads: list[ox.Quad] = []
        self._predicates: dict[str, ox.NamedNode] = {}  # a few dozen, each used up to a million times

    def add(self, graph: ox.NamedNode, subject: str, predicate: str, obj: ox.NamedNode | ox.Literal) -> None:
        node = self._predicates.get(predicate)
        if node is None:
            node = self._predicates[predicate] = iri(predicate)
        self.quads.append(ox.Quad(iri(subject), node, obj, graph))

    def time(self, graph: ox.NamedNode, node: str, value: TimeValue) -> None:
        """An OWL-Time instant or interval, with its bounds, its words as written and its basis."""
        if value.end is None:
            self._instant(graph, node, value.start)
        else:
            self.add(graph, node, RDF + "type", iri(TIME + "ProperInterval"))
            for suffix, day, link in (("start", value.start, "hasBeginning"), ("end", value.end, "hasEnd")):
                self.add(graph, node, TIME + link, iri(f"{node}/{suffix}"))
                self._instant(graph, f"{node}/{suffix}", day)
                self.add(graph, f"{node}/{suffix}", sg.earliest, typed(day.earliest.isoformat(), XSD + "date"))
                self.add(graph, f"{node}/{suffix}", sg.latest, typed(day.latest.isoformat(), XSD + "date"))
        self.add(graph, node, sg.earliest, typed(value.earliest.isoformat(), XSD + "date"))
        self.add(graph, node, sg.latest, typed(value.latest.isoformat(), XSD + "date"))
        if value.as_written:
            self.add(graph, node, sg.asWritten, text(value.as_written))
        if value.basis:
            self.add(graph, node, sg.basis, text(value.basis))

    def _instant(self, graph: ox.NamedNode, node: str, day: Day) -> None:
        predicate, datatype = _XSD_OF[day.precision]
        self.add(graph, node, RDF + "type", iri(TIME + "Instant"))
        self.add(graph, node, predicate, typed(day.text, datatype))
        self.add(graph, node, TIME + "unitType", iri(_UNIT_TYPE[day.precision]))


@contextlib.contextmanager
def without_cycle_collection(freeze: bool = False) -> Iterator[None]:
    """Pause Python's cyclic garbage collector while making many objects and no reference cycles: each pass of the
    collector walks all of them (10,000 sources: reading them 13.6 s -> 8.3 s; the network file, 0.1 to 0.26 s -> 0.08 s).
    With freeze, the objects left when it resumes are frozen (gc.freeze): a build leaves millions, and the first pass
    after it would walk every one of them (an edit at 10,000 sources: 0.1 s), as would the process's exit. A process
    that pauses it again (a --watch, a notebook) first has them collected as usual, once; without freeze, nothing is
    frozen, so that a reader called again and again (to_networkx in a notebook) does not collect everything each time
    (0.05 s a call at 10,000 sources)."""
    enabled = gc.isenabled()
    if enabled and gc.get_freeze_count():
        gc.unfreeze()
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@without_cycle_collection(freeze=True)
def build_dataset(sources_folder: Path, ontology_folder: Path, allow_drafts: bool = False, progress: Progress = QUIET,
                  cache_folder: Path | None = None, previous: Path | None = None, jobs: int | None = None) -> Dataset:
    """Read the ontology, the registry and every annotated source, and return the dataset (without draft
    statements if allow_drafts, else refusing them). With a cache folder, a source whose contribution is cached
    there is not read again (sanctiongraph.builder.cache); and only its summary is read, if the previous build
    folder has it as it is in exports that can be copied from (sanctiongraph.builder.layout). The sources are read
    and minted on jobs worker processes (default: one per core; sanctiongraph.builder.workers), with the same result
    whatever their number."""
    forget_links()
    ontology = Ontology.load(ontology_folder, sources_folder)
    problems = Problems()  # every error of the sources that can be found in one run; raised once all is read
    cache = SourceCache(cache_folder, sources_folder, _shared_inputs(sources_folder, ontology_folder), allow_drafts)
    shared_digest = _shared_digest(cache.key, ontology_folder)
    known = Previous.of(previous, shared_digest)
    shared = cache.shared(known.has) if known else cache.shared()  # the ontology, the registry, its links
    if shared is not None and "registry" in shared[0]:
        registry = registry_from_record(shared[0]["registry"])
    else:
        registry = load_registry(sources_folder, ontology, problems)
    files = source_files(sources_folder)
    cached: dict[Path, Contribution] = {}
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(progress.bar("reading sources", len(files), "source"))
        for path in files:
            hit = cache.get(path, known.has) if known else cache.get(path)
            if hit is not None:
                cached[path] = hit
                bar.update()
        reading = _Reading([path for path in files if path not in cached], sources_folder, ontology, registry, cache)
        workers = stack.enter_context(Workers(len(reading.paths), _jobs(jobs, len(reading.paths)), reading.steps))
        summaries = reading.summaries(workers.run(0), problems, allow_drafts, bar)
        bar.close()
        files = [path for path in files if path in summaries or path in cached]  # one that could not be read is reported
        statements_of = {path: summary.statements for path, summary in summaries.items()}
        statements_of |= {path: list(part.statements.items()) for path, part in cached.items()}
        ids = {path: summaries[path].id if path in summaries else cached[path].id for path in files}
        reports = References({f"{ids[path]}/{statement}": Local(cls, f"{source_iri(ids[path])}/{statement}")
                              for path in files for statement, cls in statements_of[path]})
        minting = workers.run(1, dict(reports))  # the workers mint while this process does the rest
        again = _Reading([path for path, part in cached.items()  # a cached source whose references changed is built again
                          if any(dict.get(reports, name) != local for name, local in part.references.items())],
                         sources_folder, ontology, registry, cache)
        here = stack.enter_context(Workers(len(again.paths), 1, again.steps))
        summaries |= again.summaries(here.run(0), problems, allow_drafts)
        for path in again.paths:
            del cached[path]
        files = [path for path in files if path in summaries or path in cached]

        emitter = _Emitter()
        locations = {ID + entity.id: entity.where for entity in registry.values() if entity.cls != BROKEN}
        if shared is None:
            emitter.quads.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in ontology.triples)
            resolver = _Resolver(ontology, registry, emitter, reports)
            for entity in registry.values():
                if entity.cls != BROKEN:
                    with problems.collected():
                        resolver.entity(entity)
            entities = registry_record(registry)
            record = {} if entities is None else {"registry": entities}
            shared = record, cache.put_shared(emitter.quads, shared_network(emitter.quads, resolver.rules), record)
            emitter.quads.clear()
        parts: list[Part | Summary] = [shared[1]]

        minted: dict[Path, tuple[Problems, Contribution | None]] = {}
        quads = 0
        with progress.bar("minting quads", len(files), "source") as bar:
            for job, results in ((reading, minting), (again, here.run(1, dict(reports)))):
                for index, found, data in results:
                    contribution = Contribution.load(data) if data else None
                    minted[job.paths[index]] = found, contribution
                    quads += contribution.part.quads if contribution else 0
                    bar.set_postfix_str(f"{quads:,} quads", refresh=False)
                    bar.update()

    seen: dict[str, str] = {}
    contributions: list[Contribution] = []
    activities: list[str] = []  # the digest of each source's inputs
    for path in files:
        with problems.collected():
            found, part = minted[path] if path in minted else (Problems(), cached[path])
            problems.add_all(found)
            if part is None:
                continue
            if part.id in seen:
                raise SourceError(part.where, f"duplicate source id {shown(part.id)} (also in {seen[part.id]})")
            seen[part.id] = part.shown_as
            if path not in cached:
                cache.put(path, part)
            locations.update(part.locations)
            contributions.append(part)
            activities.append(cache.activity(path, part.text_digest))
    problems.raise_any()
    digest = "sha256:" + hashlib.sha256("\n".join(activities).encode()).hexdigest()  # of every source's inputs, and the shared ones
    _describe_build(emitter, f"{ID}build/{digest[7:23]}", digest)
    parts += [part.part for part in contributions]
    parts.append(render(emitter.quads))
    dataset = Dataset(parts, locations, [part.coverage for part in contributions], len(contributions),
                      sum(len(part.statements) for part in contributions))
    if cache_folder:
        dataset.reused, dataset.changed_inputs, dataset.cache = len(cached), cache.changed_inputs(), cache
        dataset.shared_digest = shared_digest
    dataset.previous = known
    return dataset


# Sources a worker process reads at the least: fewer are read in the build's own process, which forks nothing.
SOURCES_PER_WORKER = 32


def _jobs(jobs: int | None, sources: int) -> int:
    """How many worker processes read that many sources: jobs, or one per core, but no more than they keep busy."""
    wanted = jobs if jobs is not None else len(os.sched_getaffinity(0))
    return max(1, min(wanted, sources // SOURCES_PER_WORKER))


@dataclass
class _Summary:
    """What the build needs of a source before any is minted: its id, its statements (id, class) and its drafts."""

    id: str
    statements: list[tuple[str, str]]
    drafts: list[str]


class _Reading:
    """Sources to read, validate and mint, by their index in paths: step 0 loads one and sends back its summary,
    step 1 (given every statement of every source) mints and renders it and sends back its contribution as bytes;
    on worker processes, where each source's step 1 runs in the process that loaded it, or in this one."""

    def __init__(self, paths: list[Path], sources_folder: Path, ontology: Ontology, registry: dict[str, Item],
                 cache: SourceCache) -> None:
        self.paths = paths
        self.cache = cache
        self.sources_folder = sources_folder
        self.ontology = ontology
        self.registry = registry
        self.loaded: dict[int, Source] = {}
        self.resolver: _Resolver | None = None
        self.steps = (self.load, self.mint)

    def load(self, index: int, _: None) -> tuple[tuple[_Summary | None, Problems], bytes]:
        problems = Problems()
        summary = None
        with problems.collected():
            source = load_source(self.paths[index], self.sources_folder, self.ontology, problems)
            drafts = draft_statements(source)
            self.loaded[index] = without_drafts([source], allow_drafts=True)[0]
            summary = _Summary(source.id, [(item.id, item.cls) for item in source.statements], drafts)
        return (summary, problems), b""

    def mint(self, index: int, reports: dict[str, Local]) -> tuple[Problems, bytes]:
        problems = Problems()
        source = self.loaded.pop(index, None)
        if source is None:  # it did not load
            return problems, b""
        if self.resolver is None:
            self.resolver = _Resolver(self.ontology, self.registry, _Emitter(), References(reports))
        with problems.collected():
            activity = self.cache.activity(self.paths[index], source.text.digest)
            return problems, _contribution(source, self.resolver, f"{ID}build/source/{activity[:16]}").dump()
        return problems, b""

    def summaries(self, results: Iterator[tuple[int, Any, bytes]], problems: Problems, allow_drafts: bool,
                  bar: Any = None) -> dict[Path, _Summary]:
        """The summaries of the sources that loaded, by path; their errors added to problems in the order of the
        paths, whatever the order of the results; the draft statements refused unless allowed."""
        found: dict[int, tuple[_Summary | None, Problems]] = {}
        for index, value, _ in results:
            found[index] = value
            if bar is not None:
                bar.update()
        summaries: dict[Path, _Summary] = {}
        for index, path in enumerate(self.paths):
            summary, errors = found[index]
            problems.add_all(errors)
            if summary is not None:
                summaries[path] = summary
        drafts = [draft for summary in summaries.values() for draft in summary.drafts]
        if drafts and not allow_drafts:
            raise drafts_refused(drafts)
        return summaries


def _contribution(source: Source, resolver: _Resolver, activity: str) -> Contribution:
    """Build one source into the resolver's emitter, by the activity named; its contribution holds the quads it added."""
    quads = resolver.emitter.quads
    first = len(quads)
    locations: dict[str, str] = {}
    assert isinstance(resolver.reports, References)
    resolver.reports.used.clear()
    coverage = _SourceBuilder(source, resolver, locations, activity).build()
    mine = quads[first:]
    part = render(mine, source_network(mine, source_graph(source.id).value, source_iri(source.id), resolver.rules))
    del quads[first:]
    return Contribution(source.id, source.shown_as, source.where, source.text_file, source.text.digest,
                        {item.id: item.cls for item in source.statements}, dict(resolver.reports.used),
                        part, locations, coverage)


class _Resolver:
    """Turns ontology-keyed fields into triples, checking keys against domains and values against ranges."""

    def __init__(self, ontology: Ontology, registry: dict[str, Item], emitter: _Emitter, reports: dict[str, Local]) -> None:
        self.ontology = ontology
        self.registry = registry
        self.emitter = emitter
        self.reports = reports  # every statement of every source, as SOURCE-ID/STATEMENT-ID
        self.names = registry_names(registry)

    @functools.cached_property
    def rules(self) -> Rules:
        """How the network's links are made (sanctiongraph.builder.network): read once, when a part is rendered."""
        return Rules.of(self.ontology.triples, {ID + entity.id: entity.cls for entity in self.registry.values()})

    def registered(self, value: Any, where: str) -> Item | None:
        """The registry entity a value names by its ID, a label or an alias; None when it names none."""
        if not isinstance(value, str):
            return None
        try:
            entity = self.names.resolve(value)
        except AmbiguousName as error:
            raise SourceError(where, f"{error} of {REGISTRY_FILE}") from None
        return None if entity is None else self.registry[entity]

    def entity(self, entity: Item) -> None:
        node = ID + entity.id
        add = self.emitter.add
        add(REGISTRY_GRAPH, node, RDF + "type", iri(entity.cls))
        for number, label in enumerate(entity.labels["label"]):
            if number == 0:
                add(REGISTRY_GRAPH, node, RDFS + "label", text(label, "en"))
            add(REGISTRY_GRAPH, node, SKOS + ("prefLabel" if number == 0 else "altLabel"), text(label, "en"))
        for alias in entity.labels["aliases"]:
            add(REGISTRY_GRAPH, node, SKOS + "altLabel", text(alias, "en"))
        self.fields(REGISTRY_GRAPH, node, entity, {})
        if isinstance(entity.fields.get("wikidataId"), str) and _QID.fullmatch(entity.fields["wikidataId"]):
            add(LINKS_GRAPH, node, OWL + "sameAs", iri(WD + entity.fields["wikidataId"]))

    def fields(self, graph: ox.NamedNode, node: str, item: Item, local: dict[str, Local], evidence: str | None = "") -> None:
        """Emit every field of an item; local maps the statement ids of the item's source. Raises the errors of
        all its fields at once."""
        problems = Problems()
        for name, raw in item.fields.items():
            with problems.collected():
                self.field(graph, node, item, name, raw, local, evidence)
        problems.raise_any()

    def field(self, graph: ox.NamedNode, node: str, item: Item, name: str, raw: Any, local: dict[str, Local], evidence: str | None) -> None:
        """Emit one field of an item, each of its values checked against the property's range."""
        where = item.field_where.get(name, item.where)
        prop = self.ontology.properties.get(name)
        if prop is None or prop.minted or not self.ontology.admits(prop, item.cls):
            allowed = ", ".join(self.ontology.keys_for(item.cls))
            kind = _article(self.ontology.label(item.cls))
            problem = (
                "unknown property" if prop is None
                else "property set by the builder, not by annotators:" if prop.minted
                else f"property not allowed on {kind}"
            )
            raise SourceError(where, f"{problem} {shown(name)}; {kind} takes: {allowed}{did_you_mean(name, self.ontology.keys_for(item.cls))}")
        values = raw if isinstance(raw, list) else [raw]
        for number, value in enumerate(values, start=1):
            suffix = f"-{number}" if len(values) > 1 else ""
            self.value(graph, node, prop, value, where, local, evidence, f"{node}/{name}{suffix}")

    def value(self, graph: ox.NamedNode, node: str, prop: Property, value: Any, where: str,
              local: dict[str, Local], evidence: str | None, time_node: str) -> None:
        add = self.emitter.add
        range_ = prop.range
        if self.ontology.is_datatype(range_):
            literal = _literal(value, range_, prop.name, where)  # type: ignore[arg-type]
            if prop.verbatim and evidence is not None and literal.value not in evidence:
                raise SourceError(where, f"{prop.name} {shown(literal.value)} does not occur in the statement's evidence")
            add(graph, node, prop.iri, literal)
        elif range_ == TEMPORAL:
            moment = parse_time(value, where)
            if moment.as_written and evidence is not None and moment.as_written not in evidence:
                raise SourceError(where, f"as_written {shown(moment.as_written)} does not occur in the statement's evidence")
            add(graph, node, prop.iri, iri(time_node))
            self.emitter.time(graph, time_node, moment)
        elif range_ in self.ontology.values:
            allowed = self.ontology.values[range_]
            if not isinstance(value, str) or value not in allowed:
                raise SourceError(where, f"unknown {prop.name} {shown(value)}; allowed: {', '.join(sorted(allowed))}{did_you_mean(value, allowed)}"
                                         f" (a project adds values in {PROJECT_VOCABULARY}/*.yaml beside {REGISTRY_FILE})")
            add(graph, node, prop.iri, iri(allowed[value]))
        else:
            add(graph, node, prop.iri, iri(self.reference(prop, value, where, local)))

    def reference(self, prop: Property, value: Any, where: str, local: dict[str, Local]) -> str:
        """The IRI of a statement of this source or of a registry entity, checked against the range."""
        if not isinstance(value, str):
            raise SourceError(where, f"{prop.name} must name an entity or a statement, not {shown(value)}")
        if "/" in value:  # a statement of another source
            target = self.reports.get(value)
            if target is None or target in local.values():
                source = value.split("/", 1)[0]
                others = [report for report in self.reports if report.startswith(source + "/")]
                problem = (f"the source {shown(source)} has no statement {shown(value.split('/', 1)[1])}" if others and target is None
                           else f"{shown(value)} is not a statement of another source (SOURCE-ID/STATEMENT-ID)")
                raise SourceError(where, f"{prop.name}: {problem}{did_you_mean(value, others or self.reports)}")
        else:
            target = local.get(value)
            entity = self.registered(value, where) if target is None else None
            if entity is not None:
                target = Local(entity.cls, ID + entity.id)
        if target is None:
            raise SourceError(where, f"unknown entity or statement {shown(value)} in {prop.name}"
                                     f"{did_you_mean(value, [*local, *self.registry], self.names.aliases())}")
        if prop.range and target.cls != BROKEN and not self.ontology.is_a(target.cls, prop.range):
            raise SourceError(
                where, f"{prop.name} must be {_article(self.ontology.label(prop.range))}, but {shown(value)} is {_article(self.ontology.label(target.cls))}"
            )
        return target.iri


class _SourceBuilder:
    def __init__(self, source: Source, resolver: _Resolver, locations: dict[str, str], activity: str) -> None:
        self.source = source
        self.activity = activity
        self.resolver = resolver
        self.locations = locations
        self.doc = source_iri(source.id)
        self.graph = source_graph(source.id)
        self.add = resolver.emitter.add

    def build(self) -> Coverage:
        self.first_quad = len(self.resolver.emitter.quads)
        source = self.source
        registry = self.resolver.registry
        local: dict[str, Local] = {}
        for item in source.statements:
            if item.id in registry:
                raise SourceError(item.where, f"statement id {shown(item.id)} is also an entity of {REGISTRY_FILE}")
            local[item.id] = Local(item.cls, f"{self.doc}/{item.id}")
        for broken in source.broken - set(local):
            local[broken] = Local(BROKEN, f"{self.doc}/{broken}")
        publisher = self._publisher()
        claimants: dict[str, list[str]] = defaultdict(list)
        covered: set[int] = set()
        problems = Problems()
        for item in source.statements:
            node = f"{self.doc}/{item.id}"
            self.locations[node] = item.where
            with problems.collected():
                covered |= self._statement(item, node, local, publisher)
            if item.cls == sg.Claim:
                contents = item.fields.get("claimContent", [])
                for content in contents if isinstance(contents, list) else [contents]:
                    with problems.collected():
                        claimant = self.resolver.registered(item.fields.get("claimant"), item.where)
                        if claimant is not None:
                            claimants[str(content)].append(ID + claimant.id)
        problems.raise_any()
        for item in source.statements:
            if item.cls != sg.Claim:
                for agent in sorted(set(claimants.get(item.id, [publisher]))):
                    self.add(self.graph, f"{self.doc}/{item.id}", PROV + "wasAttributedTo", iri(agent))
        self._describe()
        return self._sentences(covered)

    def _publisher(self) -> str:
        entity = self.resolver.registered(self.source.publisher, self.source.publisher_where)
        if entity is None or entity.cls != BROKEN and not self.resolver.ontology.is_a(entity.cls, sg.Organization):
            raise SourceError(self.source.publisher_where, f"publisher {shown(self.source.publisher)} is not an organisation of {REGISTRY_FILE}")
        return ID + entity.id

    def _statement(self, item: Item, node: str, local: dict[str, Local], publisher: str) -> set[int]:
        graph, add = self.graph, self.add
        ontology = self.resolver.ontology
        add(graph, node, RDF + "type", iri(item.cls))
        add(graph, node, sg.statedIn, iri(self.doc))
        summary = item.fields.get("summary")
        label = summary if isinstance(summary, str) else self._default_label(item)
        add(graph, node, RDFS + "label", text(label))
        fields = {k: v for k, v in item.fields.items() if k != "via"}
        evidence_text = "\n".join(quote.exact for quote in item.evidence) if item.evidence else None  # None: its quotes are in error
        self.resolver.fields(graph, node, Item(item.id, item.cls, fields, item.where, item.field_where), local, evidence_text)
        if ontology.is_a(item.cls, sg.Observation) and "referencePeriod" not in item.fields:
            add(graph, node, sg.asOf, iri(self.doc + "/published"))
        if item.cls == sg.Claim:
            self._reporting(item, node, publisher)
        elif "via" in item.fields:
            raise SourceError(item.field_where["via"], "'via' is allowed on claims only")
        covered: set[int] = set()
        for number, quote in enumerate(item.evidence, start=1):
            anchor = f"{node}/evidence" + (f"-{number}" if number > 1 else "")
            add(graph, node, sg.evidence, iri(anchor))
            add(graph, anchor, RDF + "type", iri(sg.Evidence))
            add(graph, anchor, RDF + "type", iri(OA + "SpecificResource"))
            add(graph, anchor, OA + "hasSource", iri(self.doc))
            add(graph, anchor, OA + "hasSelector", iri(anchor + "/quote"))
            add(graph, anchor, OA + "hasSelector", iri(anchor + "/position"))
            add(graph, anchor + "/quote", RDF + "type", iri(OA + "TextQuoteSelector"))
            add(graph, anchor + "/quote", OA + "exact", text(quote.exact))
            add(graph, anchor + "/quote", OA + "prefix", text(quote.prefix))
            add(graph, anchor + "/quote", OA + "suffix", text(quote.suffix))
            self._position(anchor + "/position", quote.span.start, quote.span.end)
            for sentence in self.source.text.sentences_overlapping(quote.span):
                add(graph, anchor, sg.sentence, iri(f"{self.doc}/sentence/{sentence.index}"))
                covered.add(sentence.index)
        return covered

    def _default_label(self, item: Item) -> str:
        """A claim reads "Ilya Seredyuk to Parliament of Kemerovo Oblast (observation)"; anything else "event <id>"."""
        ontology = self.resolver.ontology
        claimant, audience = (self.resolver.registered(item.fields.get(k), item.field_where.get(k, item.where)) for k in ("claimant", "audience"))
        if item.cls != sg.Claim or claimant is None:
            return f"{ontology.label(item.cls)} {item.id}"
        label = claimant.labels["label"][0] + (f" to {audience.labels['label'][0]}" if audience else "")
        modality = item.fields.get("modality")
        return f"{label} ({modality})" if isinstance(modality, str) else label

    def _reporting(self, item: Item, node: str, publisher: str) -> None:
        via = item.fields.get("via", [])
        reporters = via if isinstance(via, list) else [via]
        agents = []
        for reporter in reporters:
            entity = self.resolver.registered(reporter, item.field_where["via"])
            if entity is None or entity.cls != BROKEN and not self.resolver.ontology.is_a(entity.cls, sg.Agent):
                known = [e.id for e in self.resolver.registry.values() if self.resolver.ontology.is_a(e.cls, sg.Agent)]
                raise SourceError(item.field_where["via"], f"via must list agents of {REGISTRY_FILE}; {shown(reporter)} is not one"
                                                           f"{did_you_mean(reporter, known, self.resolver.names.aliases())}")
            agents.append(ID + entity.id)
        for order, agent in enumerate([*agents, publisher], start=1):
            step = f"{node}/step-{order}"
            self.add(self.graph, node, sg.reportingStep, iri(step))
            self.add(self.graph, step, RDF + "type", iri(sg.ReportingStep))
            self.add(self.graph, step, sg.reporter, iri(agent))
            self.add(self.graph, step, sg.stepOrder, typed(str(order), XSD + "integer"))

    def _position(self, node: str, start: int, end: int) -> None:
        self.add(self.graph, node, RDF + "type", iri(OA + "TextPositionSelector"))
        self.add(self.graph, node, OA + "start", typed(str(start), XSD + "nonNegativeInteger"))
        self.add(self.graph, node, OA + "end", typed(str(end), XSD + "nonNegativeInteger"))

    def _sentences(self, covered: set[int]) -> Coverage:
        text_ = self.source.text
        not_story = {s.index for quote, _ in self.source.not_story for s in text_.sentences_overlapping(quote.span)}
        coverage = Coverage(self.source.shown_as, 0, 0)
        for sentence in text_.sentences:
            node = f"{self.doc}/sentence/{sentence.index}"
            story = sentence.index not in not_story
            self.add(self.graph, node, RDF + "type", iri(sg.Sentence))
            self.add(self.graph, node, RDF + "type", iri(OA + "SpecificResource"))
            self.add(self.graph, node, OA + "hasSource", iri(self.doc))
            self.add(self.graph, node, OA + "hasSelector", iri(node + "/position"))
            self.add(self.graph, node, RDF + "value", text(sentence.text))
            self.add(self.graph, node, sg.sentenceIndex, typed(str(sentence.index), XSD + "integer"))
            self.add(self.graph, node, sg.storySentence, typed("true" if story else "false", XSD + "boolean"))
            self._position(node + "/position", sentence.span.start, sentence.span.end)
            if story:
                coverage.story += 1
                if sentence.index in covered:
                    coverage.covered += 1
                else:
                    coverage.uncovered.append(f"{self.source.shown_as}: sentence {sentence.index} carries no statement: {sentence.text[:70]!r}")
        return coverage

    def _describe(self) -> None:
        """The source document, its named graph and the activity that built it, in the source's provenance graph: as
        nanopublications do, so that a build that changes one source changes only that source's graphs."""
        source, add, doc = self.source, self.add, self.doc
        g = provenance_graph(source.id)
        self.locations[doc] = source.where
        add(g, doc, RDF + "type", iri(source.cls))
        add(g, doc, RDFS + "label", text(source.title, source.language))
        add(g, doc, DCTERMS + "title", text(source.title, source.language))
        add(g, doc, DCTERMS + "publisher", iri(ID + source.publisher))
        add(g, doc, DCTERMS + "language", typed(source.language, XSD + "language"))
        add(g, doc, SCHEMA + "creditText", text(source.attribution))
        add(g, doc, sg.textDigest, text(source.text.digest))
        add(g, doc, sg.publicationDate, iri(doc + "/published"))
        self.resolver.emitter.time(g, doc + "/published", source.published)
        if source.address:
            add(g, doc, SCHEMA + "url", typed(source.address, XSD + "anyURI"))
        for entity in sorted(self._mentions()):
            add(g, doc, SCHEMA + "mentions", iri(entity))
        self.resolver.fields(g, doc, source.description, {}, evidence=None)  # after the mentions: an author is not one
        graph = self.graph.value
        add(g, graph, RDF + "type", iri(PROV + "Bundle"))
        add(g, graph, PROV + "wasDerivedFrom", iri(doc))
        add(g, graph, sg.annotationFile, text(source.shown_as))
        add(g, graph, PROV + "wasGeneratedBy", iri(self.activity))
        add(g, self.activity, RDF + "type", iri(sg.SourceBuild))
        add(g, self.activity, PROV + "used", iri(doc))
        add(g, self.activity, PROV + "wasAssociatedWith", iri(_software()))

    def _mentions(self) -> set[str]:
        """The registry entities this source's statements refer to."""
        registry = self.resolver.registry
        return {
            q.object.value for q in self.resolver.emitter.quads[self.first_quad:]
            if isinstance(q.object, ox.NamedNode) and q.object.value.startswith(ID) and q.object.value[len(ID):] in registry
        }


def _software() -> str:
    return f"{ID}software/sanctiongraph/{__version__}"


def _describe_build(emitter: _Emitter, build_node: str, digest: str) -> None:
    """The build as a whole, in the provenance graph: a few quads, however many sources (each source's graphs name
    the activity that built them, sg:SourceBuild, which a later build that reuses them names too)."""
    g = PROVENANCE_GRAPH
    software = _software()
    emitter.add(g, build_node, RDF + "type", iri(sg.Build))
    emitter.add(g, build_node, RDF + "type", iri(PROV + "Activity"))
    emitter.add(g, build_node, PROV + "wasAssociatedWith", iri(software))
    emitter.add(g, build_node, sg.inputDigest, text(digest))
    emitter.add(g, software, RDF + "type", iri(PROV + "SoftwareAgent"))
    emitter.add(g, software, RDFS + "label", text(f"sanctiongraph {__version__}"))
    emitter.add(g, software, SCHEMA + "softwareVersion", text(__version__))


def _shared_inputs(sources_folder: Path, ontology_folder: Path) -> dict[str, Path]:
    """The files every source depends on: the ontology, the registry and the vocabularies, by a name for each."""
    named = {f"ontology/{name}": ontology_folder / name for name in ONTOLOGY_FILES} | {REGISTRY_FILE: registry_path(sources_folder)}
    for file in vocabulary_files(ontology_folder, sources_folder):
        named["ontology/" * (file.folder == ontology_folder) + file.shown_as] = file.path
    return named


def _literal(value: Any, datatype: str, name: str, where: str) -> ox.Literal:
    if datatype == XSD + "string":
        if not isinstance(value, str) or not value.strip():
            raise SourceError(where, f"{name} must be text")
        return text(value)
    if datatype == XSD + "boolean":
        if not isinstance(value, bool):
            raise SourceError(where, f"{name} must be true or false, not {shown(value)}")
        return typed("true" if value else "false", datatype)
    if datatype == XSD + "integer":
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 10**_DIGITS:
            raise SourceError(where, f"{name} must be a whole number of at most {_DIGITS} digits, not {shown(value)}")
        return typed(str(value), datatype)
    if datatype == XSD + "decimal":
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise InvalidOperation
            number = Decimal(str(value))
            exponent = number.as_tuple().exponent  # not an int for infinity and NaN
            if not isinstance(exponent, int) or exponent < -_DIGITS or number.adjusted() >= _DIGITS:
                raise InvalidOperation
        except InvalidOperation:
            raise SourceError(
                where, f"{name} must be a number of at most {_DIGITS} digits before the decimal point and {_DIGITS} after, not {shown(value)}"
            ) from None
        lexical = format(number.normalize(_EXACT) if number != number.to_integral_value() else number.to_integral_value(), "f")
        return typed(lexical, datatype)
    raise SourceError(where, f"{name}: the datatype {datatype} is not supported by the builder")


_EXACT = Context(prec=2 * _DIGITS)  # normalises every number _literal accepts without rounding it


def _article(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


@dataclass
class BuildReport:
    dataset: Dataset
    written: list[Path]
    quads: int = 0  # distinct, in all graphs
    carried_over: bool = False  # whether the store is the previous build's, updated graph by graph
    checked: list[str] | None = None  # the graphs the checks that are per graph ran on, if not all
    unchanged: bool = False  # whether the current build already held what this one would write, and was kept


# The graphs every source's graph is checked with: those of the shared inputs (unchanged when their digest is).
CONTEXT_GRAPHS = (ONTOLOGY_GRAPH.value, REGISTRY_GRAPH.value, LINKS_GRAPH.value)


@without_cycle_collection(freeze=True)
def build(sources_folder: Path, ontology_folder: Path, output_folder: Path, allow_drafts: bool = False,
          progress: Progress = QUIET, jobs: int | None = None, detached_removal: bool = False) -> BuildReport:
    """Build the dataset, validate it with the ontology's checks, and publish the exports and the store as one build.

    Under the output folder's lock: nothing is kept unless the sources load; leftovers of earlier builds are swept; a
    new build folder is written in full and checked, and only then made current (sanctiongraph.builder.builds). The
    exports are assembled from the parts of the dataset, most of them cached; the store is the current build's, copied
    while the sources are read and updated graph by graph (sanctiongraph.builder.store_update); the checks whose answer
    is per graph run on the graphs that changed, unless the shared inputs (or the checks) changed since the current
    build, and on one thread per core.
    The sources are read on jobs worker processes (build_dataset); a store that is not carried over is loaded while
    the exports are written. A build that would write what the current build holds keeps it, and writes only the cache.
    The build it replaces is removed before this returns or, with detached_removal (a command about to exit), by a
    process of its own (builds.remove_detached). An output that cannot be written (a read-only or full disk, a file
    where the folder should be) is an OutputError."""
    try:
        with builds.locked(output_folder) as created:
            try:
                current = output_folder / builds.CURRENT
                previous = current.resolve() if current.is_symlink() and current.resolve().is_dir() else None
                # The new build's folder made first, so that the previous store is copied into it while the sources are
                # read (held, so that this build's own sweep leaves it); removed unless the build is published.
                folder = builds.new_build(output_folder)
                held = builds.hold(folder)
                copy = _Background(functools.partial(copied, previous, folder)) if previous is not None else None
                loading: _Background | None = None
                report: BuildReport | None = None
                try:
                    dataset = build_dataset(sources_folder, ontology_folder, allow_drafts, progress, output_folder / builds.CACHE, previous, jobs)
                    builds.sweep(output_folder)
                    assert dataset.cache is not None
                    if dataset.previous is not None and _unchanged(dataset.parts, dataset.previous):
                        dataset.cache.commit()
                        return BuildReport(dataset, [output_folder / name for name in (*FILES, STORE_LINK)],
                                           sum(graph.triples for graph in dataset.previous.manifest.graphs.values()), checked=[], unchanged=True)
                    before = dataset.previous.manifest if dataset.previous else None  # the store is carried over from it
                    rendered = [part for part in dataset.parts if isinstance(part, Part)]  # all of them, unless copied from before
                    if before is None and len(rendered) == len(dataset.parts):
                        loading = _Background(functools.partial(_loaded, folder / STORE_LINK, rendered, copy))
                    with progress.bar("writing", len(EXPORTS) + 4, "file") as bar:  # the exports, void.ttl, the network, the store, its checks
                        shown = threading.Lock()

                        def done(what: str) -> None:  # called from three threads
                            with shown:
                                bar.set_postfix_str(what, refresh=False)
                                bar.update()
                        writer = ExportWriter(dataset.parts, folder, dataset.previous)
                        manifest = Manifest(dataset.shared_digest, writer.graphs)
                        report = BuildReport(dataset, [], sum(graph.triples for graph in manifest.graphs.values()))

                        def store() -> None:  # from the N-Quads export, once written
                            assert report is not None
                            writer.nquads(done)
                            _store_and_check(report, folder, manifest, previous, before, loading, copy, ontology_folder, done)
                        # On two threads, the store updated (or loaded) and checked, and the other files copied and
                        # written once planned (Oxigraph and the kernel's copies run without Python's lock), while
                        # this one plans them and writes VoID and the layout; the manifest last, once all is written.
                        with ThreadPoolExecutor(2) as pool:
                            stored = pool.submit(store)
                            layout = writer.plan()
                            others = pool.submit(writer.others, done)
                            writer.void(done)
                            layout.write(folder)
                            encoded = manifest.encoded()
                            stored.result()
                            dataset.cache.write()  # once the checks have passed: a build that fails leaves the cache as it was
                            others.result()
                        manifest.write(folder, encoded)
                    report.written = builds.publish(folder, [*FILES, STORE_LINK])
                finally:
                    if held is not None:
                        os.close(held)
                    if report is None or not report.written:
                        for pending in (loading, copy):
                            if pending is not None:
                                pending.discard()
                        shutil.rmtree(folder, ignore_errors=True)
                dataset.cache.commit()
                builds.sweep(output_folder, detached_removal)  # the build this one replaced
                return report
            except BaseException:
                if created:
                    shutil.rmtree(output_folder, ignore_errors=True)
                raise
    except OSError as error:
        file = f" ({error.filename})" if error.filename and Path(error.filename) != output_folder else ""
        raise OutputError(f"{output_folder}: cannot write the graph{file}: {error.strerror or error}; "
                          "the output must be a folder, or a path where one can be made, on a writable disk") from None


def _unchanged(parts: list[Part | Summary], previous: Previous) -> bool:
    """Whether the previous build holds what a build of parts would write: the same graphs with the same hashes (and,
    as Previous requires, the same shared inputs and whole exports), and a store not written since."""
    graphs = {name: graph.digest for part in parts for name, graph in summary_of(part).graphs.items()}
    return graphs == {name: graph.digest for name, graph in previous.manifest.graphs.items()} and not written_since(previous.folder)


def _sibling(graph: str) -> str:
    """The other graph of a source's two (its statements, its provenance): a check per graph sees both."""
    for one, other in ((GRAPH + "source/", GRAPH + "provenance/"), (GRAPH + "provenance/", GRAPH + "source/")):
        if graph.startswith(one):
            return other + graph[len(one):]
    return graph


def _shared_digest(cache_key: str, ontology_folder: Path) -> str:
    """What every graph and every check's answer depends on: the cache's key (sanctiongraph.builder.cache) and the checks."""
    digest = hashlib.sha256(cache_key.encode())
    for path in sorted((ontology_folder / CHECKS_FOLDER).glob("*.rq")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


class _Background(threading.Thread):
    """A store made on a thread of its own (Oxigraph runs without Python's lock): the previous build's copied while the
    sources are read, or the parts' N-Quads loaded while the exports are written."""

    def __init__(self, make: Callable[[], ox.Store | None]) -> None:
        super().__init__(name="sanctiongraph-store", daemon=True)
        self.make = make
        self.store: ox.Store | None = None
        self.error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self.store = self.make()
        except BaseException as error:  # raised by result()
            self.error = error

    def result(self) -> ox.Store | None:
        """The store, once made; the caller holds the one reference to it (and so closes it)."""
        self.join()
        store, self.store = self.store, None
        if self.error is not None:
            raise self.error
        return store

    def discard(self) -> None:
        self.join()
        self.store = None


def _loaded(target: Path, parts: list[Part], copy: _Background | None) -> ox.Store:
    """A store in the folder target holding the parts' quads (those that several parts hold loaded once each: a store is
    a set), in place of the copy of the previous build's, if one was made there."""
    if copy is not None:
        copy.discard()
        shutil.rmtree(target, ignore_errors=True)
    return filled(target, _slices(parts))


def _slices(parts: list[Part]) -> Iterator[bytes]:
    """The N-Quads of every graph of the parts, whole lines, about LOAD_CHUNK bytes at a time."""
    batch: list[bytes | memoryview] = []
    size = 0
    for part in parts:
        for blocks in part.graphs.values():
            batch.append(blocks.text["nq"])
            size += len(blocks.text["nq"])
            if size >= LOAD_CHUNK:
                yield b"".join(batch)
                batch, size = [], 0
    if batch:
        yield b"".join(batch)


def _store_and_check(report: BuildReport, folder: Path, manifest: Manifest, previous: Path | None, before: Manifest | None,
                     loading: _Background | None, copy: _Background | None, ontology_folder: Path, done: Callable[[str], None]) -> None:
    """The build's store (loading, or the copy of the previous build's updated when it can be) and its checks: those
    whose answer is per graph only on the graphs that changed and their context, when the previous build had the same
    shared inputs (it passed every check, so the graphs that did not change pass them still)."""
    if loading is not None:
        store, report.carried_over = loading.result(), False
        assert store is not None
    else:
        store, report.carried_over = new_store(folder, manifest, previous, before, copy.result() if copy is not None else None)
    done(STORE_LINK)
    if before is not None:
        changed = {name for name, graph in manifest.graphs.items() if name not in before.graphs or before.graphs[name].digest != graph.digest}
        report.checked = sorted({*changed, *map(_sibling, changed), *CONTEXT_GRAPHS} & set(manifest.graphs))
    try:
        violations = run_checks(store, ontology_folder, report.dataset.locations, report.checked)
        done("checks")
    finally:
        del store  # closes it before its build is removed or published (its log not flushed: store_update.copied)
    if violations:
        raise CheckError(violations)
