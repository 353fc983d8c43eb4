"""The documented workflow of docs/adding-a-source.md, timed step by step as a script can, on the fixture article of
38 statements (tests/fixtures/sources/articles/fixture-steppe-gazette-2025-03-coal.*, a fictional outlet).

    python benchmarks/workflow.py --runs 3

The project is the bundled sources with the other fixture sources, built once (so the cache is warm, as for an
analyst who adds a source to a built project). Each run then takes the steps of the guide with `sanctiongraph`
commands, each a process of its own, timed from start to exit:
1. `registry find` for the outlet and the analyst the article names (both already added, as step 2 of the guide says);
2. `annotate TEXT --html`: the assistant's draft and its review page;
3. `build --allow-drafts`: the preview build of the draft;
4. the review: the drafts are compared with the reviewed annotation (benchmarks/annotate.py's measures) and the
   reviewed annotation replaces the draft, as an analyst saves it; the reading and correcting itself is a person's
   work, which no script times;
5. `build`: the build with the reviewed annotation (the other sources from the cache), then a build from scratch;
6. the queries of the guide's step 6.
The median and the slowest of the runs are printed, as a Markdown table."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from annotate import assistant_facts, human_facts, same_claim, score  # noqa: E402
from conftest import FIRST_SOURCE, FIXTURES, with_fixture_sources  # noqa: E402

from sanctiongraph.annotate.assistant import find_drafts  # noqa: E402
from sanctiongraph.builder.ontology import Ontology  # noqa: E402
from sanctiongraph.builder.sources import load_registry, load_source  # noqa: E402
from sanctiongraph.project import ontology_folder  # noqa: E402

SOURCE = "fixture-steppe-gazette-2025-03-coal"
PUBLISHED = dt.date(2025, 3, 6)
COMMAND = Path(sys.executable).parent / "sanctiongraph"


def timed(project: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(COMMAND), "--project", str(project), *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "CI": "true"})
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"sanctiongraph {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def review(project: Path) -> str:
    """The assistant's drafts against the reviewed annotation, as benchmarks/annotate.py measures them."""
    sources = project / "sources"
    ontology = Ontology.load(ontology_folder(), sources)
    registry = load_registry(sources, ontology)
    reviewed = load_source(sources / "articles" / f"{SOURCE}.yaml", sources, ontology)  # the reviewed annotation, saved
    drafted = find_drafts(reviewed.text, PUBLISHED, registry, ontology)
    found = assistant_facts(*drafted, reviewed.text)
    truth = human_facts(reviewed.statements, registry, reviewed.text)
    rows = [f"The assistant drafted {len(drafted[0])} statements; the reviewed annotation has {len(reviewed.statements)}.", "",
            "| kind | precision | recall | found | in the reviewed annotation |", "| --- | ---: | ---: | ---: | ---: |"]
    for kind in truth:
        precision, recall, n_found, n_truth = score(found[kind], truth[kind], same_claim if kind.startswith("claims") else None)
        rows.append(f"| {kind} | {precision:.2f} | {recall:.2f} | {n_found} | {n_truth} |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sanctiongraph-workflow-") as scratch:
        project = Path(scratch) / "project"
        articles = with_fixture_sources(project / "sources") / "articles"
        annotation, reviewed = articles / f"{SOURCE}.yaml", FIXTURES / "articles" / f"{SOURCE}.yaml"
        text = articles / f"{SOURCE}.txt"
        statement = f"id:source/{SOURCE}/stopped-mines-count"
        steps: dict[str, list[float]] = {}

        def step(name: str, *args: str) -> None:
            steps.setdefault(name, []).append(timed(project, *args))

        print(f"load average at the start: {os.getloadavg()[0]:.1f}", file=sys.stderr)
        for _ in range(options.runs):
            annotation.unlink(missing_ok=True)
            timed(project, "build", "--quiet")  # the project as it was before the article: the cache warm
            step("1. registry find \"Steppe Gazette\"", "registry", "find", "Steppe Gazette", "-f", "csv")
            step("1. registry find Kornev", "registry", "find", "Kornev", "-f", "csv")
            step("2. annotate (draft and review page)", "annotate", str(text), "--id", SOURCE, "--publisher", "steppe-gazette",
                 "--published", PUBLISHED.isoformat(), "--html", "--quiet")
            step("3. build --allow-drafts (preview)", "build", "--allow-drafts", "--quiet")
            shutil.copyfile(reviewed, annotation)  # 4. the review, saved
            step("5. build (the other sources from the cache)", "build", "--quiet")
            shutil.rmtree(project / "graph")
            step("5. build from scratch", "build", "--quiet")
            step("6. query conflicting-reports (every indicator)", "query", "conflicting-reports", "-f", "csv")
            step("6. query conflicting-reports -p indicator=indicator:employees", "query", "conflicting-reports",
                 "-p", "indicator=indicator:employees", "-f", "csv")
            step("6. query event-reports", "query", "event-reports", "-p",
                 f"event=id:source/{FIRST_SOURCE}/seredyuk-mines-suspended", "-f", "csv")
            step("6. query reporting-chains", "query", "reporting-chains", "-f", "csv")
            step("6. query supporting-sources", "query", "supporting-sources", "-p", f"statement={statement}", "-f", "csv")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}", file=sys.stderr)
        print(f"| step | median of {options.runs} | slowest |\n| --- | ---: | ---: |")
        for name, seconds in steps.items():
            print(f"| {name} | {statistics.median(seconds):.2f} s | {max(seconds):.2f} s |")
        print(f"| all the steps a script can take | {sum(statistics.median(s) for s in steps.values()):.1f} s | |")
        print()
        print(review(project))


if __name__ == "__main__":
    main()
