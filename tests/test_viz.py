"""Views: made from the store, written as self-contained pages, and opened in headless Chromium with the network cut.

The browser tests need Debian's chromium (tests/chromium.py; `make test` installs it); without it they fail, never skip.
Screenshots are kept in tests/artifacts/.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice, pairwise
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import yaml
from chromium import launch
from conftest import FIRST_GRAPH, ONTOLOGY, ROOT, SOURCES, free_port
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from sanctiongraph.builder.dataset import BuildReport, build
from sanctiongraph.cli import main
from sanctiongraph.errors import ViewError, ViewTooLarge
from sanctiongraph.namespaces import GRAPH, ID
from sanctiongraph.network.links import Filters, Links
from sanctiongraph.network.paths import MAX_PATHS
from sanctiongraph.query.facts import Facts, load_facts
from sanctiongraph.query.store import open_store
from sanctiongraph.viz import View, entity_view, overview, path_view, query_view, view_query, write_view
from sanctiongraph.viz.page import page_data, render
from sanctiongraph.viz.views import Edge, _within_source, construct

ARTIFACTS = ROOT / "tests" / "artifacts"
SOURCE = "newsweek-2025-03-russia-mines"
STATEMENT = ID + f"source/{SOURCE}/"
VIEW_NAMES = sorted(path.stem for path in (ROOT / "queries" / "views").glob("*.rq"))


@pytest.fixture(scope="session")
def facts(store: ox.Store) -> Facts:
    return load_facts(store)


def views(store: ox.Store, facts: Facts) -> dict[str, View]:
    """One view of each kind, by name."""
    made = {name: query_view(store, facts, view_query(name)) for name in VIEW_NAMES}
    made["source"] = overview(store, facts, source=SOURCE)
    made["entity"] = entity_view(store, facts, "putin", hops=2)
    made["path"] = path_view(store, facts, "mechel", "trump")
    return made


def sentence_of(store: ox.Store, statement: str) -> str:
    query = f"SELECT ?s WHERE {{ <{statement}> <https://w3id.org/sanctiongraph/ontology#evidence>/" \
            "<https://w3id.org/sanctiongraph/ontology#sentence>/<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?s }"
    return str(next(iter(store.query(query, use_default_graph_as_union=True)))["s"].value)


# --- without a browser


def test_overview_draws_every_statement_claim_and_entity(store: ox.Store, facts: Facts, built: tuple[Path, BuildReport]) -> None:
    view = overview(store, facts)
    query = """
        PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?node WHERE {
          ?node a ?class . ?class rdfs:subClassOf* ?root . VALUES ?root { sg:Entity sg:Statement sg:Claim }
          FILTER NOT EXISTS { ?class rdfs:subClassOf* sg:Document }
        }"""
    expected = {row["node"].value for row in store.query(query, use_default_graph_as_union=True)}
    assert sum(node.startswith(ID + "source/") for node in expected) == built[1].dataset.statements
    assert sum(node.startswith(STATEMENT) for node in expected) == 120  # the first source's
    missing = expected - set(view.nodes)
    assert not missing, missing
    assert ID + f"source/{SOURCE}" not in view.nodes, "the document is provenance, shown in the panel"
    assert all(edge.graphs for edge in view.edges), "every overview edge is a triple of the graph"


def test_nodes_and_edges_are_named_by_labels_never_iris(store: ox.Store, facts: Facts) -> None:
    data = page_data(overview(store, facts), facts)
    labels = {node["iri"]: node["label"] for node in data["nodes"]}
    assert labels[ID + "kemerovo-oblast"] == "Kemerovo Oblast"
    assert labels[STATEMENT + "kemerovo-mines-suspended"] == "Eight mines in the Kemerovo region have suspended operations."
    assert {edge["label"] for edge in data["edges"]} >= {"place", "claimant", "claim content", "listed entity", "authority"}
    for text in [*labels.values(), *(edge["label"] for edge in data["edges"]), *(row["label"] for row in data["classes"])]:
        assert text and not re.match(r"^(https?|urn):", text), text


def test_reported_claims_look_different_from_facts(store: ox.Store, facts: Facts) -> None:
    data = page_data(overview(store, facts), facts)
    nodes = {node["iri"]: node for node in data["nodes"]}
    reported, fact = nodes[STATEMENT + "seredyuk-mines-suspended"], nodes[STATEMENT + "putin-president"]
    assert reported["shapeProperties"]["borderDashes"] and "shapeProperties" not in fact
    dashed = {edge["dashes"] for edge in data["edges"] if edge["from"] == reported["id"]}
    solid = {edge["dashes"] for edge in data["edges"] if edge["from"] == fact["id"]}
    assert dashed == {True} and solid == {False}
    claim = data["records"][data["records"][reported["rec"]]["claims"][0]]
    assert claim["roles"]["claimant"] == ["Ilya Seredyuk"] and claim["roles"]["reporter"] == ["Kommersant", "Newsweek"]


def test_neighbourhood_grows_with_hops(store: ox.Store, facts: Facts) -> None:
    one, two = entity_view(store, facts, "putin", hops=1), entity_view(store, facts, "putin", hops=2)
    assert set(one.nodes) < set(two.nodes)
    assert all(node == ID + "putin" or node.startswith(ID + "source/") for node in one.nodes), one.nodes  # statements of any source
    assert {ID + "trump", ID + "russia"} <= set(two.nodes)
    assert all(edge.subject in two.nodes and edge.object in two.nodes for edge in two.edges)


def test_shortest_connections_are_paths_between_the_two(store: ox.Store, facts: Facts) -> None:
    view = path_view(store, facts, "mechel", "trump")
    assert {ID + "mechel", ID + "trump"} <= set(view.nodes)
    assert len(view.edges) >= len(view.nodes) - 1
    assert "shortest connection" in view.description


@pytest.mark.parametrize(("make", "message"), [
    (lambda s, f: entity_view(s, f, "putn"), "no entity 'putn' in the graph's registry; did you mean 'putin'?"),
    (lambda s, f: entity_view(s, f, "putin", hops=0), "--hops must be at least 1, not 0"),
    (lambda s, f: overview(s, f, source="nowhere"), "no source 'nowhere' in the graph; sources: "),
    (lambda s, f: query_view(s, f, view_query(ROOT / "queries" / "cq01-sanctions-on-russian-coal.rq")), "is not a CONSTRUCT query"),
    (lambda s, f: view_query("nothing"), "no view query 'nothing'"),
])
def test_bad_requests_fail_with_one_line(store: ox.Store, facts: Facts, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ViewError) as error:
        make(store, facts)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_too_many_nodes_is_refused_with_how_to_narrow(store: ox.Store, facts: Facts, tmp_path: Path) -> None:
    with pytest.raises(ViewError, match=r"Overview has \d+ nodes, more than --max-nodes 100 allows; narrow it with --source ID, .*--hops"):
        write_view(overview(store, facts), facts, tmp_path / "view.html", max_nodes=100)
    assert list(tmp_path.iterdir()) == []


def test_page_is_self_contained_utf8_and_byte_stable(store: ox.Store, facts: Facts) -> None:
    view = overview(store, facts)
    html = render(view, facts)
    assert html == render(view, facts)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert not re.search(r"""<(link|img|iframe)\b|<script[^>]*\ssrc=|url\((?!["']?data:)""", html), "the page loads nothing"
    assert "jsdelivr" not in html and "cdnjs" not in html and "bootstrap.min" not in html
    assert "Коммерсантъ" in html, "text is written as UTF-8, not escaped"


def test_command_writes_the_view_atomically(built: tuple[Path, BuildReport], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "views" / "coal.html"
    assert main(["viz", "query", "who-said-what-about-coal", "--graph", str(built[0]), "-o", str(target)]) == 0
    assert re.fullmatch(rf"wrote {re.escape(str(target))}: \d+ nodes, \d+ edges\n", capsys.readouterr().err)
    assert [p.name for p in target.parent.iterdir()] == ["coal.html"]
    assert main(["viz", "overview", "--graph", str(built[0]), "-o", str(target), "--max-nodes", "10"]) == 1
    error = capsys.readouterr().err
    assert re.match(r"sanctiongraph: error: Overview has \d+ nodes", error) and error.count("\n") == 1


# --- neighbourhoods and paths walked in the store are those of the whole overview


def whole_overview(store: ox.Store, facts: Facts, source: str | None = None) -> tuple[set[str], list[Edge]]:
    """The old definition: the overview over the whole store, cut to what one source says."""
    nodes, edges = construct(store, view_query("overview"))
    return _within_source(facts, nodes, edges, GRAPH + "source/" + source) if source else (nodes, edges)


def undirected(nodes: set[str], edges: list[Edge]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from((edge.subject, edge.object) for edge in sorted(edges))
    return graph


def test_a_source_overview_is_the_whole_overview_cut_to_the_source(store: ox.Store, facts: Facts) -> None:
    nodes, edges = whole_overview(store, facts, SOURCE)
    view = overview(store, facts, source=SOURCE)
    assert (set(view.nodes), list(view.edges)) == (nodes, sorted(edges))


@pytest.mark.parametrize("source", [None, SOURCE])
def test_an_entity_view_is_the_ego_graph_of_the_overview(store: ox.Store, facts: Facts, source: str | None) -> None:
    nodes, edges = whole_overview(store, facts, source)
    graph = undirected(nodes, edges)
    registry = yaml.safe_load((SOURCES / "entities.yaml").read_text(encoding="utf-8"))
    assert sum(ID + key in nodes for key in registry) > 40
    for key in registry:
        for hops in (1, 2, 3):
            if ID + key not in nodes:
                with pytest.raises(ViewError, match="no node"):
                    entity_view(store, facts, key, hops=hops, source=source)
                continue
            near = set(nx.ego_graph(graph, ID + key, radius=hops))
            view = entity_view(store, facts, key, hops=hops, source=source)
            assert set(view.nodes) == near, (key, hops)
            assert list(view.edges) == sorted(e for e in edges if e.subject in near and e.object in near), (key, hops)


@pytest.mark.parametrize(("start", "end"), [("mechel", "trump"), ("putin", "kemerovo-oblast"), ("trump", "putin"),
                                            ("china", "mechel"), ("russia", "russia")])
@pytest.mark.parametrize("source", [None, SOURCE])
def test_a_path_view_draws_the_shortest_paths_of_the_network_of_actors(store: ox.Store, graph: Path, facts: Facts, start: str,
                                                                       end: str, source: str | None) -> None:
    """Drawn from the store's links, and the same from those of the build's network file (as `viz path` draws it)."""
    links = Links(store, Filters(sources=(source,) if source else ())).all()
    whole = nx.Graph()
    whole.add_edges_from((link.start, link.end) for link in links)
    routes = list(islice(nx.all_shortest_paths(whole, ID + start, ID + end), MAX_PATHS))
    steps = {frozenset(pair) for route in routes for pair in pairwise(route)}
    used = [link for link in links if frozenset((link.start, link.end)) in steps]
    view = path_view(store, facts, start, end, source=source)
    assert path_view(store, facts, start, end, source=source, folder=graph) == view
    statements = {link.statement for link in used if link.statement}
    assert set(view.nodes) == {node for route in routes for node in route} | statements
    drawn = {(e.subject, e.predicate, e.object) for e in view.edges}
    for link in used:
        expected = {(link.start, link.relation, link.end)} if link.registry else \
            {(link.statement, link.start_role, link.start), (link.statement, link.end_role, link.end)}
        assert expected <= drawn, link
    assert all(e.subject in view.nodes and e.object in view.nodes for e in view.edges)


def test_a_large_neighbourhood_is_refused_while_it_is_walked(store: ox.Store, facts: Facts) -> None:
    with pytest.raises(ViewTooLarge, match=r"^Russia: 3 hops out has at least 21 nodes, more than --max-nodes 20 allows; narrow it with fewer --hops"):
        entity_view(store, facts, "russia", hops=3, max_nodes=20)


# --- in the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Page
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def counts(self) -> list[int]:
        return list(self.page.evaluate("[sgView.network.body.data.nodes.length, sgView.network.body.data.edges.length]"))

    def panel(self) -> str:
        return str(self.page.text_content("#panel"))

    def sentences(self) -> list[str]:
        return [str(text) for text in self.page.eval_on_selector_all("#panel blockquote.sentence", "all => all.map(b => b.textContent)")]

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


@contextmanager
def opened(browser: Browser, path: Path, *, bypass_csp: bool = False) -> Iterator[Opened]:
    """The page from file://, with every other request aborted and recorded, once its layout is stable."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=bypass_csp)
    page = context.new_page()
    result = Opened(page)

    def route(handler: Route, request: Request) -> None:
        if request.url.startswith("file:"):
            handler.continue_()
        else:
            result.outside.append(request.url)
            handler.abort()

    context.route("**/*", route)
    page.on("requestfailed", lambda request: result.failed.append(request.url))
    page.on("console", lambda message: result.errors.append(message.text) if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("body[data-stable=true]", state="attached", timeout=90_000)
        yield result
    finally:
        context.close()


def focus_and_click(page: Page, iri: str) -> None:
    """Click the node on the canvas, where a user would."""
    node = page.evaluate("iri => sgView.nodeIdByIri(iri)", iri)
    page.evaluate("id => sgView.network.focus(id, {scale: 1.5})", node)
    x, y = page.evaluate("id => { const d = sgView.network.canvasToDOM(sgView.network.getPositions([id])[id]); return [d.x, d.y]; }", node)
    box = page.locator("#network").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + x, box["y"] + y)


@pytest.fixture(scope="session")
def pages(store: ox.Store, facts: Facts, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[View, Path]]:
    folder = tmp_path_factory.mktemp("viz")
    return {name: (view, write_view(view, facts, folder / f"{view.slug}.html")) for name, view in views(store, facts).items()}


@pytest.mark.parametrize("name", [*VIEW_NAMES, "source", "entity", "path"])
def test_view_loads_offline_and_counts_what_the_graph_has(browser: Browser, store: ox.Store, pages, name: str) -> None:  # type: ignore[no-untyped-def]
    view, path = pages[name]
    if name in VIEW_NAMES:  # counted afresh from the query's triples
        triples = list(store.query(view_query(name).text, use_default_graph_as_union=True))
        type_ = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
        expected = [len({t.subject for t in triples} | {t.object for t in triples if t.predicate.value != type_}),
                    len({t for t in triples if t.predicate.value != type_})]
    else:
        expected = [len(view.nodes), len(view.edges)]
    with opened(browser, path) as page:
        assert page.counts() == expected
        assert page.outside == [] and page.failed == [] and page.errors == []
        page.shot(f"view-{name}")


def test_clicking_a_node_shows_its_evidence_sentence(browser: Browser, store: ox.Store, pages) -> None:  # type: ignore[no-untyped-def]
    statement = STATEMENT + "kemerovo-mines-suspended"
    with opened(browser, pages["source"][1]) as page:
        focus_and_click(page.page, statement)
        page.page.wait_for_selector("#panel .record")
        assert page.page.text_content("#panel h2") == "Eight mines in the Kemerovo region have suspended operations."
        assert sentence_of(store, statement) in page.sentences()
        assert "Russia shutting down its mines as Putin woos Trump with minerals" in page.panel()
        assert "Published2025-03-01 – 2025-03-07" in page.panel() and "Addressunknown" in page.panel()
        page.shot("panel-statement")
        assert page.errors == []


def test_a_reported_claim_names_its_speaker_and_chain(browser: Browser, pages) -> None:  # type: ignore[no-untyped-def]
    with opened(browser, pages["overview"][1]) as page:
        page.page.evaluate("iri => sgView.select({nodes: [sgView.nodeIdByIri(iri)]})", STATEMENT + "seredyuk-mines-suspended")
        panel = page.panel()
        assert "Reported claim, attributed to Ilya Seredyuk: the source relays it and does not assert it." in panel
        assert "Said by Ilya Seredyuk to Parliament of Kemerovo Oblast (observation); reported by Kommersant → Newsweek" in panel
        page.page.evaluate("iri => sgView.select({nodes: [sgView.nodeIdByIri(iri)]})", STATEMENT + "putin-president")
        assert "Stated by the source in its own voice (Newsweek)." in page.panel()
        edge = page.page.evaluate("sgView.data.edges.find(e => e.label === 'country').id")
        page.page.evaluate("id => sgView.select({edges: [id]})", edge)
        assert "A link of the shared registry, not of one source: it has no evidence sentence." in page.panel()


def test_filters_and_search(browser: Browser, pages) -> None:  # type: ignore[no-untyped-def]
    with opened(browser, pages["overview"][1]) as page:
        total = page.page.evaluate("[sgView.data.nodes.length, sgView.data.edges.length]")
        claims = page.page.evaluate("sgView.data.nodes.filter(n => sgView.data.classes[n.cls].label === 'claim').length")
        page.page.click("label:text-is('claim')")
        hidden = "[sgView.nodes.get({filter: n => !n.hidden}).length, sgView.edges.get({filter: e => !e.hidden}).length]"
        shown = page.page.evaluate(hidden)
        assert shown[0] == total[0] - claims and shown[1] < total[1]
        page.page.click("#reset")
        page.page.fill("#time-from", "2022-01-01")
        page.page.fill("#time-to", "2022-12-31")
        page.page.dispatch_event("#time-to", "change")
        # the first source's statements of 2022 (other sources may report the same embargo in their own words)
        in_2022 = page.page.evaluate("""graph => {
            const first = sgView.data.sources.findIndex(s => s.graph === graph);
            return sgView.nodes.get({filter: n => !n.hidden && n.rec !== null && n.src.includes(first)}).map(n => n.label);
        }""", FIRST_GRAPH)
        assert in_2022 == ["Europe imposed a full embargo on Russia's coal in April 2022, which included a ban on imports."]
        # and every dated statement shown, of any source, has a time in 2022 (undated ones pass the time filter)
        spans = page.page.evaluate("sgView.nodes.get({filter: n => !n.hidden && n.rec !== null && n.t.length > 0}).map(n => n.t)")
        assert spans and all(any(start <= "2022-12-31" and end >= "2022-01-01" for start, end in t) for t in spans), spans
        page.page.click("#reset")
        page.page.click("label:text-is('registry graph')")
        assert page.page.evaluate("sgView.edges.get({filter: e => !e.hidden && e.label === 'country'}).length") == 0
        page.page.click("#reset")
        page.page.fill("#search", "Kuzbass")
        page.page.click("#find button")
        assert page.page.text_content("#panel h2") == "Kemerovo Oblast"
        assert page.page.evaluate("sgView.network.getSelectedNodes()") == [page.page.evaluate(f"sgView.nodeIdByIri('{ID}kemerovo-oblast')")]
        page.shot("search")
        assert page.errors == []


PAYLOADS = {
    "summary": '<img src=x onerror="window.__xss=1"> Putin woos Trump with minerals.',
    "label": "Vladimir Putin <script>window.__xss=2</script>",
    "alias": '<img src=x onerror="window.__xss=3">',
    "title": "Russia shutting down its mines <script>window.__xss=4</script>",
}


@pytest.fixture(scope="session")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A view of a source whose summaries, labels, aliases, title and text carry script payloads, and a Cyrillic name."""
    folder = tmp_path_factory.mktemp("hostile")
    sources = folder / "sources"
    shutil.copytree(SOURCES, sources)
    article = sources / "articles" / f"{SOURCE}.yaml"
    text = article.read_text(encoding="utf-8")
    text = text.replace("summary: Putin woos Trump with minerals.", f"summary: '{PAYLOADS['summary']}'")
    text = text.replace("title: Russia shutting down its mines as Putin woos Trump with minerals", f"title: '{PAYLOADS['title']}'")
    text += ("\n  - id: payload\n    type: Proposition\n    summary: A line of the text that carries markup.\n    about: putin\n"
             "    evidence: 'Markup <img src=x onerror=\"window.__xss=5\"> and <script>window.__xss=6</script> stays text'\n")
    article.write_text(text, encoding="utf-8")
    story = sources / "articles" / f"{SOURCE}.txt"
    markup = '\nMarkup <img src=x onerror="window.__xss=5"> and <script>window.__xss=6</script> stays text.'
    story.write_text(story.read_text(encoding="utf-8") + markup, encoding="utf-8")
    registry = sources / "entities.yaml"
    putin = f"  label: '{PAYLOADS['label']}'\n  aliases: [Putin, '{PAYLOADS['alias']}']"
    registry.write_text(registry.read_text(encoding="utf-8").replace("  label: Vladimir Putin\n  aliases: [Putin]", putin)
                        .replace("  label: Kemerovo Oblast\n", "  label: «Кузбасс»\n"), encoding="utf-8")
    graph = folder / "graph"
    build(sources, ONTOLOGY, graph)
    store = open_store(graph)
    facts = load_facts(store)
    return write_view(overview(store, facts), facts, folder / "hostile.html")


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["csp", "escaping-alone"])
def test_payloads_show_as_text_and_run_nothing(browser: Browser, hostile: Path, bypass_csp: bool) -> None:
    with opened(browser, hostile, bypass_csp=bypass_csp) as page:
        page.page.evaluate("iri => sgView.select({nodes: [sgView.nodeIdByIri(iri)]})", STATEMENT + "payload")
        assert 'Markup <img src=x onerror="window.__xss=5"> and <script>window.__xss=6</script> stays text.' in page.sentences()
        focus_and_click(page.page, ID + "putin")
        panel = page.panel()
        for payload in PAYLOADS.values():
            assert payload in panel, payload
        assert page.page.evaluate("typeof window.__xss") == "undefined"
        assert page.page.evaluate("document.querySelectorAll('#panel img, #panel script, #controls img, #controls script').length") == 0
        page.page.fill("#search", "Кузбасс")
        page.page.click("#find button")
        assert page.page.text_content("#panel h2") == "«Кузбасс»"
        page.shot(f"payloads-{'csp' if not bypass_csp else 'no-csp'}")
        assert page.page.evaluate("typeof window.__xss") == "undefined"
        assert page.outside == [] and page.errors == []


# --- from a remote store

VIEW_COMMANDS = {"overview": ["overview"], "source": ["overview", "--source", SOURCE], "entity": ["entity", "putin"],
                 "path": ["path", "mechel", "trump"], "query": ["query", "sanctions-and-targets"]}


@pytest.mark.parametrize("server", ["endpoint", "plain_endpoint"])
def test_views_from_an_endpoint_are_the_views_of_the_built_store(browser: Browser, graph: Path, server: str, tmp_path: Path,
                                                                 request: pytest.FixtureRequest, capsys) -> None:  # type: ignore[no-untyped-def]
    """`viz --endpoint` on an Oxigraph server holding the build (its default graph the union, or apart and empty) writes
    the same bytes as `viz --graph`, and the page works offline."""
    url = request.getfixturevalue(server)
    for name, command in VIEW_COMMANDS.items():
        remote, local = tmp_path / f"{name}-remote.html", tmp_path / f"{name}-local.html"
        assert main(["viz", *command, "--endpoint", url, "-o", str(remote)]) == 0
        assert main(["viz", *command, "--graph", str(graph), "-o", str(local)]) == 0
        assert remote.read_bytes() == local.read_bytes(), name
    written = capsys.readouterr().err.splitlines()
    assert [line.split(": ", 1)[1] for line in written[0::2]] == [line.split(": ", 1)[1] for line in written[1::2]]
    nodes, edges = (int(n) for n in re.findall(r"(\d+) nodes, (\d+) edges", written[4])[0])
    with opened(browser, tmp_path / "entity-remote.html") as page:
        assert page.counts() == [nodes, edges]
        assert page.outside == [] and page.failed == [] and page.errors == []


def test_an_unreachable_endpoint_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}/query"
    assert main(["viz", "entity", "putin", "--endpoint", url, "-o", str(tmp_path / "v.html")]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"sanctiongraph: error: cannot reach the endpoint {url}") and error.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
