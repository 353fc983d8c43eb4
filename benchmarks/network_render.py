"""What the network adds to rendering a build's parts (BENCHMARKS.md, "Network analytics"): on a generated corpus, for
every source, its part rendered for the exports (sanctiongraph.builder.parts.render: its quads sorted and written in
every format) against its lines of the network file (sanctiongraph.builder.network.source_network), both from the
same quads in one process; and the shared part's lines (the registry's entities and links). A build renders a source
this way on a worker when it reads it anew: in a full build every source, in an edit the edited one; here with the
cycle collector paused, as in a build.

    .venv/bin/python benchmarks/network_render.py --size 1000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pyoxigraph as ox

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import corpus_folder  # noqa: E402

from sanctiongraph.builder.dataset import build_dataset, without_cycle_collection  # noqa: E402
from sanctiongraph.builder.network import Rules, shared_network, source_network  # noqa: E402
from sanctiongraph.builder.parts import Part, render  # noqa: E402
from sanctiongraph.namespaces import GRAPH, ID, RDF  # noqa: E402
from sanctiongraph.project import ontology_folder  # noqa: E402


@without_cycle_collection()  # as a build renders its parts
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    options = parser.parse_args()
    print(f"{options.size} sources, load average {os.getloadavg()[0]:.2f}")
    dataset = build_dataset(corpus_folder(options.corpus, options.size, 1) / "sources", ontology_folder(), jobs=1)
    parts = [part for part in dataset.parts if isinstance(part, Part)]
    shared = list(ox.parse(b"".join(bytes(blocks.text["nq"]) for blocks in parts[0].graphs.values()), format=ox.RdfFormat.N_QUADS))
    ontology = [quad.triple for quad in shared if quad.graph_name == ox.NamedNode(GRAPH + "ontology")]
    entities = {quad.subject.value: quad.object.value for quad in shared
                if quad.graph_name == ox.NamedNode(GRAPH + "registry") and quad.predicate == ox.NamedNode(RDF + "type")}
    started = time.perf_counter()
    rules = Rules.of(ontology, entities)  # what a process that renders a part reads first, once
    ruled = time.perf_counter()
    lines = shared_network(shared, rules)
    print(f"the rules: {ruled - started:.3f} s ({len(entities):,} entities); the shared part's lines: "
          f"{time.perf_counter() - ruled:.3f} s ({len(lines):,} bytes)")
    rendering = network = 0.0
    size = 0
    sources = [part for part in parts[1:] if any(name.startswith(GRAPH + "source/") for name in part.graphs)]
    for part in sources:
        quads = list(ox.parse(b"".join(bytes(blocks.text["nq"]) for blocks in part.graphs.values()), format=ox.RdfFormat.N_QUADS))
        source = next(name for name in part.graphs if name.startswith(GRAPH + "source/")).removeprefix(GRAPH + "source/")
        started = time.perf_counter()
        render(quads)
        rendering += time.perf_counter() - started
        started = time.perf_counter()
        size += len(source_network(quads, GRAPH + "source/" + source, ID + "source/" + source, rules))
        network += time.perf_counter() - started
    print(f"{len(sources)} sources: render {rendering:.3f} s, network lines {network:.3f} s "
          f"({network / rendering:.1%} of render; {network / len(sources) * 1000:.2f} ms a source, {size:,} bytes); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
