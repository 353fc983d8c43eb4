"""The sanctiongraph command: thin subcommands over the library."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from sanctiongraph import __version__, viz
from sanctiongraph.builder.dataset import build
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.sources import load_registry
from sanctiongraph.corpus import generate
from sanctiongraph.errors import SanctionGraphError, UsageError, shown
from sanctiongraph.identity import registry_names
from sanctiongraph.namespaces import XSD
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
from sanctiongraph.query.library import load_queries, parse_query
from sanctiongraph.query.output import format_for, write_output
from sanctiongraph.query.results import GRAPH_FORMATS, ROW_FORMATS, render
from sanctiongraph.query.running import DEFAULT_TIMEOUT, ENDPOINT_PASSWORD, ENDPOINT_USER, Result, Term, labels_for, resolve, run_query
from sanctiongraph.server import frontend


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


def _build(args: argparse.Namespace) -> int:
    output = args.output or _project(args).graph
    report = build(args.sources or _project(args).sources, args.ontology, output)
    dataset = report.dataset
    if not args.quiet:
        covered = sum(c.covered for c in dataset.coverage)
        story = sum(c.story for c in dataset.coverage)
        for coverage in dataset.coverage:
            for line in coverage.uncovered:
                print(f"warning: {line}", file=sys.stderr)
        print(
            f"built {dataset.sources} source(s), {dataset.statements} statements, {len(set(dataset.quads))} quads; "
            f"{covered}/{story} story sentences carry a statement; wrote {len(report.written)} files to {output}",
            file=sys.stderr,
        )
    return 0


def _queries(args: argparse.Namespace) -> int:
    for query in load_queries(*_library(args)).values():
        print(f"{query.name}\n    {query.title}")
        for parameter in query.parameters:
            default = "required" if parameter.default is None else f"default {parameter.default}"
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


def _viz(args: argparse.Namespace) -> int:
    folder = None if args.output else _project(args).viz
    view, path = viz.draw(args.graph or _project(args).graph, args.make_view(args), output=args.output, folder=folder,
                          max_nodes=args.max_nodes)
    if not args.quiet:
        print(f"wrote {path}: {len(view.nodes)} nodes, {len(view.edges)} edges", file=sys.stderr)
    return 0


def _add_viz(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--graph", type=Path, help="folder of the built graph (default: the project's graph/)")
    common.add_argument("--output", "-o", type=Path, help="the HTML file to write (default: the project's viz/<view>.html)")
    common.add_argument("--source", metavar="ID", help="only what this source states or relays")
    common.add_argument("--max-nodes", type=int, default=viz.MAX_NODES,
                        help="refuse views with more nodes than this (default: %(default)s)")
    common.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    viz_parser = commands.add_parser("viz", help="write an interactive network view as one self-contained HTML file")
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
    path.set_defaults(make_view=lambda a: partial(viz.path_view, start=a.start, end=a.end, source=a.source))
    viz_parser.set_defaults(run=_viz)


def _registry_find(args: argparse.Namespace) -> int:
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
    info = generate(args.output, sources=args.size, seed=args.seed)
    if not args.quiet:
        print(f"generated {info.sources} source(s), {info.statements} statements, {info.entities} entities in {info.folder}", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="sanctiongraph", description=__doc__)
    main_parser.add_argument("--version", action="version", version=f"sanctiongraph {__version__}")
    main_parser.add_argument("--traceback", action="store_true", help="show the full traceback of an error")
    main_parser.add_argument("--project", type=Path, metavar="DIR",
                             help=f"the project folder (default: ${PROJECT_ENV}, else the nearest folder upwards that holds sources/)")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init_parser = commands.add_parser("init", help="make a new project folder: sources/ with an empty registry, graph/, viz/, queries/")
    init_parser.add_argument("folder", type=Path, metavar="DIR", help="a new or empty folder")
    init_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    init_parser.set_defaults(run=_init)

    build_parser = commands.add_parser("build", help="build the graph from the annotated sources and write its exports")
    build_parser.add_argument("--sources", type=Path, help="folder of entities.yaml and articles/ (default: the project's sources/)")
    build_parser.add_argument("--ontology", type=Path, default=ontology_folder(), help="folder of the ontology and its checks (default: %(default)s)")
    build_parser.add_argument("--output", "-o", type=Path, help="folder the exports are written to (default: the project's graph/)")
    build_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    build_parser.set_defaults(run=_build)

    list_parser = commands.add_parser("queries", help="list the named queries of the library and of the project, with their parameters")
    list_parser.set_defaults(run=_queries)

    query_parser = commands.add_parser("query", help="run a named query, a query file or a SPARQL text")
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
    _add_viz(commands)
    registry_parser = commands.add_parser("registry", help="look up the entity registry (sources/entities.yaml)")
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
    corpus_parser = commands.add_parser("corpus", help="generate synthetic annotated sources (for benchmarks and large-graph tests)")
    corpus_parser.add_argument("output", type=Path, help="folder to write entities.yaml and articles/ into; build it with --sources")
    corpus_parser.add_argument("--size", "-n", type=int, default=100, help="number of sources (default: %(default)s)")
    corpus_parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed and size give the same files (default: %(default)s)")
    corpus_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    corpus_parser.set_defaults(run=_corpus)

    serve_parser = commands.add_parser("serve", help="serve the graph over HTTP: SPARQL endpoint, query editor, linked-data pages")
    frontend.add_arguments(serve_parser)
    serve_parser.set_defaults(run=frontend.run)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
        print(f"sanctiongraph: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
