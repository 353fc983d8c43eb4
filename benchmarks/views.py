"""Benchmark of the views: generation time, file size and time to a stable layout in headless Chromium.

For each size it writes seeded synthetic sources (a registry of persons, companies, countries and towns; news
sources of events, listings, trade restrictions, propositions and claims, every one quoted from its text), builds
them with the real builder, and draws their overview as `sanctiongraph viz overview` does. Each page is then opened
from file:// in Debian's Chromium (headless, software drawing, every other request aborted) and timed from navigation
start to vis-network's `stabilizationIterationsDone`, after which the page turns physics off.

    .venv/bin/python benchmarks/views.py                  # prints the table
    .venv/bin/python benchmarks/views.py --write BENCHMARKS.md

Times are medians of --runs runs (3 by default). Not a test: nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

from sanctiongraph.builder.dataset import build
from sanctiongraph.project import ontology_folder
from sanctiongraph.viz import draw, overview

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import CHROMIUM, launch  # noqa: E402 - the tests' one way to start Chromium

START, END = "<!-- views:start -->", "<!-- views:end -->"
EVENT_TYPES = ["mine-suspension", "financial-loss", "public-dispute", "talks-breakdown"]
COMMODITIES = ["coal", "oil", "natural-gas", "minerals", "rare-earth-metals", "crude-oil", "critical-minerals"]
MODALITIES = ["observation", "assessment", "forecast", "accusation"]
PER_SOURCE = 30


def _day(rng: random.Random) -> str:
    return (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(6 * 365))).isoformat()


def synthetic_sources(folder: Path, nodes: int, seed: int = 1) -> None:
    """About `nodes` overview nodes: 30 % registry entities, the rest statements and claims, entities Zipf-skewed."""
    rng = random.Random(seed)
    entities = max(12, nodes * 3 // 10)
    kinds = {"country": ("Country", entities // 12 + 1), "town": ("Settlement", entities // 8 + 1),
             "company": ("Company", entities * 2 // 5)}
    kinds["person"] = ("Person", entities - sum(count for _, count in kinds.values()) - 1)
    registry: dict[str, dict[str, object]] = {"wire": {"type": "MediaOrganization", "label": "Wire Service"}}
    ids: dict[str, list[str]] = {}
    for kind, (cls, count) in kinds.items():
        ids[kind] = [f"{kind}-{n}" for n in range(1, count + 1)]
        for n, key in enumerate(ids[kind], start=1):
            registry[key] = {"type": cls, "label": f"{kind.title()} {n}"}
            if kind in ("company", "town"):
                registry[key]["country"] = rng.choice(ids["country"])

    def pick(kind: str, k: int = 1) -> list[str]:
        population = ids[kind]
        return rng.choices(population, weights=[1 / rank for rank in range(1, len(population) + 1)], k=k)

    label = {key: str(entity["label"]) for key, entity in registry.items()}
    articles = folder / "articles"
    articles.mkdir(parents=True)
    (folder / "entities.yaml").write_text(yaml.safe_dump(registry, sort_keys=False), encoding="utf-8")
    remaining, number = nodes - entities - len(COMMODITIES), 0
    while remaining > 0:
        number += 1
        source, lines = f"wire-{number}", [f"Wire report {number}"]
        statements: list[dict[str, object]] = []
        for i in range(min(PER_SOURCE, remaining)):
            head = f"Item {number}.{i}:"
            roll = rng.random()
            if statements and statements[-1]["type"] != "Claim" and roll < 0.15:
                speaker = pick("person")[0]
                line = f"{head} {label[speaker]} said so"
                statements.append({"id": f"s{i}", "type": "Claim", "claimant": speaker, "modality": rng.choice(MODALITIES),
                                   "claimContent": statements[-1]["id"], "evidence": line})
            elif roll < 0.55:
                a, b = pick("company") + pick("person")
                town, day = pick("town")[0], _day(rng)
                line = f"{head} {label[a]} and {label[b]} met in {label[town]} on {day}"
                statements.append({"id": f"s{i}", "type": "Event", "summary": f"{label[a]} and {label[b]} met in {label[town]}.",
                                   "eventType": rng.choice(EVENT_TYPES), "participant": [a, b], "place": town, "date": day,
                                   "evidence": line})
            elif roll < 0.7:
                authority, company = pick("country")[0], pick("company")[0]
                line = f"{head} {label[authority]} listed {label[company]}"
                statements.append({"id": f"s{i}", "type": "Listing", "summary": f"{label[authority]} listed {label[company]}.",
                                   "authority": authority, "listedEntity": company, "measureKind": "listing", "evidence": line})
            elif roll < 0.8:
                authority, target = pick("country", 2)
                commodity = rng.choice(COMMODITIES)
                line = f"{head} {label[authority]} banned {commodity} from {label[target]}"
                statements.append({"id": f"s{i}", "type": "TradeRestriction",
                                   "summary": f"{label[authority]} banned {commodity} from {label[target]}.", "authority": authority,
                                   "targetCountry": target, "commodity": commodity, "measureKind": "import-ban", "evidence": line})
            else:
                about = pick(rng.choice(["company", "person", "country"]))[0]
                line = f"{head} {label[about]} faces questions"
                statements.append({"id": f"s{i}", "type": "Proposition", "summary": f"{label[about]} faces questions.", "about": about,
                                   "evidence": line})
            lines.append(line + ".")
        remaining -= len(statements)
        (articles / f"{source}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        annotation = {"id": source, "text": f"{source}.txt", "type": "NewsArticle", "title": f"Wire report {number}",
                      "publisher": "wire", "language": "en", "published": _day(rng), "address": "unknown",
                      "attribution": "Synthetic text for benchmarks.",
                      "not-story": [{"quote": f"Wire report {number}", "reason": "heading"}], "statements": statements}
        (articles / f"{source}.yaml").write_text(yaml.safe_dump(annotation, sort_keys=False, allow_unicode=True), encoding="utf-8")


def stable_after(page_path: Path, runs: int) -> list[float]:
    """Milliseconds from navigation start to a stable layout, once per run, each in a fresh browser context."""
    times = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("**/*", lambda route, request: route.continue_() if request.url.startswith("file:") else route.abort())
            page = context.new_page()
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-stable=true]", state="attached", timeout=600_000)
            times.append(float(page.evaluate("sgView.stabilisedAt")))
            context.close()
        browser.close()
    return times


def measure(size: int, runs: int, folder: Path) -> dict[str, float | int]:
    sources, graph = folder / f"sources-{size}", folder / f"graph-{size}"
    synthetic_sources(sources, size)
    build(sources, ontology_folder(), graph)
    generation = []
    for _ in range(runs):
        started = time.perf_counter()
        view, page = draw(graph, overview, output=folder / f"overview-{size}.html", max_nodes=10 * size)
        generation.append(time.perf_counter() - started)
    stable = stable_after(page, runs)
    return {"target": size, "nodes": len(view.nodes), "edges": len(view.edges), "generation": statistics.median(generation),
            "bytes": page.stat().st_size, "stable": statistics.median(stable) / 1000, "slowest": max(stable) / 1000}


def machine() -> str:
    cpuinfo, meminfo = Path("/proc/cpuinfo").read_text().splitlines(), Path("/proc/meminfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?")
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in meminfo if line.startswith("MemTotal")), 0)
    chromium = subprocess.run([str(CHROMIUM), "--version"], check=True, capture_output=True, text=True).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), {memory} GiB RAM, {platform.platform(terse=True)}, Python {platform.python_version()}, "
            f"{chromium} (headless, software drawing), pyvis {version('pyvis')} (vis-network 9.1.2), playwright {version('playwright')}")


def table(rows: list[dict[str, float | int]], runs: int) -> str:
    lines = [
        f"Measured {dt.date.today().isoformat()} on {machine()}.",
        "",
        f"Command: `.venv/bin/python benchmarks/views.py --sizes {' '.join(str(row['target']) for row in rows)} --runs {runs}"
        f" --write BENCHMARKS.md`; medians of {runs} runs.",
        "",
        "| overview nodes | edges | generation (graph → HTML) | HTML size | stable layout in Chromium (median / slowest) |",
        "| ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(f"| {row['nodes']:,} | {row['edges']:,} | {row['generation']:.2f} s | {row['bytes'] / 1e6:.2f} MB | "
                     f"{row['stable']:.1f} s / {row['slowest']:.1f} s |")
    return "\n".join(lines)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    arguments.add_argument("--runs", type=int, default=3)
    arguments.add_argument("--write", type=Path, help="replace the table between the views markers of this file")
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = table([measure(size, options.runs, Path(folder)) for size in options.sizes], options.runs)
    print(result)
    if options.write:
        text = options.write.read_text(encoding="utf-8")
        options.write.write_text(re.sub(f"{START}.*?{END}", lambda _: f"{START}\n{result}\n{END}", text, flags=re.DOTALL), encoding="utf-8")


if __name__ == "__main__":
    main()
