"""Each competency question of the first source, answered by its named query, checked by value with its evidence."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ARTICLE, QUERIES

from sanctiongraph.query.library import load_queries
from sanctiongraph.query.running import run_query

SOURCE = "https://w3id.org/sanctiongraph/id/source/newsweek-2025-03-russia-mines"
TEXT = ARTICLE.read_text(encoding="utf-8")
QUERY = load_queries(QUERIES)


def select(graph: Path, name: str) -> list[dict[str, ox.NamedNode | ox.Literal | None]]:
    """The rows of a query that come from the first source: the graph holds other sources too (conftest)."""
    result = run_query(QUERY[name], graph=graph)
    rows = [dict(zip(result.variables, row)) for row in result.rows]  # type: ignore[arg-type]
    return [row for row in rows if "source" not in row or row["source"] is None or row["source"].value == SOURCE]


def answer(graph: Path, name: str, *columns: str) -> set[tuple[str | None, ...]]:
    """The distinct values of some columns of a query's rows; every row must cite the source and a sentence of it."""
    rows = select(graph, name)
    assert rows, f"{name} returned nothing"
    for row in rows:
        assert row["source"] is not None and row["source"].value == SOURCE, row
        assert row["sentence"] is not None and row["sentence"].value in TEXT, row
    return {tuple(None if row[c] is None else row[c].value for c in columns) for row in rows}


def sentences(graph: Path, name: str) -> set[str]:
    return {row["sentence"].value for row in select(graph, name)}  # type: ignore[union-attr]


def test_every_competency_question_has_a_query() -> None:
    assert sorted(name[:4] for name in QUERY if name.startswith("cq")) == [f"cq{n:02}" for n in range(1, 16)]


def test_cq01_sanctions_on_russian_coal(graph: Path) -> None:
    assert answer(graph, "cq01-sanctions-on-russian-coal", "class", "authority", "target", "commodity", "since", "accordingTo") == {
        ("trade restriction", "European Union", "Russia", "coal", "2022-04", "Newsweek"),
        ("sanctions listing", "United States", "SUEK", "coal", None, "Isaac Levi"),
        ("sanctions listing", "United States", "Mechel", "coal", None, "Isaac Levi"),
    }


def test_cq01_kinds_of_the_embargo(graph: Path) -> None:
    kinds = {row[0] for row in answer(graph, "cq01-sanctions-on-russian-coal", "kinds")}
    assert {frozenset(k.split(", ")) for k in kinds} == {frozenset({"embargo", "import ban"}), frozenset({"listing on a sanctions list"})}
    assert any("full embargo on Russia’s coal in April 2022" in s for s in sentences(graph, "cq01-sanctions-on-russian-coal"))


def test_cq02_companies_on_us_sanctions_list(graph: Path) -> None:
    assert answer(graph, "cq02-companies-on-us-sanctions-list", "company", "accordingTo") == {("Mechel", "Isaac Levi"), ("SUEK", "Isaac Levi")}
    assert all("U.S. sanctions list" in s for s in sentences(graph, "cq02-companies-on-us-sanctions-list"))


def test_cq03_kemerovo_mine_suspensions(graph: Path) -> None:
    rows = answer(graph, "cq03-kemerovo-mine-suspensions", "mines", "workers", "speaker", "audience", "reportedBy", "relayedBy")
    assert rows == {("8", "591", "Ilya Seredyuk", "Parliament of Kemerovo Oblast", "Kommersant", "Newsweek")}
    assert sentences(graph, "cq03-kemerovo-mine-suspensions") == {
        "Kemerovo regional governor Ilya Seredyuk told the local parliament that production had been suspended at eight "
        "coal mines which employed 591 workers, most of whom had not been paid for months, business newspaper Kommersant reported."
    }


def test_cq04_firms_with_losses(graph: Path) -> None:
    assert answer(graph, "cq04-firms-with-losses", "firm", "financialYear", "reported", "reportedAsWritten") == {
        ("Mechel", "2024", "2025-02", "Last month"),
        ("Raspadskaya", "2024", "2025-02", "Last month"),
    }


def test_cq05_russian_coal_export_change(graph: Path) -> None:
    rows = answer(graph, "cq05-russian-coal-export-change", "value", "unit", "periodAsWritten", "periodStart", "periodEnd", "accordingTo")
    assert rows == {("-12", "percent", "the first seven weeks of 2025", "2025-01-01", "2025-02-18", "Isaac Levi")}


def test_cq06_buyers_cutting_russian_coal(graph: Path) -> None:
    assert answer(graph, "cq06-buyers-cutting-russian-coal", "buyer", "rank", "accordingTo") == {
        ("China", "1", "Isaac Levi"), ("South Korea", None, "Isaac Levi"), ("Taiwan", None, "Isaac Levi"),
    }


def test_cq07_key_rate_and_inflation(graph: Path) -> None:
    rows = answer(graph, "cq07-russian-key-rate-and-inflation", "indicator", "value", "unit", "qualifier", "asOfEarliest", "asOfLatest")
    assert {(i, Decimal(v), u, q, e, l) for i, v, u, q, e, l in rows} == {  # type: ignore[arg-type]
        ("key interest rate", Decimal(21), "percent", "record high", "2025-03-01", "2025-03-07"),
        ("inflation rate", Decimal("9.5"), "percent", "soaring", "2025-03-01", "2025-03-07"),
    }


def test_cq08_causes_of_coal_crisis(graph: Path) -> None:
    causes = answer(graph, "cq08-causes-of-coal-crisis", "givenBy", "cause")
    givers = {giver for giver, _ in causes}
    assert givers == {"Kommersant", "Ilya Seredyuk", "Isaac Levi", "Newsweek"}
    expected = {
        ("Kommersant", "The Kemerovo mines struggle with debt."),
        ("Kommersant", "Demand for coal is plummeting."),
        ("Kommersant", "Western sanctions on Russia"),
        ("Ilya Seredyuk", "Western sanctions on Russia"),
        ("Ilya Seredyuk", "Global coal prices have fallen."),
        ("Ilya Seredyuk", "The coal industry has infrastructural problems with imports and exports."),
        ("Isaac Levi", "Interest rates in Russia are rocketing."),
        ("Isaac Levi", "Russia's domestic inflation is colossal."),
        ("Isaac Levi", "The ruble is strong."),
        ("Isaac Levi", "Western sanctions on Russia"),
        ("Newsweek", "There are issues with transporting coal by rail."),
        ("Newsweek", "The Russian central bank's key interest rate is at a record high of 21 percent."),
        ("Newsweek", "Western sanctions on Russia"),
        ("Newsweek", "Russia's economy is in turbulence."),
    }
    assert expected <= causes, expected - causes


def test_cq09_quotations(graph: Path) -> None:
    rows = answer(graph, "cq09-quotations", "speaker", "role", "affiliation", "publication")
    assert rows == {
        ("Ilya Seredyuk", "governor", "Kemerovo Oblast", "Newsweek"),
        ("Isaac Levi", "affiliate", "Centre for Research on Energy and Clean Air", "Newsweek"),
        ("Vladimir Putin", "president", "Russia", "Newsweek"),
        ("Konstantin Sonin", "professor", "University of Chicago", "Newsweek"),
    }
    quotes = {q for (q,) in answer(graph, "cq09-quotations", "quotation")}
    assert "it could be unsigned in a matter of minutes." in quotes
    assert all(q in TEXT for q in quotes)


def test_cq10_putin_offers(graph: Path) -> None:
    rows = answer(graph, "cq10-putin-offers-to-us", "commodity", "region", "accordingTo")
    regions = {region for _, region, who in rows if who == "Vladimir Putin" and region}
    assert {"Northern Russia", "Caucasus", "Russian Far East", "Donbas"} <= regions
    commodities = {commodity for commodity, _, _ in rows}
    assert {"minerals", "rare earth metals", "critical minerals"} <= commodities


def test_cq11_occupied_regions(graph: Path) -> None:
    assert answer(graph, "cq11-occupied-regions-offered", "region", "sovereign", "controller", "fullControl") == {
        ("Donbas", "Ukraine", "Russia", "false")
    }


def test_cq12_foundered_deal(graph: Path) -> None:
    rows = answer(graph, "cq12-foundered-deals", "deal", "date", "dateAsWritten", "participant")
    assert rows == {
        ("US–Ukraine minerals deal", "2025-02-28", "last Friday", "Donald Trump"),
        ("US–Ukraine minerals deal", "2025-02-28", "last Friday", "Volodymyr Zelenskyy"),
    }


def test_cq13_rank_and_towns(graph: Path) -> None:
    assert answer(graph, "cq13-coal-producer-rank-and-towns", "indicator", "value", "unit", "approximate", "asWritten") == {
        ("rank among coal producers", "6", "rank", None, "sixth biggest"),
        ("coal single-industry towns", "30", "count", "true", "around 30"),
    }


def test_cq14_evidence_offsets(graph: Path) -> None:
    rows = select(graph, "cq14-evidence-of-mine-suspension")
    assert len(rows) == 1
    row = {k: v.value for k, v in rows[0].items() if v is not None}
    assert row["source"] == SOURCE
    sentence_start, sentence_end = int(row["sentenceStart"]), int(row["sentenceEnd"])
    quote_start, quote_end = int(row["quoteStart"]), int(row["quoteEnd"])
    assert TEXT[sentence_start:sentence_end] == row["sentence"]
    assert TEXT[quote_start:quote_end] == row["quote"]
    assert sentence_start <= quote_start < quote_end <= sentence_end
    assert "eight coal mines which employed 591 workers" in row["quote"]
    assert row["sentence"].startswith("Kemerovo regional governor Ilya Seredyuk told the local parliament")


def test_cq15_sectors_hit_less(graph: Path) -> None:
    rows = answer(graph, "cq15-sectors-hit-less-than-coal", "sector", "reason", "accordingTo")
    assert {sector for sector, _, _ in rows} == {"Russian oil sector", "Russian gas sector"}
    assert {who for _, _, who in rows} == {"Isaac Levi"}
    reasons = {reason for _, reason, _ in rows}
    assert {
        "Europe still purchases oil and gas from Russia.",
        "Europe imposed a full embargo on Russia's coal in April 2022, which included a ban on imports.",
        "SUEK has been added to the US sanctions list.",
        "Mechel has been added to the US sanctions list.",
    } == reasons


@pytest.mark.parametrize("name", sorted(QUERY))
def test_query_header(name: str) -> None:
    query = QUERY[name]
    assert query.title and query.description and "PREFIX sg:" in query.text
