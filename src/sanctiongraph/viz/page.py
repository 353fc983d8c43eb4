"""A view as one self-contained HTML page: a pyvis network with its provenance, filters and search, every asset inlined."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanctiongraph import __version__, project
from sanctiongraph.errors import ViewError
from sanctiongraph.files import write_atomically
from sanctiongraph.markup import templates
from sanctiongraph.namespaces import SG
from sanctiongraph.query.facts import Facts, load_facts
from sanctiongraph.query.store import Readable, open_store
from sanctiongraph.viz.views import MAX_NODES, View, too_large

HERE = Path(__file__).parent
LARGE = 500
SEED = 7
DERIVED = ""


def load_style() -> dict[str, Any]:
    """The style map: colour and shape per class, and how reported claims and claims' edges look (style.toml)."""
    with (HERE / "style.toml").open("rb") as handle:
        return tomllib.load(handle)


def vis_options(node_count: int) -> dict[str, Any]:
    """Seeded layout, bounded stabilisation (the page turns physics off once it is done), lighter drawing when large."""
    large = node_count > LARGE
    return {
        "layout": {"randomSeed": SEED, "improvedLayout": node_count <= 150},
        "physics": {
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90, "springConstant": 0.06, "avoidOverlap": 0.2},
            "stabilization": {"enabled": True, "iterations": max(150, min(1000, 200_000 // max(node_count, 1))),
                              "updateInterval": 50, "fit": True},
            "minVelocity": 1.0,
        },
        "nodes": {"borderWidth": 1, "font": {"size": 13, "face": "sans-serif"}},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#8f8f8f", "highlight": "#333333", "hover": "#333333"},
            "font": {"size": 9, "color": "#555555", "strokeWidth": 3, "align": "middle"},
            "smooth": False if large else {"type": "continuous", "roundness": 0.2},
            "width": 1,
        },
        "interaction": {"hover": not large, "hideEdgesOnDrag": large, "hideEdgesOnZoom": large},
    }


class _Tables:
    """The page's tables of classes, relations, sources and provenance records, which nodes and edges refer to by index."""

    def __init__(self, view: View, facts: Facts) -> None:
        self.facts = facts
        self.style = load_style()
        node_classes = {facts.cls(iri) for iri in view.nodes}
        statement_classes = {facts.cls(iri) for iri in view.nodes if iri in facts.provenance}
        # the legend lists entities' classes first, then statements' and claims'
        order = sorted(node_classes, key=lambda cls: (cls in statement_classes, facts.label(cls) if cls else "~"))
        self.classes = {cls: number for number, cls in enumerate(order)}
        self.relations = {rel: number for number, rel in enumerate(sorted({e.predicate for e in view.edges}, key=facts.label))}
        self.sources: dict[str, int] = {}
        self.records: dict[str, int] = {}
        self.record_rows: list[dict[str, Any]] = []

    def source(self, graph: str) -> int:
        return self.sources.setdefault(graph, len(self.sources))

    def record(self, iri: str) -> int:
        """The index of a statement's or a claim's provenance record (adding the records of the claims that relay it)."""
        if iri in self.records:
            return self.records[iri]
        number = self.records[iri] = len(self.record_rows)
        self.record_rows.append({})
        item, label = self.facts.provenance[iri], self.facts.label
        document = self.facts.documents.get(item.graph)
        published = [list(document.published)] if document and document.published else []
        self.record_rows[number] = {
            "label": label(iri),
            "isClaim": bool(item.roles),
            "source": self.source(item.graph),
            "attributedTo": [label(agent) for agent in item.attributed_to],
            "claims": [self.record(claim) for claim in item.claims if claim in self.facts.provenance],
            "roles": {role: [label(agent) for agent in agents] for role, agents in sorted(item.roles.items())},
            "evidence": [{"quote": e.quote, "sentences": list(e.sentences)} for e in item.evidence],
            "times": [{"property": label(t.property), "asWritten": t.as_written, "earliest": t.earliest, "latest": t.latest}
                      for t in item.times],
            "t": [[t.earliest, t.latest] for t in item.times] or published,
        }
        return number

    def node_style(self, cls: str | None) -> dict[str, Any]:
        """The style of the class's nearest styled ancestor."""
        for ancestor in self.facts.ancestry(cls) if cls else []:
            if ancestor.removeprefix(SG) in self.style["classes"]:
                return dict(self.style["classes"][ancestor.removeprefix(SG)])
        return dict(self.style["default"])

    def source_rows(self) -> list[dict[str, Any]]:
        rows = []
        for graph in self.sources:
            document = self.facts.documents.get(graph)
            if document is not None:
                rows.append({"graph": graph, "title": document.title, "address": document.address, "published": document.published,
                             "publisher": self.facts.label(document.publisher) if document.publisher else None})
            else:
                title = "derived by the view's query" if graph == DERIVED else f"{self.facts.label(graph)} graph"
                rows.append({"graph": graph, "title": title, "address": None, "published": None, "publisher": None})
        return rows


def page_data(view: View, facts: Facts) -> dict[str, Any]:
    """Everything the page's script needs, JSON-ready: vis nodes and edges with their filter keys, and the tables."""
    facts.cover([*view.nodes, *(edge.predicate for edge in view.edges), *(graph for edge in view.edges for graph in edge.graphs)])
    tables = _Tables(view, facts)
    ids = {iri: number for number, iri in enumerate(view.nodes)}
    degree: dict[str, int] = defaultdict(int)
    near_sources: dict[str, set[int]] = defaultdict(set)
    near_times: dict[str, set[tuple[str, str]]] = defaultdict(set)
    edges = []
    for number, edge in enumerate(view.edges):
        # an edge's evidence is that of the statement or claim at either end that is stated in a graph holding the edge
        ends = [iri for iri in (edge.subject, edge.object) if iri in facts.provenance and facts.provenance[iri].graph in edge.graphs]
        records = [tables.record(iri) for iri in ends[:1]]
        sources = sorted({tables.source(graph) for graph in edge.graphs or (DERIVED,)})
        times = [t for r in records for t in tables.record_rows[r]["t"]]
        for end in (edge.subject, edge.object):
            degree[end] += 1
            near_sources[end].update(sources)
            near_times[end].update(tuple(t) for t in times)
        row: dict[str, Any] = {
            "id": number, "from": ids[edge.subject], "to": ids[edge.object], "label": facts.label(edge.predicate),
            "rel": tables.relations[edge.predicate], "src": sources, "t": times, "rec": records,
            "dashes": any(tables.record_rows[r]["claims"] for r in records),
        }
        if any(tables.record_rows[r]["isClaim"] for r in records):
            row["color"] = {"color": tables.style["claim"]["edgeColor"]}
        edges.append(row)

    nodes = []
    top = max(view.scores.values(), default=0.0) or 1.0
    for iri in view.nodes:
        cls = facts.cls(iri)
        style = tables.node_style(cls)
        row = {
            "id": ids[iri], "label": facts.label(iri), "shape": style["shape"],
            "color": {"background": style["color"], "border": style["color"]},
            "size": round(9 + 4 * math.sqrt(degree[iri]), 1),
            "cls": tables.classes[cls], "iri": iri, "aliases": facts.aliases.get(iri, []), "rec": None,
            "src": sorted(near_sources[iri] or {tables.source(graph) for graph in facts.declared_in.get(iri, [])}),
            "t": [list(t) for t in sorted(near_times[iri])],
        }
        if iri in view.scores:
            share = view.scores[iri] / top
            row.update(size=round(8 + 42 * math.sqrt(share), 1), score=round(view.scores[iri], 6),
                       color={"background": _shade(share), "border": style["color"]})
        if iri in facts.provenance:
            record = tables.record(iri)
            data = tables.record_rows[record]
            row.update(rec=record, src=[data["source"]], t=data["t"], font={"size": 11}, widthConstraint={"maximum": 170})
            if data["claims"]:
                reported = tables.style["reported"]
                row.update(shapeProperties={"borderDashes": reported["borderDashes"]}, borderWidth=reported["borderWidth"])
                row["color"]["border"] = reported["borderColor"]
        nodes.append(row)

    class_counts = Counter(node["cls"] for node in nodes)
    relation_counts = Counter(edge["rel"] for edge in edges)
    return {
        "nodes": nodes,
        "edges": edges,
        "classes": [{"label": facts.label(cls) if cls else "other", **tables.node_style(cls), "count": class_counts[n]}
                    for cls, n in tables.classes.items()],
        "relations": [{"iri": rel, "label": facts.label(rel), "count": relation_counts[n]} for rel, n in tables.relations.items()],
        "sources": tables.source_rows(),
        "records": tables.record_rows,
        "claimEdgeColor": tables.style["claim"]["edgeColor"],
    }


def _shade(share: float) -> str:
    """A colour for a score's share of the highest: pale yellow (0) to deep red (1)."""
    low, high = (255, 237, 160), (189, 0, 38)
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(low, high))


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii") + "'"


def render(view: View, facts: Facts) -> str:
    """The page's HTML. vis-network comes from the pyvis package and is inlined; the page loads nothing."""
    import pyvis  # imports IPython (a tenth of a second): only when a page is drawn
    from pyvis.network import Network

    vis_network = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
    if not (vis_network / "vis-network.min.js").is_file():
        raise ViewError(f"{vis_network}: not found; sanctiongraph inlines the vis-network that pyvis 0.3 ships")
    data = page_data(view, facts)
    network = Network(directed=True, cdn_resources="in_line", height="100%", width="100%", heading=view.title)
    network.nodes, network.edges = data.pop("nodes"), data.pop("edges")
    network.options = vis_options(len(network.nodes))
    nodes, edges, heading, _, _, options = network.get_network_data()
    data.update(nodes=nodes, edges=edges, options=json.loads(options))
    scripts = [(vis_network / "vis-network.min.js").read_text(encoding="utf-8"), (HERE / "page.js").read_text(encoding="utf-8")]
    styles = [(vis_network / "vis-network.css").read_text(encoding="utf-8"), (HERE / "page.css").read_text(encoding="utf-8")]
    return templates(HERE).get_template("page.html").render(
        title=heading, description=view.description, data=data, scripts=scripts, styles=styles, version=__version__,
        script_hashes=" ".join(_csp_hash(script) for script in scripts), node_count=len(nodes), edge_count=len(edges))


def draw(graph: Path | Readable, make_view: Callable[[Readable, Facts], View], *, output: Path | None = None,
         folder: Path | None = None, max_nodes: int = MAX_NODES) -> tuple[View, Path]:
    """Make a view of the built graph in a folder, or of a store (a remote one: sanctiongraph.query.endpoint), and write
    it to `output`, else to <slug>.html in `folder` (default: the current project's viz/); the facts of its nodes are
    read only once the view is made and not refused."""
    store = open_store(graph) if isinstance(graph, Path) else graph
    facts = load_facts(store)
    view = make_view(store, facts)
    return view, write_view(view, facts, output or (folder or project.find_project().viz) / f"{view.slug}.html", max_nodes=max_nodes)


def write_view(view: View, facts: Facts, path: Path, *, max_nodes: int = MAX_NODES) -> Path:
    """Render the view and write it to `path` atomically; refuse views with more than `max_nodes` nodes."""
    if len(view.nodes) > max_nodes:
        raise too_large(view.title, len(view.nodes), max_nodes, view.narrow)
    html = render(view, facts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_atomically(path, html.encode("utf-8"))
