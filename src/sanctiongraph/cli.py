"""The sanctiongraph command: thin subcommands over the library."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import pyoxigraph as ox

from sanctiongraph import __version__
from sanctiongraph.builder.dataset import build
from sanctiongraph.errors import SanctionGraphError, UsageError, reported, shown
from sanctiongraph.files import write_atomically
from sanctiongraph.progress import Progress, on_terminal
from sanctiongraph.project import (
    PROJECT_ENV,
    Project,
    find_project,
    init_project,
    library_folders,
    ontology_folder,
    project_if_any,
    views_folder,
)
from sanctiongraph.query.endpoint import ENDPOINT_PASSWORD, ENDPOINT_USER, Endpoint
from sanctiongraph.query.library import load_queries, parse_query
from sanctiongraph.query.output import format_for, write_output
from sanctiongraph.query.results import GRAPH_FORMATS, ROW_FORMATS, render
from sanctiongraph.query.running import (
    DEFAULT_TIMEOUT,
    Result,
    Term,
    labels_for,
    resolve,
    run_query,
)
from sanctiongraph.query.store import open_store

if TYPE_CHECKING:
    from sanctiongraph.network.links import Filters

# The modules of the network, the views, the server, publishing and the interchange formats (networkx, jinja2,
# waitress and more) are imported by the commands that use them: a build loads none of them.

def _project(args: argparse.Namespace) -> Project:
    """The project of this command: --project, else $SANCTIONGRAPH_PROJECT, else the nearest one upwards."""
    return find_project(args.project)


def _library(args: argparse.Namespace) -> tuple[Path, ...]:
    """The named queries: the packaged library and the project's own, if there is a project."""
    return library_folders(project_if_any(args.project))


def _init(args: argparse.Namespace) -> int:
    created = init_project(args.folder)
    if not args.quiet:
        print(f"made the project {created.root}: add sources to {created.sources}, then run `sanctiongraph build` in it", file=sys.stderr)
    return 0


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {value!r}")
    return int(value)


def _build(args: argparse.Namespace) -> int:
    sources, output = args.sources or _project(args).sources, args.output or _project(args).graph
    if args.watch:
        from sanctiongraph.builder.watch import rebuild_on_save

        rebuild_on_save([sources, args.ontology], partial(_build_once, args, sources, output), ignored=[output],
                        quiet=args.quiet)
    else:
        _build_once(args, sources, output)
    return 0


def _build_once(args: argparse.Namespace, sources: Path, output: Path) -> None:
    report = build(sources, args.ontology, output, allow_drafts=args.allow_drafts, progress=Progress(on_terminal(args.quiet)),
                   jobs=args.jobs, detached_removal=not args.watch)
    dataset = report.dataset
    if not args.quiet:
        covered = sum(c.covered for c in dataset.coverage)
        story = sum(c.story for c in dataset.coverage)
        for coverage in dataset.coverage:
            for line in coverage.uncovered:
                print(f"warning: {line}", file=sys.stderr)
        if dataset.changed_inputs:
            print(f"changed since the last build: {', '.join(dataset.changed_inputs)}; every source was built again "
                  "and every check run on the whole graph", file=sys.stderr)
        reused = f" ({dataset.reused} unchanged, from the cache)" if dataset.reused else ""
        written = (f"nothing changed since the last build: kept its {len(report.written)} files in {output}" if report.unchanged
                   else f"wrote {len(report.written)} files to {output}")
        print(
            f"built {dataset.sources} source(s){reused}, {dataset.statements} statements, {report.quads} quads; "
            f"{covered}/{story} story sentences carry a statement; {written}",
            file=sys.stderr, flush=True,
        )


def _queries(args: argparse.Namespace) -> int:
    for query in load_queries(*_library(args)).values():
        print(f"{query.name}\n    {query.title}")
        for parameter in query.parameters:
            default = "required" if parameter.default is None else "optional" if parameter.optional else f"default {parameter.default}"
            print(f"    --param {parameter.name}=<{parameter.type}>  {parameter.description} ({default}; e.g. {parameter.example})")
    return 0


def _query(args: argparse.Namespace) -> int:
    given = [x for x in (args.name, args.file, args.sparql) if x is not None]
    if len(given) != 1:
        raise UsageError("give exactly one of: a query NAME, --file FILE, --sparql TEXT")
    if args.file is not None:
        try:
            query = parse_query(args.file.read_text(encoding="utf-8"), args.file.stem)
        except OSError as error:
            raise UsageError(f"cannot read {args.file}: {error.strerror}") from None
    else:
        query = resolve(args.name, _library(args)) if args.name is not None else parse_query(args.sparql, "<sparql>")
    params = dict(_key_value(item) for item in args.param)
    graph = None if args.endpoint else args.graph or _project(args).graph
    target = {"endpoint": args.endpoint, "graph": graph, "timeout": args.timeout}
    result = run_query(query, params, **target)
    to_terminal = args.output == "-" and sys.stdout.isatty()
    fmt = args.format or format_for(args.output, result.kind, to_terminal)
    data = render(result, fmt, lambda iris: labels_for(iris, **target))
    write_output(data, args.output)
    return 0


def _key_value(item: str) -> tuple[str, str]:
    key, separator, value = item.partition("=")
    if not separator or not key:
        raise UsageError(f"--param takes KEY=VALUE, not {shown(item)}")
    return key, value


def _viz_graph(args: argparse.Namespace) -> Path | None:
    """The built graph folder `viz` draws from; none with --endpoint."""
    return None if args.endpoint else args.graph or _project(args).graph


def _viz(args: argparse.Namespace) -> int:
    from sanctiongraph import viz

    folder = None if args.output else _project(args).viz
    graph = _viz_graph(args) or Endpoint(args.endpoint, timeout=DEFAULT_TIMEOUT)
    view, path = viz.draw(graph, args.make_view(args), output=args.output, folder=folder,
                          max_nodes=args.max_nodes)
    if not args.quiet:
        print(f"wrote {path}: {len(view.nodes)} nodes, {len(view.edges)} edges", file=sys.stderr)
    return 0


def _viz_options(viz_parser: argparse.ArgumentParser) -> None:
    from sanctiongraph import viz

    common = argparse.ArgumentParser(add_help=False)
    store = common.add_mutually_exclusive_group()
    store.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    store.add_argument("--endpoint", metavar="URL", help="draw from this SPARQL 1.1 endpoint instead of the built store "
                       f"(credentials from ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD})")
    common.add_argument("--output", "-o", type=Path, help="the HTML file to write (default: the project's viz/<view>.html)")
    common.add_argument("--source", metavar="ID", help="only what this source states or relays")
    common.add_argument("--max-nodes", type=int, default=viz.MAX_NODES,
                        help="refuse views with more nodes than this (default: %(default)s)")
    common.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    views = viz_parser.add_subparsers(dest="view", required=True, metavar="VIEW")
    views.add_parser("overview", parents=[common], help="the whole knowledge network").set_defaults(
        make_view=lambda a: partial(viz.overview, source=a.source))
    entity = views.add_parser("entity", parents=[common], help="the neighbourhood of one entity")
    entity.add_argument("entity", metavar="ID", help="a registry ID (putin) or an IRI")
    entity.add_argument("--hops", type=int, default=2,
                        help="how many edges out (default: %(default)s; an entity and the others its statements name are 2 apart)")
    entity.set_defaults(make_view=lambda a: partial(viz.entity_view, entity=a.entity, hops=a.hops, source=a.source,
                                                                max_nodes=a.max_nodes))
    query = views.add_parser("query", parents=[common], help="the network of a CONSTRUCT query")
    chosen = query.add_mutually_exclusive_group(required=True)
    chosen.add_argument("name", nargs="?", metavar="NAME", help=f"a view query of {views_folder()}")
    chosen.add_argument("--file", type=Path, help="any CONSTRUCT query file, with # title: and # description: lines")
    query.set_defaults(make_view=lambda a: partial(viz.query_view, query=viz.view_query(a.file or a.name), source=a.source))
    path = views.add_parser("path", parents=[common], help="the shortest connections between two entities")
    path.add_argument("start", metavar="ID1")
    path.add_argument("end", metavar="ID2")
    path.set_defaults(make_view=lambda a: partial(viz.path_view, start=a.start, end=a.end, source=a.source, folder=_viz_graph(a)))
    viz_parser.set_defaults(run=_viz)


def _filters(args: argparse.Namespace) -> Filters:
    from sanctiongraph.network.links import Filters, day

    return Filters(tuple(args.source), day(args.since, "--from"), day(args.until, "--to"), args.evidence_only)


def _write_rows(args: argparse.Namespace, result: Result) -> None:
    """A network answer written as `sanctiongraph query` writes rows."""
    fmt = args.format or format_for(args.output, result.kind, args.output == "-" and sys.stdout.isatty())
    write_output(render(result, fmt, lambda iris: labels_for(iris, graph=args.graph or _project(args).graph)), args.output)


def _path(args: argparse.Namespace) -> int:
    from sanctiongraph.network import links_of
    from sanctiongraph.network.paths import hop_rows, shortest_connections

    links = links_of(args.graph or _project(args).graph, _filters(args))
    found = shortest_connections(links, args.start, args.end, max_hops=args.max_hops)
    if not found.routes:
        print(f"no connection between {links.label(found.start)} and {links.label(found.end)} within {args.max_hops} "
              f"hops ({links.filters.describe()})", file=sys.stderr)
    elif not args.quiet:
        print(f"{len(found.routes)} shortest connection(s) of {found.length} hop(s) between {links.label(found.start)} "
              f"and {links.label(found.end)}", file=sys.stderr)
    _write_rows(args, hop_rows(found, links))
    return 0


def _analyze(args: argparse.Namespace) -> int:
    from sanctiongraph.network import network_of
    from sanctiongraph.network.analytics import exposure_rows, score_rows, scores
    from sanctiongraph.query.facts import load_facts
    from sanctiongraph.viz.page import write_view
    from sanctiongraph.viz.views import scored_view

    graph_folder = args.graph or _project(args).graph
    network = network_of(graph_folder, _filters(args))
    if args.what == "exposure":
        _write_rows(args, exposure_rows(network.graph, network.found, hops=args.hops))
        return 0
    found = scores(network.graph)
    _write_rows(args, score_rows(network.graph, found, by=args.by, top=args.top))
    if args.view is not None:
        store = open_store(graph_folder)
        view = scored_view(store, _filters(args), network.found, args.by, found.by_name[args.by], max_nodes=args.max_nodes)
        write_view(view, load_facts(store), args.view, max_nodes=args.max_nodes)
        if not args.quiet:
            print(f"wrote {args.view}: {len(view.nodes)} nodes, {len(view.edges)} edges", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    from sanctiongraph.network import network_of
    from sanctiongraph.network.analytics import scores
    from sanctiongraph.network.gephi import scored, write_graph

    network = network_of(args.graph or _project(args).graph, _filters(args))
    written = write_graph(scored(network.graph, scores(network.graph)), args.fmt, args.file)
    if not args.quiet:
        print(f"wrote {written}: {network.graph.number_of_nodes()} entities, {network.graph.number_of_edges()} links", file=sys.stderr)
    return 0


def _network_options(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the options of every network command to parser: the graph, the filters and the output."""
    parser.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    parser.add_argument("--source", action="append", default=[], metavar="ID",
                        help="only the statements of this source (repeatable); registry links are kept")
    parser.add_argument("--from", dest="since", metavar="DAY", help="only statements that hold on or after this day (YYYY-MM-DD)")
    parser.add_argument("--to", dest="until", metavar="DAY", help="only statements that hold on or before this day (YYYY-MM-DD)")
    parser.add_argument("--evidence-only", action="store_true", help="only links with evidence: no registry links")
    parser.add_argument("--format", "-f", choices=ROW_FORMATS,
                        help="output format (default: table on a terminal, else from the -o extension, else csv)")
    parser.add_argument("--output", "-o", default="-", help="write to this file; - for standard output (default)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    return parser


def _path_options(path: argparse.ArgumentParser) -> None:
    from sanctiongraph.network.paths import MAX_HOPS

    _network_options(path)
    path.add_argument("start", metavar="A", help="an entity: registry ID, IRI, label or alias")
    path.add_argument("end", metavar="B", help="another entity")
    path.add_argument("--max-hops", type=int, default=MAX_HOPS, help="the longest connection to look for (default: %(default)s)")
    path.set_defaults(run=_path)


def _analyze_options(analyze: argparse.ArgumentParser) -> None:
    from sanctiongraph.network.analytics import SCORES
    from sanctiongraph.viz.views import MAX_NODES

    _network_options(analyze)
    analyze.add_argument("what", nargs="?", choices=("centrality", "exposure"), default="centrality",
                         help="centrality: degree, betweenness, PageRank and community of every entity (default); "
                              "exposure: the entities near a listed or sanctioned one, with the path")
    analyze.add_argument("--by", choices=SCORES, default="pagerank", help="the score to rank, size and colour by (default: %(default)s)")
    analyze.add_argument("--top", type=int, help="only the first N entities")
    analyze.add_argument("--hops", type=int, default=2, help="exposure: how many links from a listed or sanctioned entity (default: %(default)s)")
    analyze.add_argument("--view", type=Path, metavar="HTML", help="also write a network view, nodes sized and coloured by --by")
    analyze.add_argument("--max-nodes", type=int, default=MAX_NODES, help="refuse a --view with more nodes than this (default: %(default)s)")
    analyze.set_defaults(run=_analyze)


def _export_options(export: argparse.ArgumentParser) -> None:
    formats = export.add_subparsers(dest="fmt", required=True, metavar="FORMAT")
    filters = _network_options(argparse.ArgumentParser(add_help=False))
    for fmt, tool in (("graphml", "GraphML (networkx, igraph, yEd, Cytoscape)"), ("gexf", "GEXF 1.2 (Gephi)")):
        one = formats.add_parser(fmt, parents=[filters], help=f"the network as {tool}, with labels, classes and scores")
        one.add_argument("file", type=Path, metavar="FILE", help="the file to write")
        one.set_defaults(run=_export)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    common.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    for fmt, what, run in (("ftm", "persons, companies, organisations and sanctions as FollowTheMoney entities (JSON lines)", _export_ftm),
                           ("annotations", "every evidence quote as a W3C Web Annotation (JSON-LD)", _export_annotations)):
        one = formats.add_parser(fmt, parents=[common], help=what)
        one.add_argument("file", type=Path, metavar="FILE", help="the file to write")
        one.set_defaults(run=run)


def _export_ftm(args: argparse.Namespace) -> int:
    try:  # followthemoney loads its model only for this command
        from sanctiongraph.interchange import ftm
    except ImportError as error:
        raise SanctionGraphError(f"the FollowTheMoney export needs {error.name}: pip install 'sanctiongraph[ftm]'") from None

    exported = ftm.ftm_entities(open_store(args.graph or _project(args).graph))
    written = ftm.write_ftm(exported.entities, args.file)
    if not args.quiet:
        kinds = Counter(str(proxy.schema.name) for proxy in exported.entities)
        print(f"wrote {written}: {', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}"
              + (f"; {exported.left_out} listing(s) of entities FtM has no schema for left out" if exported.left_out else ""),
              file=sys.stderr)
    return 0


def _export_annotations(args: argparse.Namespace) -> int:
    from sanctiongraph.interchange.web_annotation import (
        annotation_collection,
        write_annotations,
    )

    collection = annotation_collection(open_store(args.graph or _project(args).graph))
    written = write_annotations(collection, args.file)
    if not args.quiet:
        print(f"wrote {written}: {collection['total']} annotations", file=sys.stderr)
    return 0


def _import_annotations(args: argparse.Namespace) -> int:
    from sanctiongraph.interchange.evidence_import import import_annotations

    found = import_annotations(args.file, args.source, args.sources or _project(args).sources, ontology_folder())
    if found.content is not None:
        write_atomically(found.output, found.content.encode("utf-8"))
    if not args.quiet:
        done = f"wrote {len(found.drafts)} draft statement(s) to {found.output}" if found.drafts else f"nothing new for {found.output}"
        print(f"{done}; {found.unchanged} quote(s) already evidence of their statements"
              + (f"; {found.elsewhere} annotation(s) of other sources left alone" if found.elsewhere else ""), file=sys.stderr)
    return 0


def _import_options(imports: argparse.ArgumentParser) -> None:
    kinds = imports.add_subparsers(dest="kind", required=True, metavar="KIND")
    annotations = kinds.add_parser("annotations", help="W3C Web Annotations of a source's text, merged into its annotation as drafts")
    annotations.add_argument("file", type=Path, metavar="FILE", help="a JSON-LD file of annotations (as `export annotations` writes)")
    annotations.add_argument("--source", required=True, metavar="ID", help="the source whose text the annotations quote")
    annotations.add_argument("--sources", type=Path, help="folder of entities.yaml and articles/ (default: the project's sources/)")
    annotations.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    annotations.set_defaults(run=_import_annotations)


def _publish(args: argparse.Namespace) -> int:
    from sanctiongraph.query.publish import publish
    from sanctiongraph.query.remote import Bulk, connect

    if args.bulk and (args.protocol != "graph-store" or not args.query_endpoint):
        raise UsageError("--bulk needs the Graph Store protocol and --query-endpoint (where the store's graphs are listed)")
    remote = connect(args.url, protocol=args.protocol, query_url=args.query_endpoint, update_url=args.update_endpoint, timeout=args.timeout)
    bulk = Bulk(args.url, args.query_endpoint, args.timeout) if args.bulk else None
    done = publish(args.graph or _project(args).graph, remote, dry_run=args.dry_run, connections=args.connections, bulk=bulk)
    changes = done.plan
    if args.dry_run:
        for graph in changes.send:
            print(f"send {graph.iri} ({graph.triples} triples)")
        for iri in changes.delete:
            print(f"delete {iri}")
    if not args.quiet:
        verb = ("would send", "would delete") if args.dry_run else ("sent", "deleted")
        triples = sum(graph.triples for graph in changes.send) if args.dry_run else done.triples
        print(f"{args.url}: {verb[0]} {len(changes.send)} graph(s) ({triples} triples), {verb[1]} {len(changes.delete)}, "
              f"{changes.unchanged} unchanged" + ("" if args.dry_run else f"; {done.seconds:.1f} s"), file=sys.stderr)
    return 0


def _annotate(args: argparse.Namespace) -> int:
    try:  # spaCy and the other libraries load only for this command
        from sanctiongraph.annotate import assistant, review
    except ImportError as error:
        raise SanctionGraphError(f"the annotation assistant needs {error.name}: pip install 'sanctiongraph[annotate]'") from None

    request = assistant.Request(args.text, args.id, args.publisher, args.published, args.title, args.output, args.force)
    found = assistant.annotate(request, args.sources or _project(args).sources, ontology_folder())
    write_atomically(found.output, found.content.encode("utf-8"))
    page = review.write_page(found) if args.html else None
    if not args.quiet:
        kinds = Counter(d.kind for d in found.drafts)
        known = {m.entity for m in found.mentions if m.entity}
        print(f"wrote {found.output}: {len(found.drafts)} drafts ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}); "
              f"{found.kept} reviewed statements kept; {len(known)} registry entities named"
              + (f"; review page {page}" if page else ""), file=sys.stderr)
    return 0


def _registry_find(args: argparse.Namespace) -> int:
    from sanctiongraph.builder.ontology import Ontology
    from sanctiongraph.builder.sources import load_registry
    from sanctiongraph.identity import registry_names
    from sanctiongraph.namespaces import XSD

    sources = args.sources or _project(args).sources
    names = registry_names(load_registry(sources, Ontology.load(args.ontology, sources)))
    candidates = names.find(args.name, limit=args.limit)
    rows: list[tuple[Term | None, ...]] = [(ox.Literal(c.id), ox.Literal(c.label), ox.Literal(c.matched), ox.Literal(f"{c.score:.1f}", datatype=ox.NamedNode(XSD + "decimal")))
            for c in candidates]
    result = Result("select", ["id", "label", "matched", "score"], rows)
    fmt = args.format or format_for(args.output, result.kind, args.output == "-" and sys.stdout.isatty())
    write_output(render(result, fmt), args.output)
    return 0


def _corpus(args: argparse.Namespace) -> int:
    from sanctiongraph.corpus import generate

    info = generate(args.output or _project(args).sources, sources=args.size, seed=args.seed)
    if not args.quiet:
        print(f"generated {info.sources} source(s), {info.statements} statements, {info.entities} entities in {info.folder}", file=sys.stderr)
    return 0


def _init_options(init_parser: argparse.ArgumentParser) -> None:
    init_parser.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    init_parser.set_defaults(run=_init)


def _build_options(build_parser: argparse.ArgumentParser) -> None:
    build_parser.add_argument("--sources", type=Path, help="folder of entities.yaml and articles/ (default: the project's sources/)")
    build_parser.add_argument("--ontology", type=Path, default=ontology_folder(), help="folder of the ontology and its checks (default: %(default)s)")
    build_parser.add_argument("--output", "-o", type=Path, help="folder the exports are written to (default: the project's graph/)")
    build_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    build_parser.add_argument("--allow-drafts", action="store_true",
                              help="a preview: leave out the draft statements (marked draft:) instead of refusing them")
    build_parser.add_argument("--watch", "-w", action="store_true",
                              help="build, then build again whenever a file of the sources or the ontology is saved, until Ctrl-C")
    build_parser.add_argument("--jobs", "-j", type=_jobs, metavar="N",
                              help="worker processes that read the sources (default: one per core; 1: none, all in this process)")
    build_parser.set_defaults(run=_build)


def _queries_options(list_parser: argparse.ArgumentParser) -> None:
    list_parser.set_defaults(run=_queries)


def _query_options(query_parser: argparse.ArgumentParser) -> None:
    query_parser.add_argument("name", nargs="?", help="the name of a library query (see `sanctiongraph queries`)")
    query_parser.add_argument("--file", type=Path, help="run the query in this .rq file")
    query_parser.add_argument("--sparql", help="run this SPARQL text")
    query_parser.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE", help="bind a parameter (repeatable)")
    query_parser.add_argument("--format", "-f", choices=sorted(set(ROW_FORMATS + GRAPH_FORMATS)),
                              help="output format (default: table on a terminal, else from the -o extension, else csv or turtle)")
    query_parser.add_argument("--output", "-o", default="-", help="write to this file; - for standard output (default)")
    query_parser.add_argument("--endpoint", help="run on this SPARQL 1.1 endpoint instead of the built store; "
                              f"credentials from ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD}")
    query_parser.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    query_parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="time limit in seconds; 0 for none (default: %(default)s)")
    query_parser.set_defaults(run=_query)


def _registry_options(registry_parser: argparse.ArgumentParser) -> None:
    registry_commands = registry_parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    find_parser = registry_commands.add_parser("find", help="the entities whose ID, label or alias comes close to a name, best first")
    find_parser.add_argument("name", metavar="NAME", help="a name as a source writes it (Kuzbass, Seredyuk, Kemerovo region)")
    find_parser.add_argument("--limit", "-n", type=int, default=10, help="at most this many entities (default: %(default)s)")
    find_parser.add_argument("--sources", type=Path, help="folder of entities.yaml (default: the project's sources/)")
    find_parser.add_argument("--ontology", type=Path, default=ontology_folder(), help=argparse.SUPPRESS)
    find_parser.add_argument("--format", "-f", choices=ROW_FORMATS,
                             help="output format (default: table on a terminal, else from the -o extension, else csv)")
    find_parser.add_argument("--output", "-o", default="-", help="write to this file; - for standard output (default)")
    find_parser.set_defaults(run=_registry_find)


def _corpus_options(corpus_parser: argparse.ArgumentParser) -> None:
    corpus_parser.add_argument("output", type=Path, nargs="?", metavar="FOLDER",
                               help="a new folder to write entities.yaml and articles/ into (build it with --sources), or a folder of "
                                    "sources with its entities.yaml, which the generated sources join (default: the project's sources/)")
    corpus_parser.add_argument("--size", "-n", type=int, default=100, help="number of sources (default: %(default)s)")
    corpus_parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed and size give the same files (default: %(default)s)")
    corpus_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    corpus_parser.set_defaults(run=_corpus)


def _publish_options(publish_parser: argparse.ArgumentParser) -> None:
    from sanctiongraph.query.publish import BULK_CONNECTIONS, CONNECTIONS

    publish_parser.add_argument("url", metavar="URL", help="the store's Graph Store Protocol endpoint (or, with --protocol update, "
                                f"its SPARQL Update endpoint); credentials from ${ENDPOINT_USER} and ${ENDPOINT_PASSWORD}")
    publish_parser.add_argument("--protocol", choices=("graph-store", "update"), default="graph-store",
                                help="how graphs are written: the Graph Store Protocol, or SPARQL Update in chunks (default: %(default)s)")
    publish_parser.add_argument("--query-endpoint", metavar="URL", help="with --protocol update: where the manifest is read (default: URL); "
                                "with --bulk: where the store's graphs are listed (and, on Virtuoso, its loader called)")
    publish_parser.add_argument("--update-endpoint", metavar="URL", help="with --protocol graph-store: the store's SPARQL Update endpoint, "
                                "to send many small graphs in one request (one transaction) there; larger graphs still go by PUT (not for Virtuoso 7: see the guide)")
    publish_parser.add_argument("--bulk", action="store_true", help="send the graphs the store does not have yet to its own bulk "
                                "loader (Oxigraph server's no_transaction; Virtuoso's TTLP, with --query-endpoint its /sparql-auth and "
                                "an account of the dba group), a few MB of N-Quads a request: for a first load; see the guide")
    publish_parser.add_argument("--connections", type=_jobs, metavar="N", help="requests in flight at once, each on a kept-alive "
                                f"connection (default: {CONNECTIONS}, or {BULK_CONNECTIONS} with --bulk)")
    publish_parser.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    publish_parser.add_argument("--dry-run", "-n", action="store_true", help="list the graphs that would be sent or deleted; change nothing")
    publish_parser.add_argument("--timeout", type=float, default=120.0, help="time limit of each request to the store, in seconds (default: %(default)s)")
    publish_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    publish_parser.set_defaults(run=_publish)


def _annotate_options(annotate_parser: argparse.ArgumentParser) -> None:
    annotate_parser.add_argument("text", type=Path, metavar="TEXT", help="the article's text (UTF-8), in the project's sources/articles/")
    annotate_parser.add_argument("--id", required=True, help="the source's ID (lower-case letters, digits, hyphens)")
    annotate_parser.add_argument("--publisher", required=True, help="the publisher's registry ID (an organisation)")
    annotate_parser.add_argument("--published", required=True, metavar="DATE", help="the publication date, YYYY-MM-DD: relative times are read against it")
    annotate_parser.add_argument("--title", help="the title (default: the text's first line)")
    annotate_parser.add_argument("--output", "-o", type=Path, help="the annotation to write (default: TEXT with .yaml); "
                                 "an existing annotation of the same source gets new drafts, its reviewed statements kept")
    annotate_parser.add_argument("--html", action="store_true", help="also write a review page, OUTPUT with .html")
    annotate_parser.add_argument("--force", action="store_true", help="overwrite an existing output instead of merging into it")
    annotate_parser.add_argument("--sources", type=Path, help="folder of entities.yaml (default: the project's sources/)")
    annotate_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    annotate_parser.set_defaults(run=_annotate)


def _serve_options(serve_parser: argparse.ArgumentParser) -> None:
    from sanctiongraph.server import frontend

    frontend.add_arguments(serve_parser)
    serve_parser.set_defaults(run=frontend.run)


# Each command: its name, its help, and what adds its options (importing the modules they need).
_COMMANDS: tuple[tuple[str, str, Callable[[argparse.ArgumentParser], None]], ...] = (
    ("init", "make a new project folder: sources/ with an empty registry, graph/, viz/, queries/", _init_options),
    ("build", "build the graph from the annotated sources and write its exports", _build_options),
    ("queries", "list the named queries of the library and of the project, with their parameters", _queries_options),
    ("query", "run a named query, a query file or a SPARQL text", _query_options),
    ("viz", "write an interactive network view as one self-contained HTML file", _viz_options),
    ("path", "the shortest connections between two entities, each hop with its evidence", _path_options),
    ("analyze", "centrality, communities and exposure in the network of actors", _analyze_options),
    ("export", "the graph for other tools: GraphML, GEXF (Gephi), FollowTheMoney, Web Annotation", _export_options),
    ("import", "bring data from other tools into the sources: Web Annotations as evidence", _import_options),
    ("registry", "look up the entity registry (sources/entities.yaml)", _registry_options),
    ("corpus", "generate synthetic annotated sources (for benchmarks and large-graph tests)", _corpus_options),
    ("publish", "send the built graph to a SPARQL 1.1 store, one named graph at a time, only what changed", _publish_options),
    ("annotate", "draft an annotation of an article's text for review", _annotate_options),
    ("serve", "serve the graph over HTTP: SPARQL endpoint, query editor, linked-data pages", _serve_options),
)


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser, every command whole; or, given a command, that one whole and the others by name and
    help only, without loading what their options need (main parses twice: the command first, then its options)."""
    main_parser = argparse.ArgumentParser(prog="sanctiongraph", description=__doc__)
    main_parser.add_argument("--version", action="version", version=f"sanctiongraph {__version__}")
    main_parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    main_parser.add_argument("--project", type=Path, metavar="DIR",
                             help=f"the project folder (default: ${PROJECT_ENV}, else the nearest folder upwards that holds sources/)")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help, add_options in _COMMANDS:
        whole = command is None or command == name
        one = commands.add_parser(name, help=help, add_help=whole)
        if whole:
            add_options(one)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    command = parser("").parse_known_args(arguments)[0].command
    args = parser(command).parse_args(arguments)
    try:
        return int(args.run(args))
    except UsageError as error:
        if args.traceback:
            raise
        print(f"sanctiongraph: usage error: {error}", file=sys.stderr)
        return 2
    except SanctionGraphError as error:
        if args.traceback:
            raise
        print(reported(error), file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
