"""The server in a real browser: headless Chromium (Debian's) driven by Playwright. Every request that would
leave loopback is aborted and recorded; there must be none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chromium import launch
from conftest import HOSTILE_BASE, PAYLOAD, hostile_pages, sanctiongraph_server


@pytest.fixture(scope="module")
def root(graph: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with sanctiongraph_server(graph, tmp_path_factory.mktemp("serve")) as url:
        yield url


@pytest.fixture()
def browser_page() -> Iterator[tuple[object, list[str], list[str]]]:
    """A page whose requests to anything but 127.0.0.1 are aborted and listed, with the console errors it logged."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})

        def guard(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if urlsplit(url).hostname == "127.0.0.1":
                route.continue_()  # type: ignore[attr-defined]
            else:
                outside.append(url)
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", guard)
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        yield page, outside, errors
        browser.close()


def test_an_example_query_runs_on_the_query_page(root: str, browser_page: tuple[object, list[str], list[str]]) -> None:
    page, outside, errors = browser_page
    page.goto(root + "sparql", wait_until="load")  # type: ignore[attr-defined]
    page.click("button.example[data-name='cq02-companies-on-us-sanctions-list']")  # type: ignore[attr-defined]
    page.wait_for_function("window.yasgui.getTab().getQuery().includes('US sanctions list')")  # type: ignore[attr-defined]
    page.click(".tabPanel.active .yasqe_queryButton")  # type: ignore[attr-defined]
    page.wait_for_selector(".tabPanel.active .yasr table tbody tr", timeout=20_000)  # type: ignore[attr-defined]
    rows = page.inner_text(".tabPanel.active .yasr table tbody")  # type: ignore[attr-defined]
    assert "Mechel" in rows and "SUEK" in rows
    page.screenshot(path=str(Path(__file__).parent / "artifacts" / "query-page.png"))  # type: ignore[attr-defined]
    assert outside == []
    assert errors == []


def test_an_entity_page_shows_its_evidence(root: str, browser_page: tuple[object, list[str], list[str]]) -> None:
    page, outside, errors = browser_page
    page.goto(root + "id/mechel", wait_until="load")  # type: ignore[attr-defined]
    assert page.url.endswith("/id/mechel.html")  # type: ignore[attr-defined]
    assert page.inner_text("h1") == "Mechel"  # type: ignore[attr-defined]
    evidence = page.inner_text("main")  # type: ignore[attr-defined]
    assert "major companies like SUEK and Mechel being added to the U.S. sanctions list" in evidence
    page.click("table.facts a[href='../id/russia']")  # type: ignore[attr-defined]
    page.wait_for_url("**/id/russia.html")  # type: ignore[attr-defined]
    page.screenshot(path=str(Path(__file__).parent / "artifacts" / "entity-page.png"), full_page=True)  # type: ignore[attr-defined]
    page.click("text=network view of its neighbourhood")  # type: ignore[attr-defined]
    page.wait_for_function("typeof sgView !== 'undefined' && document.querySelector('#network canvas') !== null")  # type: ignore[attr-defined]
    assert outside == []
    assert errors == []


def test_a_construct_opens_as_a_network_view(root: str, browser_page: tuple[object, list[str], list[str]]) -> None:
    page, outside, errors = browser_page
    page.goto(root + "sparql?example=cq01-sanctions-on-russian-coal", wait_until="load")  # type: ignore[attr-defined]
    construct = ("PREFIX sg: <https://w3id.org/sanctiongraph/ontology#>\n"
                 "CONSTRUCT { ?company sg:inSector ?sector . ?company a sg:Company } WHERE { ?company a sg:Company ; sg:inSector ?sector }")
    page.evaluate("query => { window.yasgui.getTab().setQuery(query); }", construct)  # type: ignore[attr-defined]
    page.click("#network-view")  # type: ignore[attr-defined]
    page.wait_for_url("**/view?query=*")  # type: ignore[attr-defined]
    page.wait_for_function("typeof sgView !== 'undefined' && sgView.network.body.data.nodes.length >= 4")  # type: ignore[attr-defined]
    assert "Raspadskaya" in page.content()  # type: ignore[attr-defined]
    assert outside == []
    assert errors == []


# what only injected markup could put in a page: the payload's image, event handlers, frames, javascript: links,
# inline scripts but JSON data (the editor draws its own SVG icons, so svg is not on the list)
INJECTED = ("img[src='x'], [onerror], [onload], [onmouseover], iframe, object, embed, a[href^='javascript:' i], "
            "script:not([src]):not([type='application/json'])")


def test_hostile_text_is_shown_as_text_on_every_page(hostile_server: str, browser_page: tuple[object, list[str], list[str]]) -> None:
    page, outside, errors = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    for kind, (path, headers) in hostile_pages().items():
        page.set_extra_http_headers(headers)  # type: ignore[attr-defined]
        page.goto(hostile_server + path, wait_until="load")  # type: ignore[attr-defined]
        assert page.eval_on_selector_all(INJECTED, "found => found.map(e => e.outerHTML)") == [], kind  # type: ignore[attr-defined]
        if kind == "query editor":  # the examples (with the base IRI in their texts) reach the editor as text
            page.wait_for_function("window.yasgui && window.yasgui.getTab().getQuery().length > 0")  # type: ignore[attr-defined]
            assert HOSTILE_BASE in page.evaluate("window.yasgui.getTab().getQuery()"), kind  # type: ignore[attr-defined]
        elif kind != "named queries":
            shown = page.evaluate("""() => document.body.innerText + [...document.querySelectorAll('input')]
                                               .map(input => input.value).join()""")  # type: ignore[attr-defined]
            assert PAYLOAD.replace("\u2028", "") in shown.replace("\u2028", ""), kind
    page.screenshot(path=str(Path(__file__).parent / "artifacts" / "hostile-editor.png"))  # type: ignore[attr-defined]
    assert dialogs == []
    assert outside == []
    assert errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]  # the form with an error
