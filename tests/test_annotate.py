"""The annotation assistant: drafts that verify and build only once reviewed, re-annotation, bad input, the review page.

Run on the first source's text (its annotation left aside) and on a fixture text written for these tests
(tests/annotate/, a fictional outlet)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml
from chromium import launch
from playwright.sync_api import sync_playwright

from sanctiongraph.annotate.language import tokens
from sanctiongraph.annotate.mentions import find_mentions
from sanctiongraph.annotate.times import find_times
from sanctiongraph.builder.ontology import Ontology
from sanctiongraph.builder.sources import load_registry, load_source
from sanctiongraph.cli import main
from sanctiongraph.project import ontology_folder

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "annotate"
NEWSWEEK = "newsweek-2025-03-russia-mines"
LEDGER = "harbour-ledger-2024-11-port-ban"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A sources folder: the bundled registry and first source, the fictional entities, the two texts to annotate."""
    sources = tmp_path / "sources"
    shutil.copytree(ROOT / "sources", sources)
    registry = (sources / "entities.yaml").read_text(encoding="utf-8")
    (sources / "entities.yaml").write_text(registry + "\n" + (FIXTURES / "entities.yaml").read_text(encoding="utf-8"),
                                           encoding="utf-8")
    shutil.copy(FIXTURES / f"{LEDGER}.txt", sources / "articles")
    shutil.copy(sources / "articles" / f"{NEWSWEEK}.txt", sources / "articles" / "raw-newsweek.txt")
    return sources


def annotate(sources: Path, text: str, source_id: str, publisher: str, published: str, *extra: str) -> int:
    return main(["annotate", str(sources / "articles" / text), "--id", source_id, "--publisher", publisher,
                 "--published", published, "--sources", str(sources), "-q", *extra])


def statements(path: Path) -> list[dict[str, object]]:
    return list(yaml.safe_load(path.read_text(encoding="utf-8"))["statements"])


def test_every_draft_verifies_and_is_marked(project: Path) -> None:
    assert annotate(project, "raw-newsweek.txt", "raw-newsweek", "newsweek", "2025-03-03") == 0
    output = project / "articles" / "raw-newsweek.yaml"
    source = load_source(output, project, Ontology.load(ontology_folder()))  # every quote is located, or this raises
    assert source.statements and all(item.draft for item in source.statements)
    drafts = statements(output)
    workers = [d for d in drafts if d["type"] == "Observation" and d.get("value") == 591]
    assert workers and workers[0]["unit"] == "count" and workers[0]["valueAsWritten"] == "591 workers"
    dates = [d["date"] for d in drafts if d["type"] == "Event" and "date" in d]
    assert {"as_written": "last Friday", "value": "2025-02-28"}.items() <= next(
        x for x in dates if x["as_written"] == "last Friday").items()
    seredyuk = next(d for d in drafts if d["type"] == "Claim" and d.get("claimant") == "seredyuk" and "audience" in d)
    assert seredyuk["audience"] == "kemerovo-regional-parliament" and seredyuk["via"] == ["kommersant"]
    content = next(d for d in drafts if d["id"] == seredyuk["claimContent"])
    assert str(content["summary"]).startswith("production had been suspended at eight coal mines")
    header = output.read_text(encoding="utf-8").split("\nid:")[0]
    assert "#   mechel: Mechel" in header and "#   ALEXEY DRUZHININ (Person)" in header
    assert "#   russia: Moscow, Russia, Russian" in header  # a registry alias: Moscow is no candidate any more
    assert "#   russia-ukraine-war: his war" in header  # a description


def mentioned(text: str) -> dict[str, set[str]]:
    """The words of a text that name each registry entity (the bundled registry), found by the assistant."""
    registry = load_registry(ROOT / "sources", Ontology.load(ontology_folder()))
    found: dict[str, set[str]] = {}
    for mention in find_mentions(tokens(text), registry):
        found.setdefault(mention.entity or "", set()).add(mention.text)
    return found


def test_descriptions_resolve_by_the_registrys_names() -> None:
    found = mentioned("Russia’s exports fell. Analysts say the oil and gas sectors and his war weigh on Moscow. "
                      "A deal between Kyiv and Washington stalled. Moscow wants a minerals deal with the U.S. instead.")
    assert found["russian-oil-sector"] == {"oil"} and found["russian-gas-sector"] == {"gas sectors"}
    assert found["russia-ukraine-war"] == {"his war"}
    assert found["us-ukraine-minerals-deal"] == {"deal"}  # between Kyiv (ukraine) and Washington (united-states)
    assert found["russia-us-minerals-deal"] == {"minerals deal"}  # with the U.S., Moscow before it in the sentence
    assert {"Kyiv", "Moscow", "Washington"} <= found["ukraine"] | found["russia"] | found["united-states"]


def test_descriptions_need_their_context() -> None:
    found = mentioned("The oil sector grew. The war went on. A deal between Norway and Iceland was signed.")
    assert not {"russian-oil-sector", "russia-ukraine-war", "russia-us-minerals-deal", "us-ukraine-minerals-deal"} & set(found)


def test_a_title_names_the_person_given_it_earlier() -> None:
    found = mentioned("Kemerovo regional governor Ilya Seredyuk spoke first. Russian President Vladimir Putin spoke later. "
                      "The governor said mines had closed, and the regional governor agreed. The Ukrainian president did not.")
    assert found["seredyuk"] == {"Ilya Seredyuk", "The governor", "the regional governor"}
    assert found["putin"] == {"Vladimir Putin"}  # "the Ukrainian president" is not the Russian one


def test_fixture_text_figures_times_claims(project: Path) -> None:
    assert annotate(project, f"{LEDGER}.txt", LEDGER, "harbour-ledger", "2024-11-04") == 0
    drafts = statements(project / "articles" / f"{LEDGER}.yaml")
    figures = {(d.get("value", d.get("lowerBound")), d.get("unit")) for d in drafts if d["type"] == "Observation"}
    assert {(30, "count"), (200, "count"), (198400000, None), (-14, "percent"), (1200, "count")} <= figures
    approximate = [d for d in drafts if d["type"] == "Observation" and d.get("approximate")]
    assert {d["valueAsWritten"] for d in approximate} >= {"About 30 towns", "hundreds of dockworkers"}
    times = [d.get("date") or d.get("referencePeriod") for d in drafts if "date" in d or "referencePeriod" in d]
    assert {"as_written": "last Friday", "value": "2024-11-01", "basis": times[0]["basis"]} in times
    assert any(t.get("start") == "2024-01-01" and t.get("end") == "2024-03-31" for t in times)
    claims = {(d.get("claimant"), d.get("audience")) for d in drafts if d["type"] == "Claim"}
    assert {("lena-osterberg", "harbour-ledger"), ("varnholt-trade-office", None), ("lena-osterberg", None)} <= claims
    ban = next(d for d in drafts if d["type"] == "TradeRestriction")
    assert ban["authority"] == "council-of-meridia" and ban["measureKind"] == "export-ban"


def test_build_refuses_drafts_and_previews_without_them(project: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert annotate(project, f"{LEDGER}.txt", LEDGER, "harbour-ledger", "2024-11-04") == 0
    count = len(statements(project / "articles" / f"{LEDGER}.yaml"))
    graph = tmp_path / "graph"
    capsys.readouterr()
    assert main(["build", "--sources", str(project), "--output", str(graph), "-q"]) == 1
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and f"{count} unreviewed draft statement(s)" in error
    assert f"articles/{LEDGER}.yaml:" in error and "--allow-drafts" in error
    assert not graph.exists()
    assert main(["build", "--sources", str(project), "--output", str(graph), "-q", "--allow-drafts"]) == 0
    assert (graph / "sanctiongraph.trig").exists()


def test_reviewed_draft_builds_and_reannotation_keeps_it(project: Path, tmp_path: Path) -> None:
    assert annotate(project, f"{LEDGER}.txt", LEDGER, "harbour-ledger", "2024-11-04") == 0
    output = project / "articles" / f"{LEDGER}.yaml"
    first = output.read_text(encoding="utf-8")
    drafts = statements(output)
    ban = next(d for d in drafts if d["type"] == "TradeRestriction")
    # the review: the ban kept as drafted, every other draft dropped
    lines = first.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {ban['id']}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- id:")), len(lines))
    reviewed = [line for line in lines[start:end] if not line.lstrip().startswith(("draft:", "# ---"))]
    assert (ban["targetCountry"], ban["commodity"]) == ("varnholt", "coal")
    head = first[:first.index("statements:\n") + len("statements:\n")]
    output.write_text(head + "".join(reviewed), encoding="utf-8")
    (project / "articles" / "raw-newsweek.txt").unlink()
    assert main(["build", "--sources", str(project), "--output", str(tmp_path / "graph"), "-q"]) == 0
    kept = output.read_text(encoding="utf-8")

    assert annotate(project, f"{LEDGER}.txt", LEDGER, "harbour-ledger", "2024-11-04") == 0
    merged = output.read_text(encoding="utf-8")
    assert merged.startswith(kept.rstrip("\n"))  # the reviewed statement as it was
    again = statements(output)
    assert [d["id"] for d in again if "draft" not in d] == [ban["id"]]
    assert not any(d["type"] == "TradeRestriction" and "draft" in d for d in again)  # covered: no new draft
    assert len(again) == len(drafts)  # everything else drafted again
    assert annotate(project, f"{LEDGER}.txt", LEDGER, "harbour-ledger", "2024-11-04") == 0
    assert output.read_text(encoding="utf-8") == merged  # a second pass changes nothing


@pytest.mark.parametrize(("content", "args", "status", "message"), [
    (b"", (), 1, "the text is empty"),
    (b"  \n\n", (), 1, "the text is empty"),
    (b"PK\x03\x04\x00\x00binary", (), 1, "the text is binary"),
    ("Caf\u00e9 society".encode("latin-1"), (), 1, "the text is not UTF-8"),
    (b"A text.", ("--publisher", "nobody"), 2, "unknown publisher 'nobody'"),
    (b"A text.", ("--publisher", "putin"), 2, "unknown publisher 'putin'"),
    (b"A text.", ("--published", "last week"), 2, "--published must be a date YYYY-MM-DD"),
    (b"A text.", ("--published", "2025-02-30"), 2, "--published must be a date YYYY-MM-DD"),
    (b"A text.", ("--id", "Bad ID"), 2, "--id 'Bad ID' is not a source ID"),
])
def test_bad_input(project: Path, content: bytes, args: tuple[str, ...], status: int, message: str,
                   capsys: pytest.CaptureFixture[str]) -> None:
    (project / "articles" / "bad.txt").write_bytes(content)
    options = dict(zip(args[::2], args[1::2]))
    code = main(["annotate", str(project / "articles" / "bad.txt"), "--id", options.get("--id", "bad"), "--sources", str(project),
                 "--publisher", options.get("--publisher", "newsweek"),
                 "--published", options.get("--published", "2025-03-03")])
    error = capsys.readouterr().err.strip()
    assert code == status and message in error and "\n" not in error
    assert not (project / "articles" / "bad.yaml").exists()


def test_existing_output_is_refused_unless_forced(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    human = project / "articles" / f"{NEWSWEEK}.yaml"
    before = human.read_bytes()
    code = annotate(project, "raw-newsweek.txt", "raw-newsweek", "newsweek", "2025-03-03", "-o", str(human))
    assert code == 1 and "is not an annotation of raw-newsweek" in capsys.readouterr().err
    assert human.read_bytes() == before
    assert annotate(project, "raw-newsweek.txt", "raw-newsweek", "newsweek", "2025-03-03", "-o", str(human), "--force") == 0
    assert all("draft" in d for d in statements(human))


def test_reannotating_the_human_annotation_adds_only_what_it_lacks(project: Path) -> None:
    human = project / "articles" / f"{NEWSWEEK}.yaml"
    before = human.read_text(encoding="utf-8")
    assert annotate(project, f"{NEWSWEEK}.txt", NEWSWEEK, "newsweek", "2025-03-03") == 0
    after = human.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))
    added = [d for d in statements(human) if "draft" in d]
    reviewed = [d for d in statements(human) if "draft" not in d]
    assert len(reviewed) == before.count("\n  - id: ")
    assert not any(d["type"] == "Claim" and d.get("claimant") == "seredyuk" and d.get("audience") for d in added)
    assert not any(d["type"] == "Observation" and d.get("value") in (591, 21, 9.5) for d in added)


HOSTILE = ("Injection </script><script>window.hit=1</script> test\n\n"
           "Mechel said that <img src=x onerror=window.hit=2> cost 40 percent, “</textarea><b>x</b>”.\n")


def test_review_page_is_offline_escaped_and_links_drafts(project: Path) -> None:
    text = project / "articles" / "hostile.txt"
    text.write_text(HOSTILE, encoding="utf-8")
    assert main(["annotate", str(text), "--id", "hostile", "--publisher", "newsweek", "--published", "2025-03-03",
                 "--sources", str(project), "--html", "-q"]) == 0
    html = (project / "articles" / "hostile.html").read_text(encoding="utf-8")
    assert "<script>window.hit" not in html and "<img src=x" not in html
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("dialog", lambda dialog: pytest.fail("a dialog opened"))
        page.goto((project / "articles" / "hostile.html").as_uri())
        assert page.evaluate("window.hit") is None
        assert "<img src=x onerror=window.hit=2>" in page.inner_text("main")
        assert page.locator("mark.mention", has_text="Mechel").count() == 1  # inside a claim's evidence: still marked
        assert page.locator("mark.evidence", has_text="▸").count() >= 1
        assert re.match(r"Review \(\d+ drafts\)", page.title())
        evidence = page.locator("mark[data-draft]").first
        draft_id = evidence.get_attribute("data-draft")
        evidence.click()
        card = page.locator(f"#draft-{draft_id}")
        assert "active" in (card.get_attribute("class") or "")
        line = int(re.search(r"line (\d+)", card.inner_text())[1])  # type: ignore[index]
        written = (project / "articles" / "hostile.yaml").read_text(encoding="utf-8").splitlines()
        assert written[line - 1].strip() == f"- id: {draft_id}"
        browser.close()
    assert requests == [(project / "articles" / "hostile.html").as_uri()]


def test_a_day_without_a_year_is_the_last_such_day_up_to_the_publication() -> None:
    published = dt.date(2025, 3, 5)
    found = {t.as_written: t.value for t in find_times(tokens("On March 4 and on 12 December the council met; "
                                                              "in April 2022 it may 3 times have met."), published)}
    assert found["March 4"]["value"] == "2025-03-04" and found["12 December"]["value"] == "2024-12-12"
    assert "publication date 2025-03-05" in str(found["March 4"]["basis"])
    assert found["April 2022"] == {"value": "2022-04"} and not any("may" in words for words in found)
