"""The server's pages and the views as HTML: what comes from a file, the graph or a request is text, never markup.

The pages as the server serves them are checked against hostile data in test_server.py and test_browser.py; here the
named queries, which come from the project's files, are made hostile, and the one JSON escaper is checked."""

from __future__ import annotations

import json
import re

import pyoxigraph as ox
from conftest import PAYLOAD, injected, page_text

from sanctiongraph.markup import script_json
from sanctiongraph.query.library import Parameter, Query
from sanctiongraph.query.running import Result
from sanctiongraph.server import pages

HOSTILE = Query(PAYLOAD, PAYLOAD, PAYLOAD, (Parameter(PAYLOAD, PAYLOAD, None, PAYLOAD, PAYLOAD),), PAYLOAD)
LINKS = pages.Links("../")


def test_json_in_a_script_cannot_end_it_or_break_a_line() -> None:
    text = script_json({"label": "</script><img src=x onerror=alert(1)> & \u2028\u2029"})
    assert not re.search("[<>&\u2028\u2029]", text)
    assert text == '{"label":"\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e \\u0026 \\u2028\\u2029"}'
    assert json.loads(text) == {"label": "</script><img src=x onerror=alert(1)> & \u2028\u2029"}


def test_a_hostile_named_query_is_text_on_every_page_that_shows_it() -> None:
    rows = Result("select", ["x"], [(ox.Literal(PAYLOAD),), (ox.NamedNode("javascript:alert(1)"),), (None,)])
    rendered = {
        "named queries": pages.queries_page({PAYLOAD: HOSTILE}, LINKS),
        "form": pages.query_form_page(HOSTILE, {PAYLOAD: PAYLOAD}, LINKS),
        "form with an error": pages.query_form_page(HOSTILE, {}, LINKS, error=PAYLOAD),
        "form with results": pages.query_form_page(HOSTILE, {}, LINKS, result=rows, labels={"javascript:alert(1)": PAYLOAD}),
        "query editor": pages.query_page([{"name": PAYLOAD, "title": PAYLOAD, "text": PAYLOAD}], LINKS, editor=True),
    }
    for kind, page in rendered.items():
        text = page.decode("utf-8")
        assert injected(text) == [], kind
        assert PAYLOAD in page_text(text), kind
    examples = re.search(r'<script type="application/json" id="examples">(.*?)</script>', rendered["query editor"].decode(), re.S)
    assert examples and json.loads(examples.group(1)) == [{"name": PAYLOAD, "title": PAYLOAD, "text": PAYLOAD}]


def test_only_web_iris_are_linked() -> None:
    assert LINKS.term(ox.NamedNode("javascript:alert(1)")) == pages.Shown("javascript:alert(1)", title="javascript:alert(1)")
    assert LINKS.term(ox.NamedNode("https://w3id.org/sanctiongraph/id/mechel"), "Mechel") == pages.Shown(
        "Mechel", href="../id/mechel", title="https://w3id.org/sanctiongraph/id/mechel")
    assert LINKS.term(ox.Literal("Мечел", language="ru")) == pages.Shown("Мечел", lang="ru")
