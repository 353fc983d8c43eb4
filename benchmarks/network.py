"""Times of the network commands on a built graph (BENCHMARKS.md, "Network analytics"), each against its baseline:
`path` between the two entities of highest PageRank (the search as the command runs it, and reading the store hop by
hop; and the whole command, `sanctiongraph path HUB1 HUB2 --format csv --quiet` run in a new process as a user runs
it, its output discarded: the median of 5; `viz path` between them, the median of 3); `analyze` centrality;
`to_networkx` (which reads the build's network file) against networkx building the same MultiDiGraph from a plain
edge list in memory (and, for comparison, reading the network from the store, as without that file, and networkx
reading it from GraphML); the GraphML and GEXF exports against networkx writing that plain graph. Prints the load
average before and after. `--path` times `path` and `viz path` only.

    .venv/bin/python benchmarks/network.py GRAPH_FOLDER [--path]

The command runs this environment's `sanctiongraph`: with PYTHONPATH naming another checkout's `src`, that code's.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import networkx as nx
from timing import timed

import sanctiongraph
from sanctiongraph.network import Filters, Links, links_of, read_network
from sanctiongraph.network.analytics import scores, simple
from sanctiongraph.network.gephi import scored, write_graph
from sanctiongraph.network.paths import shortest_connections

COMMAND = Path(sys.executable).with_name("sanctiongraph")


def hubs(graph: nx.MultiDiGraph) -> list[str]:
    """The two entities of highest PageRank (as `sanctiongraph analyze` ranks them)."""
    pagerank = nx.pagerank(simple(graph))
    return sorted(pagerank, key=lambda node: (-pagerank[node], node))[:2]


def path(folder: Path, first: str, second: str) -> None:
    """The search as `sanctiongraph path` runs it, and the whole commands `path` and `viz path` in a new process."""
    timed("path between the two hubs (the search, links of the network file)", lambda: shortest_connections(links_of(folder), first, second))
    argv = [str(COMMAND), "path", first, second, "--graph", str(folder), "--format", "csv", "--quiet"]
    timed("sanctiongraph path HUB1 HUB2 --format csv -q > /dev/null", lambda: subprocess.run(argv, stdout=subprocess.DEVNULL, check=True),
          runs=5, median=True)
    with tempfile.TemporaryDirectory() as scratch:
        argv = [str(COMMAND), "viz", "path", first, second, "--graph", str(folder), "-o", str(Path(scratch) / "path.html"), "--quiet"]
        timed("sanctiongraph viz path HUB1 HUB2 -o HTML -q", lambda: subprocess.run(argv, check=True), runs=3, median=True)


def main(folder: Path, path_only: bool) -> None:
    print(f"load average {os.getloadavg()[0]:.2f}")
    if path_only:
        first, second = hubs(sanctiongraph.to_networkx(folder))
        print(f"hubs {first} {second}")
        path(folder, first, second)
        print(f"load average {os.getloadavg()[0]:.2f}")
        return
    store = sanctiongraph.open_graph(folder)
    network = timed("read_network from the store (links, facts, graph)", lambda: read_network(store))
    found = timed("analyze: scores", lambda: scores(network.graph))
    first, second = hubs(network.graph)
    path(folder, first, second)
    links = Links(store, Filters())
    timed("path between the two hubs (the store's links, new reader)", lambda: shortest_connections(Links(store), first, second))
    timed("path between the two hubs (the store's links, reader kept)", lambda: shortest_connections(links, first, second))
    graph = timed("to_networkx (the network file)", lambda: sanctiongraph.to_networkx(folder), runs=5)
    assert list(graph.edges(keys=True, data=True)) == list(network.graph.edges(keys=True, data=True))  # the same graph either way
    edges = [(a, b, k, d) for a, b, k, d in graph.edges(keys=True, data=True)]
    nodes = list(graph.nodes(data=True))

    def plain() -> nx.MultiDiGraph:
        built = nx.MultiDiGraph()
        built.add_nodes_from(nodes)
        built.add_edges_from(edges)
        return built

    timed("baseline: MultiDiGraph from a plain edge list", plain, runs=5)
    written = io.BytesIO()
    nx.write_graphml(graph, written)
    timed("networkx reads the same graph from GraphML", lambda: nx.read_graphml(io.BytesIO(written.getvalue())), runs=3)
    with_scores = scored(graph, found)
    with tempfile.TemporaryDirectory() as scratch:
        for fmt, writer in (("graphml", nx.write_graphml), ("gexf", nx.write_gexf)):
            timed(f"export {fmt}", lambda: write_graph(with_scores, fmt, Path(scratch) / f"network.{fmt}"))
            timed(f"baseline: networkx writes {fmt} to memory", lambda: writer(with_scores, io.BytesIO()))
    print(f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} links; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("graph", type=Path, help="a built graph folder")
    arguments.add_argument("--path", action="store_true", help="time `path` and `viz path` only")
    parsed = arguments.parse_args()
    main(parsed.graph, parsed.path)
