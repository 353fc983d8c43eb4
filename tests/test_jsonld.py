"""The compact JSON-LD writer: made from the N-Quads form of each quad, it writes what json.dumps writes of each node,
and a JSON-LD parser reads back the quads it was given, whatever characters their literals hold."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from sanctiongraph.builder import jsonld as jsonld_module
from sanctiongraph.builder.jsonld import jsonld, node_lines
from sanctiongraph.namespaces import ID, RDF, SG, XSD

TRICKY = ['say "no"', "back\\slash \\u0041", "line\nbreak\ttab\rreturn\bback\fform", "bell\x07 escape\x1b del\x7f",
          "separator\u2028 and emoji \U0001f600", "", "ends with a backslash\\"]


def _quads() -> list[ox.Quad]:
    subject, other = ox.NamedNode(ID + "a"), ox.BlankNode("b1")
    objects: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
        ox.NamedNode(ID + "c"), other, ox.NamedNode("https://example.org/not/a/prefix"),
        ox.Literal("12", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("x", datatype=ox.NamedNode("https://example.org/type")),
        *(ox.Literal(text) for text in TRICKY), *(ox.Literal(text, language="pt-BR") for text in TRICKY),
        *(ox.Literal(text, datatype=ox.NamedNode(XSD + "anyURI")) for text in TRICKY)]
    quads = [ox.Quad(subject, ox.NamedNode(SG + "p"), value) for value in objects]
    quads += [ox.Quad(subject, ox.NamedNode(RDF + "type"), ox.NamedNode(SG + "Thing")), ox.Quad(other, ox.NamedNode(SG + "q"), subject),
              ox.Quad(other, ox.NamedNode(RDF + "type"), ox.Literal("not a class"))]  # not for "@type", which holds IRIs
    return quads


def test_each_node_is_what_json_dumps_writes_of_it() -> None:
    lines = node_lines(str(quad) for quad in _quads())
    assert len(lines) == 2
    for line in lines:
        assert line == "   " + json.dumps(json.loads(line), ensure_ascii=False)
    first = json.loads(lines[0])
    assert first["@id"] == "id:a" and first["@type"] == ["sg:Thing"]
    assert [value for value in first["sg:p"] if isinstance(value, str)] == TRICKY  # xsd:string values as plain strings
    assert {"@value": TRICKY[3], "@language": ox.Literal("", language="pt-BR").language} in first["sg:p"]
    assert {"@value": "12", "@type": "xsd:integer"} in first["sg:p"]


def test_a_parser_reads_back_the_quads() -> None:
    quads = _quads()
    parsed = list(ox.parse(jsonld(quads), format=ox.RdfFormat.JSON_LD))
    blank = {quad.subject for quad in parsed if isinstance(quad.subject, ox.BlankNode)}
    assert len(blank) == 1  # the parser names the blank node afresh
    renamed = {ox.Quad(quad.subject if not isinstance(quad.subject, ox.BlankNode) else ox.BlankNode("b1"), quad.predicate,
                       quad.object if not isinstance(quad.object, ox.BlankNode) else ox.BlankNode("b1")) for quad in parsed}
    assert renamed == set(quads)


def test_quads_of_a_named_graph_give_the_nodes_of_their_triples() -> None:
    """A quad's graph name is not read, whatever object comes before it; a subject met again joins its node, which
    keeps the place where it first came."""
    graph = ox.NamedNode(ID + "graph")
    triples = [ox.Quad(quad.subject, quad.predicate, quad.object) for quad in reversed(_quads())]
    triples.insert(1, triples.pop())  # the subjects interleaved: other, a, other, a, ...
    quads = [ox.Quad(triple.subject, triple.predicate, triple.object, graph) for triple in triples]
    assert str(quads[0]).endswith(f" <{graph.value}>")
    lines = node_lines(str(quad) for quad in quads)
    assert lines == node_lines(str(triple) for triple in triples)
    assert [json.loads(line)["@id"] for line in lines] == ["_:b1", "id:a"]
    assert json.loads(lines[1])["sg:p"][:2] == [{"@id": "id:c"}, {"@value": TRICKY[-1], "@type": "xsd:anyURI"}]


def test_caches_that_hold_one_term_write_the_same_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [str(quad) for quad in _quads()]
    expected = node_lines(lines)
    for cache in ("_KEYS", "_NAMES", "_AROUND"):
        monkeypatch.setattr(jsonld_module, cache, {})
    monkeypatch.setattr(jsonld_module, "_CACHE_SIZE", 1)
    assert node_lines(lines) == expected
    assert [len(getattr(jsonld_module, cache)) for cache in ("_KEYS", "_NAMES", "_AROUND")] == [1, 1, 1]


@pytest.mark.parametrize("line", ['<https://example.org/a> <https://example.org/p>', '_:a <https://example.org/p> ',
                                  '<https://example.org/a> _:p <https://example.org/o>',
                                  '<https://example.org/a> <https://example.org/p> "x"^^xsd:string',
                                  '<https://example.org/a> <https://example.org/p> "no closing quote',
                                  '<https://example.org/a> <https://example.org/p> https://example.org/o'])
def test_a_line_that_is_no_quad_is_refused_in_one_line(line: str) -> None:
    with pytest.raises(ValueError, match=r"^not a quad or triple as Oxigraph writes it \(.+\): ") as refused:
        node_lines([line])
    assert line in str(refused.value) and "\n" not in str(refused.value)
