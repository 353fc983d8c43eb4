"""What a careful annotator captures (issue 12, part 4): a modality per statement, characterisations in a group with
a rank, what a proposal asks in exchange and how it was answered, the whole of a share, the comparison period of a
change, the partner and direction of a trade figure, a note on what the source gets wrong, the author of a source,
and the members a count names. Each is a key of the annotation (a property of the ontology), a check, and a query:
tested on the first source and the fixture sources (tests/fixtures/sources/, fictional outlets)."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import FIRST_SOURCE, ONTOLOGY

from sanctiongraph.builder.checks import run_checks
from sanctiongraph.builder.dataset import build, build_dataset
from sanctiongraph.errors import SourceError
from sanctiongraph.namespaces import ID, SG
from sanctiongraph.query.running import run_query

WIRE = "fixture-northern-wire-2025-03-coal"
WIRE_FILE = f"articles/{WIRE}.yaml"


def rows(graph: Path, name: str, **params: str) -> list[dict[str, object]]:
    return run_query(name, params, graph=graph).records()


def of(source: str, statement: str) -> str:
    return f"{ID}source/{source}/{statement}"


# --- on the built graph: the first source and the fixture sources


def test_a_statement_has_its_own_modality_or_its_claims(graph: Path) -> None:
    def found(modality: str) -> set[tuple[str, bool, str]]:
        return {(str(row["statement"]), row["modalityOf"] == "statement", str(row["accordingTo"]))
                for row in rows(graph, "statements-by-modality", modality=f"modality:{modality}")}

    possible = found("possibility")
    assert (of(FIRST_SOURCE, "russia-us-deal-possible"), True, "Vladimir Putin") in possible  # in a claim of offers
    assert (of(WIRE, "closures-budget-gap"), True, "Northern Wire (fictional outlet)") in possible  # the outlet's own hedge
    observed = found("observation")
    assert (of(FIRST_SOURCE, "global-coal-price-fall"), True, "Ilya Seredyuk") in observed  # in a claim of assessments
    assert (of(WIRE, "exports-to-china-change"), False, "Kuzbass Coal Association (fictional)") in observed  # the claim's
    assert of(WIRE, "output-to-fall") not in {statement for statement, *_ in observed}
    assert (of(WIRE, "output-to-fall"), True, "Kuzbass Coal Association (fictional)") in found("forecast")
    assert of(FIRST_SOURCE, "russia-us-deal-possible") not in {statement for statement, *_ in found("offer")}


def test_characterisations_place_their_subject_in_a_group(graph: Path) -> None:
    def shown(subject: str) -> set[tuple[object, ...]]:
        return {(row["describedAs"], row["group"], row["commodity"], row["groupArea"], row["rank"], row["accordingTo"])
                for row in rows(graph, "characterizations", subject=subject)}

    assert shown("mechel") == {
        ("the country’s biggest firms", "companies", None, "Russia", None, "Newsweek"),
        ("major companies", "companies", None, None, None, "Isaac Levi"),
        ("two of the largest coal companies in the region", "companies", "coal", "Kemerovo Oblast", None, "Steppe Gazette (fictional outlet)"),
    }
    assert shown("Taiga Fuel Trust") == {
        ("the region's third-largest coal producer", "producers", "coal", "Kemerovo Oblast", 3, "Northern Wire (fictional outlet)")}


def test_proposals_say_what_they_ask_in_exchange_and_how_they_were_answered(graph: Path) -> None:
    answered = {(row["initiator"], row["addressee"], row["askedFor"], row["response"], str(row["source"]).rsplit("/", 1)[1])
                for row in rows(graph, "proposal-exchanges")}
    assert answered == {
        ("Ukraine", "United States", "The security guarantees Kyiv hoped for were not offered.", "not offered", FIRST_SOURCE),
        ("Taiga Fuel Trust (fictional)", "Parliament of Kemerovo Oblast", "Regional lawmakers give Taiga Fuel Trust tax relief.",
         "refused", WIRE),
    }


def test_trade_figures_carry_direction_partner_and_comparison_period(graph: Path) -> None:
    figures = {(row["area"], row["direction"], row["partner"], row["figure"], str(row["periodStart"]), str(row["comparisonStart"]),
                str(row["comparisonEnd"]), row["comparedWith"])
               for row in rows(graph, "trade-figures", commodity="commodity:coal")}
    assert ("Russia", "export", None, "shrinking year-on year by 12 percent", "2025-01-01", "2024-01-01", "2024-02-18", "year-on year") in figures
    assert ("Kemerovo Oblast", "export", "China", "fell 15 percent", "2025-01-01", "2024-01-01", "2024-01-31", "a year earlier") in figures
    assert {partner for area, direction, partner, figure, *_ in figures if figure == "decrease"} == {"China", "South Korea", "Taiwan"}


def test_a_share_names_the_whole_it_is_of(graph: Path) -> None:
    (share,) = rows(graph, "shares", whole="russia")
    assert (share["part"], share["indicator"], share["commodity"], share["figure"], share["value"]) == (
        "Kemerovo Oblast", "share of production", "coal", "41 percent", Decimal(41))


def test_a_figure_the_source_gets_wrong_keeps_its_value_beside_the_note(graph: Path) -> None:
    errors = {str(row["statement"]): row for row in rows(graph, "source-errors")}
    wrong = errors[of(WIRE, "kuzbass-exports-january")]
    assert (wrong["figure"], wrong["value"], wrong["unit"]) == ("2 million tonnes", Decimal(2000000), "tonne")  # as printed
    assert "about 4.4 billion" in str(wrong["note"]) and "or 2 billion pounds" in str(wrong["sentence"])
    assert "Centre for Research on Energy and Clean Air" in str(errors[of(FIRST_SOURCE, "levi-crea")]["note"])


def test_a_source_names_its_author(graph: Path) -> None:
    authors = {(row["author"], row["entity"], str(row["source"]).rsplit("/", 1)[1]) for row in rows(graph, "source-authors")}
    assert authors == {("Marta Ilves (fictional reporter)", ID + "marta-ilves", WIRE)}  # `author: Marta Ilves`, an alias


def test_a_count_names_the_members_it_counts(graph: Path) -> None:
    counted: dict[str, set[str]] = {}
    for row in rows(graph, "counted-members"):
        counted.setdefault(str(row["observation"]), set()).add(str(row["member"]))
        assert row["named"] == 2 and row["count"] == 2
    assert counted == {of(FIRST_SOURCE, "biggest-firms-with-losses"): {"Mechel", "Raspadskaya"},
                       of(WIRE, "taiga-idle-mines"): {"Lantern pit (fictional mine)", "Ridge pit (fictional mine)"}}


# --- the checks and the builder's validation, on a copy of the sources with one change


def edited(sources: Path, tmp_path: Path, old: str, new: str) -> Path:
    copy = tmp_path / "sources"
    shutil.copytree(sources, copy)
    annotation = copy / WIRE_FILE
    text = annotation.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    annotation.write_text(text.replace(old, new), encoding="utf-8")
    return copy


def violations(folder: Path) -> list[str]:
    """The ontology's checks, run as a build runs them, on a store of the dataset."""
    dataset = build_dataset(folder, ONTOLOGY)
    store = ox.Store()
    store.bulk_extend(dataset.quads)
    return run_checks(store, ONTOLOGY, dataset.locations)


def test_the_sources_pass_the_checks(sources: Path) -> None:
    assert violations(sources) == []


@pytest.mark.parametrize(("old", "new", "message"), [
    ("    modality: observation\n    claimContent: [exports-to-china-change", "    claimContent: [exports-to-china-change",
     "a claim needs a modality (or one on each statement it carries) [check claim-complete]"),
    ("    rank: 3\n", "    rank: 0\n", "rank 0 is not a position in a group: 1 is the first [check characterization-group]"),
    ("    group: producers\n", "", "a rank or a groupArea needs the group it is in (group: companies, producers, ...) [check characterization-group]"),
    ("    addressee: kemerovo-regional-parliament\n", "", "a response needs the addressee who gave it [check proposal-response]"),
    ("    inExchangeFor: tax-relief-for-taiga\n    response: refused\n", "    response: not-offered\n",
     "the response 'not-offered' answers what was asked in exchange: the proposal needs inExchangeFor [check proposal-response]"),
    ("    value: 41\n    unit: percent\n", "    value: 41\n    unit: count\n", "a share (shareOf) is given in percent [check figure-context]"),
    ("    value: 41\n", "    value: 141\n", "a share of 141 percent is not a part of a whole (0 to 100) [check figure-context]"),
    ("      as_written: a year earlier\n      value: 2024-01\n", "      as_written: a year earlier\n      value: 2025-01\n",
     "the comparison period (from 2025-01-01) must begin before the period compared (from 2025-01-01) [check figure-context]"),
    ("    refArea: kemerovo-oblast\n    partner: china\n", "    partner: china\n",
     "a tradeDirection needs the refArea the goods leave or enter [check figure-context]"),
    ("    valueAsWritten: 2 million tonnes\n", "",
     "an observation with a sourceError keeps the figure as the source printed it in valueAsWritten [check source-error]"),
    ("author: Marta Ilves ", "authorName: Marta Ilves ",
     "authorName 'Marta Ilves' is a name of the registry entity 'marta-ilves': write author: marta-ilves [check document-author]"),
    ("    value: 2\n    unit: count\n", "    value: 1\n    unit: count\n",
     "the observation names 2 counted members but counts 1 [check counted-members]"),
    ("    value: 2\n    unit: count\n", "    value: 2\n    unit: rank\n",
     "countedMember names things an observation counts: its unit must be count [check counted-members]"),
])
def test_a_check_names_the_statement_and_what_is_wrong(sources: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    found = violations(edited(sources, tmp_path, old, new))
    assert len(found) == 1, found
    assert re.fullmatch(rf"{re.escape(WIRE_FILE)}:\d+: {re.escape(message)}", found[0]), found


def test_a_claim_needs_no_modality_when_each_statement_gives_its_own(sources: Path, tmp_path: Path) -> None:
    copy = edited(sources, tmp_path, "    modality: observation\n    claimContent: [exports-to-china-change",
                  "    claimContent: [exports-to-china-change")
    annotation = copy / WIRE_FILE
    annotation.write_text(annotation.read_text(encoding="utf-8").replace(
        "    tradeDirection: export\n    commodity: coal\n    referencePeriod:\n      as_written: January\n      value: 2025-01\n      basis:",
        "    tradeDirection: export\n    modality: observation\n    commodity: coal\n    referencePeriod:\n      as_written: January\n"
        "      value: 2025-01\n      basis:"), encoding="utf-8")
    assert violations(copy) == []


def test_an_author_not_in_the_registry_is_a_name(sources: Path, tmp_path: Path) -> None:
    copy = edited(sources, tmp_path, "author: Marta Ilves ", "authorName: [Tom Rook, Ana Kask] ")
    build(copy, ONTOLOGY, tmp_path / "graph")
    assert {(row["author"], row["entity"]) for row in rows(tmp_path / "graph", "source-authors")} == {("Ana Kask", None), ("Tom Rook", None)}
    dataset = build_dataset(copy, ONTOLOGY)
    names = {(q.subject.value, q.object.value) for q in dataset.quads if q.predicate.value == SG + "authorName"}
    assert names == {(f"{ID}source/{WIRE}", "Tom Rook"), (f"{ID}source/{WIRE}", "Ana Kask")}
    assert not [q for q in dataset.quads if q.predicate.value == SG + "author"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("author: Marta Ilves ", "autor: Marta Ilves ", r"unknown key 'autor'; allowed: id, .*, author, authorName; did you mean 'author'"),
    ("author: Marta Ilves ", "author: Marta Ilvse ", r"unknown entity or statement 'Marta Ilvse' in author; did you mean 'marta-ilves'"),
    ("author: Marta Ilves ", "author: kemerovo-oblast ", r"author must be an agent, but 'kemerovo-oblast' is an administrative region"),
    ("    response: refused\n", "    response: declined\n", r"unknown response 'declined'; allowed: accepted, not-offered, offered, refused"),
    ("    tradeDirection: export\n    commodity: coal\n    referencePeriod:\n      as_written: January\n      value: 2025-01\n      basis:",
     "    tradeDirection: exports\n    commodity: coal\n    referencePeriod:\n      as_written: January\n      value: 2025-01\n      basis:",
     r"unknown tradeDirection 'exports'; allowed: export, import; did you mean 'export'"),
    ("      as_written: a year earlier\n", "      as_written: last year\n",
     r"as_written 'last year' does not occur in the statement's evidence"),
    ("    rank: 3\n", "    rank: third\n", r"rank must be a whole number"),
    ("    countedMember: [lantern-pit, ridge-pit]\n", "    countedMember: [lantern-pit, ridge-pits]\n",
     r"unknown entity or statement 'ridge-pits' in countedMember; did you mean 'ridge-pit'"),
])
def test_a_bad_value_of_a_new_key_is_one_located_line(sources: Path, tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(SourceError, match=rf"^{re.escape(WIRE_FILE)}:\d+: {message}"):
        build_dataset(edited(sources, tmp_path, old, new), ONTOLOGY)


def test_a_trade_figure_for_one_partner_does_not_conflict_with_the_total(sources: Path, tmp_path: Path) -> None:
    """The Kuzbass's exports to China, moved to Russia as a whole for the test, overlap the first source's and the
    Kuzbass Ledger's total exports in area and period; with its partner it is another figure, without it a conflict."""
    def conflicting(copy: Path) -> set[str]:
        output = copy.parent / "graph"
        build(copy, ONTOLOGY, output)
        found = run_query("conflicting-reports", {"indicator": "indicator:coal-export-volume-change"}, graph=output).records()
        return {str(row["figure1"]) for row in found} | {str(row["figure2"]) for row in found}

    moved = "    refArea: kemerovo-oblast\n    partner: china\n"
    assert '-15 percent: "fell 15 percent"' not in conflicting(edited(sources, tmp_path / "partner", moved, "    refArea: russia\n    partner: china\n"))
    assert '-15 percent: "fell 15 percent"' in conflicting(edited(sources, tmp_path / "total", moved, "    refArea: russia\n"))
