"""Exports for other tools and the import back: FollowTheMoney entities read back and validated by followthemoney,
Web Annotations of every evidence quote checked against the source texts, and their import into a copy of the
sources, built again to the same evidence."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import FIRST_SOURCE, ONTOLOGY, with_fixture_sources
from followthemoney import model
from followthemoney.proxy import EntityProxy

from sanctiongraph.builder.dataset import build
from sanctiongraph.cli import main
from sanctiongraph.namespaces import ID
from sanctiongraph.query.store import open_store

TEXT_OF = {p.stem: p.read_text(encoding="utf-8") for p in (Path(__file__).resolve().parents[1] / "sources" / "articles").glob("*.txt")}
TEXT_OF |= {p.stem: p.read_text(encoding="utf-8") for p in (Path(__file__).parent / "fixtures" / "sources" / "articles").glob("*.txt")}
ANNOTATION = f"articles/{FIRST_SOURCE}.yaml"

# FICTION: a source written for this test, so that a listing is stated as a fact, with a date and an address.
LISTING_TEXT = "FICTION. Northern Wire reports: the United States added Mechel to its sanctions list on 5 March 2025.\n"
LISTING_SOURCE = """\
id: fixture-northern-wire-2025-03-listing
text: fixture-northern-wire-2025-03-listing.txt
type: NewsArticle
title: Mechel listed
publisher: northern-wire
language: en
published: 2025-03-06
address: https://northern-wire.example/mechel-listed
attribution: "FICTION: written for sanctiongraph's tests."
not-story:
  - quote: FICTION.
    reason: fixture notice
statements:
  - id: mechel-listed
    type: Listing
    summary: The United States added Mechel to its sanctions list.
    authority: united-states
    listedEntity: mechel
    measureKind: listing
    sanctionsList: us-sanctions-list
    regime: western-sanctions-on-russia
    date: {value: 2025-03-05, as_written: 5 March 2025}
    evidence: the United States added Mechel to its sanctions list on 5 March 2025
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    return status, capsys.readouterr().err


def read_ftm(path: Path) -> dict[str, EntityProxy]:
    """Each line read back by followthemoney and checked against its schema (values and required properties)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        proxy = model.get_proxy(data, cleaned=False)
        assert proxy.schema.validate({"properties": proxy.properties}) is None
        assert all(proxy.has(required) for required in proxy.schema.required), data
        assert proxy.to_dict()["properties"] == data["properties"], data  # cleaning by followthemoney changed nothing
        found[str(proxy.id)] = proxy
    return found


@pytest.fixture(scope="module")
def listing_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sources = with_fixture_sources(tmp_path_factory.mktemp("listing") / "sources")
    (sources / "articles" / "fixture-northern-wire-2025-03-listing.txt").write_text(LISTING_TEXT, encoding="utf-8")
    (sources / "articles" / "fixture-northern-wire-2025-03-listing.yaml").write_text(LISTING_SOURCE, encoding="utf-8")
    output = tmp_path_factory.mktemp("listing-graph")
    build(sources, ONTOLOGY, output)
    return output


# --- FollowTheMoney


def test_ftm_export_is_valid_followthemoney_with_the_claimed_listings(graph: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    status, err = run(capsys, "export", "ftm", str(tmp_path / "out.json"), "--graph", str(graph))
    found = read_ftm(tmp_path / "out.json")
    assert status == 0 and f"{sum(proxy.schema.name == 'Sanction' for proxy in found.values())} Sanction" in err
    suek = found["sanctiongraph.suek"]
    assert suek.schema.name == "Company" and suek.get("name") == ["SUEK"] and suek.get("topics") == ["sanction"]
    assert found["sanctiongraph.putin"].schema.name == "Person" and found["sanctiongraph.putin"].get("wikidataId") == ["Q7747"]
    assert found["sanctiongraph.bank-of-russia"].schema.name == "PublicBody"
    sanction = found[f"sanctiongraph.{FIRST_SOURCE}.suek-us-listing"]
    assert sanction.get("entity") == ["sanctiongraph.suek"] and sanction.get("authority") == ["United States"]
    assert sanction.get("recordId") == [f"{ID}source/{FIRST_SOURCE}/suek-us-listing"]
    assert sanction.get("summary")[0].endswith("(claimed by Isaac Levi)")  # the claimant's word, not the source's
    quote = sanction.get("description")[0].strip("“”")
    assert quote in TEXT_OF[FIRST_SOURCE] and "SUEK" in quote
    for proxy in found.values():  # every reference resolves within the file
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in found, (proxy.id, prop.name, value)


def test_ftm_sanction_carries_dates_program_and_source_url_and_is_deterministic(listing_graph: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["export", "ftm", str(first), "--graph", str(listing_graph), "-q"]) == 0
    subprocess.run([sys.executable, "-m", "sanctiongraph", "export", "ftm", str(second), "--graph", str(listing_graph), "-q"],
                   check=True, env={"PYTHONHASHSEED": "7", "PATH": ""})
    assert first.read_bytes() == second.read_bytes()
    sanction = read_ftm(first)["sanctiongraph.fixture-northern-wire-2025-03-listing.mechel-listed"]
    assert sanction.get("listingDate") == ["2025-03-05"] and sanction.get("authority") == ["United States"]
    assert sanction.get("program") == ["Western sanctions on Russia", "US sanctions list"]
    assert sanction.get("sourceUrl") == ["https://northern-wire.example/mechel-listed"]
    assert sanction.get("publisher") == ["Northern Wire (fictional outlet)"] and not sanction.get("summary")[0].endswith(")")
    assert sanction.get("description") == ["“the United States added Mechel to its sanctions list on 5 March 2025”"]


# --- Web Annotation


def export_annotations(graph: Path, path: Path) -> dict[str, Any]:
    assert main(["export", "annotations", str(path), "--graph", str(graph), "-q"]) == 0
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_every_evidence_quote_is_an_annotation_whose_selectors_select_it(graph: Path, store: ox.Store, tmp_path: Path) -> None:
    data = export_annotations(graph, tmp_path / "a.jsonld")
    assert data["@context"][0] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    evidence = {str(row["e"].value) for row in store.query(  # type: ignore[union-attr]
        "PREFIX sg: <https://w3id.org/sanctiongraph/ontology#> SELECT ?e WHERE { ?s sg:evidence ?e }", use_default_graph_as_union=True)}
    assert data["total"] == len(items) == len(evidence) and {i["id"].removesuffix("/annotation") for i in items} == evidence
    for item in items:
        assert item["type"] == "Annotation" and item["motivation"] == "linking"
        text = TEXT_OF[item["target"]["source"].removeprefix(ID + "source/")]
        quote, position = item["target"]["selector"]
        assert text[position["start"]:position["end"]] == quote["exact"]
        assert text[:position["start"]].endswith(quote.get("prefix", "")) and text[position["end"]:].startswith(quote.get("suffix", ""))
        statement, summary = item["body"]
        assert statement["id"].startswith(item["target"]["source"] + "/") and statement["type"].startswith("sg:")
        assert summary["type"] == "TextualBody" and summary["value"]


def test_annotations_round_trip_into_a_copy_of_the_sources(graph: Path, store: ox.Store, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    exported = tmp_path / "a.jsonld"
    export_annotations(graph, exported)
    sources = with_fixture_sources(tmp_path / "sources")
    annotation = sources / ANNOTATION
    original = annotation.read_text(encoding="utf-8")
    cut = original[:original.index("  - id: putin-woos-trump")] + original[original.index("  - id: putin-touts-cooperation"):]
    annotation.write_text(cut, encoding="utf-8")

    status, err = run(capsys, "import", "annotations", str(exported), "--source", FIRST_SOURCE, "--sources", str(sources))
    assert status == 0 and err.startswith(f"wrote 2 draft statement(s) to {annotation}") and "other sources left alone" in err
    with pytest.raises(Exception, match="2 unreviewed draft statement"):
        build(sources, ONTOLOGY, tmp_path / "refused")
    # the reviewer's part: what the quotes say, then the draft lines away
    reviewed = re.sub(r"\n    draft: .*", "", annotation.read_text(encoding="utf-8"))
    head, posting, tail = reviewed.rpartition("    type: PostHolding\n")  # the imported one, appended last
    reviewed = head + posting + "    holder: putin\n    role: president\n    roleIn: russia\n" + tail
    annotation.write_text(reviewed, encoding="utf-8")
    rebuilt = tmp_path / "graph"
    build(sources, ONTOLOGY, rebuilt)
    assert evidence_of(open_store(rebuilt)) == evidence_of(store)

    status, err = run(capsys, "import", "annotations", str(exported), "--source", FIRST_SOURCE, "--sources", str(sources))
    assert status == 0 and err.startswith(f"nothing new for {annotation}") and annotation.read_text(encoding="utf-8") == reviewed


def evidence_of(store: ox.Store) -> set[tuple[str, str, str, str]]:
    rows = store.query("""PREFIX sg: <https://w3id.org/sanctiongraph/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?s ?exact ?start ?end WHERE { ?s sg:evidence ?e . ?e oa:hasSelector ?q , ?p .
        ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }""", use_default_graph_as_union=True)
    return {(str(r["s"].value), str(r["exact"].value), str(r["start"].value), str(r["end"].value)) for r in rows}  # type: ignore[union-attr]


def test_a_quote_not_in_the_text_is_one_line_and_nothing_is_written(graph: Path, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = export_annotations(graph, tmp_path / "a.jsonld")
    mine = [i for i in data["first"]["items"] if i["target"]["source"] == f"{ID}source/{FIRST_SOURCE}"]
    mine[3]["target"]["selector"][0]["exact"] = "Putin sells the Moon"
    (tmp_path / "bad.jsonld").write_text(json.dumps(mine), encoding="utf-8")
    sources = tmp_path / "sources"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sources", sources)
    before = (sources / ANNOTATION).read_bytes()
    (sources / ANNOTATION).write_text(before.decode("utf-8").replace("  - id: putin-president", "  - id: putin-was-president"),
                                      encoding="utf-8")
    changed = (sources / ANNOTATION).read_bytes()
    status, err = run(capsys, "import", "annotations", str(tmp_path / "bad.jsonld"), "--source", FIRST_SOURCE, "--sources", str(sources))
    assert status == 1 and err.count("\n") == 1
    assert err.startswith(f"sanctiongraph: error: {tmp_path / 'bad.jsonld'}: annotation 4 (") and "is not in the text of the source: 'Putin sells the Moon'" in err
    assert (sources / ANNOTATION).read_bytes() == changed and sorted(p.name for p in (sources / "articles").iterdir()) == sorted(
        p.name for p in (Path(__file__).resolve().parents[1] / "sources" / "articles").iterdir())


def test_import_errors_are_one_line(graph: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(Path(__file__).resolve().parents[1] / "sources", sources)
    (tmp_path / "garbage.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "none.json").write_text("[]", encoding="utf-8")
    for argv, message in [
        (["import", "annotations", str(tmp_path / "garbage.json"), "--source", FIRST_SOURCE], "not JSON"),
        (["import", "annotations", str(tmp_path / "none.json"), "--source", FIRST_SOURCE], "no annotation targets source"),
        (["import", "annotations", str(tmp_path / "none.json"), "--source", "nowhere"], "no source 'nowhere'"),
    ]:
        status, err = run(capsys, *argv, "--sources", str(sources))
        assert status == 1 and err.count("\n") == 1 and message in err, err
