"""The sanctiongraph command: thin subcommands over the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sanctiongraph import __version__, paths
from sanctiongraph.builder import build
from sanctiongraph.corpus import generate
from sanctiongraph.errors import SanctionGraphError


def _build(args: argparse.Namespace) -> int:
    report = build(args.sources, args.ontology, args.output)
    dataset = report.dataset
    if not args.quiet:
        covered = sum(c.covered for c in dataset.coverage)
        story = sum(c.story for c in dataset.coverage)
        for coverage in dataset.coverage:
            for line in coverage.uncovered:
                print(f"warning: {line}", file=sys.stderr)
        print(
            f"built {dataset.sources} source(s), {dataset.statements} statements, {len(set(dataset.quads))} quads; "
            f"{covered}/{story} story sentences carry a statement; wrote {len(report.written)} files to {args.output}",
            file=sys.stderr,
        )
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
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_parser = commands.add_parser("build", help="build the graph from the annotated sources and write its exports")
    build_parser.add_argument("--sources", type=Path, default=paths.sources_folder(), help="folder of entities.yaml and articles/ (default: %(default)s)")
    build_parser.add_argument("--ontology", type=Path, default=paths.ontology_folder(), help="folder of the ontology and its checks (default: %(default)s)")
    build_parser.add_argument("--output", "-o", type=Path, default=paths.graph_folder(), help="folder the exports are written to (default: %(default)s)")
    build_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    build_parser.set_defaults(run=_build)
    corpus_parser = commands.add_parser("corpus", help="generate synthetic annotated sources (for benchmarks and large-graph tests)")
    corpus_parser.add_argument("output", type=Path, help="folder to write entities.yaml and articles/ into; build it with --sources")
    corpus_parser.add_argument("--size", "-n", type=int, default=100, help="number of sources (default: %(default)s)")
    corpus_parser.add_argument("--seed", type=int, default=1, help="random seed; the same seed and size give the same files (default: %(default)s)")
    corpus_parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    corpus_parser.set_defaults(run=_corpus)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SanctionGraphError as error:
        if args.traceback:
            raise
        print(f"sanctiongraph: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 1
