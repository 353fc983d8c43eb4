"""Tables (report.md) and the scaling plot (scaling.svg) from a results.json of bench.py.

    python benchmarks/report.py benchmarks/results/results.json   # rewrite both next to it
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

FORMATS = ("trig", "nq", "ttl", "nt", "jsonld")
ENGINES = (("ours", "sanctiongraph"), ("limit", "pyoxigraph"), ("rdflib", "rdflib"))


def _s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "–"


def _mb(value: float | None) -> str:
    return f"{value:,.0f} MB" if value else "–"


def _rate(quads: int, seconds: float | None) -> str:
    return f"{quads / seconds / 1000:,.0f}k/s" if seconds else "–"


def _get(size: dict[str, Any], task: str, key: str = "seconds") -> Any:
    return size.get(task, {}).get(key)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def tables(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    options = results["options"]
    out = []
    out.append("### Corpus\n")
    out.append(_table(["sources", "entities", "statements", "quads", "annotation files + texts"], [
        [f"{int(n):,}", f"{r['corpus']['entities']:,}", f"{_get(r, 'build-ours', 'statements'):,.0f}",
         f"{_get(r, 'build-ours', 'quads'):,.0f}", f"{r['corpus']['input_mb']:.1f} MB"] for n, r in sizes.items()]))

    out.append("\n\n### Build, end to end (median of n runs, each in a fresh process; peak = ru_maxrss)\n")
    rows = []
    for n, r in sizes.items():
        quads = _get(r, "build-ours", "quads")
        ours, limit, plain = _get(r, "build-ours"), _get(r, "load-limit"), _get(r, "build-rdflib")
        rows.append([f"{int(n):,}", _s(ours), _rate(quads, ours), _mb(_get(r, "build-ours", "peak_mb")),
                     _s(limit), _rate(quads, limit), _mb(_get(r, "load-limit", "peak_mb")),
                     _s(plain), _rate(quads, plain), _mb(_get(r, "build-rdflib", "peak_mb")),
                     f"{limit / ours:.3f}" if ours else "–", _ratio(plain, ours),
                     "/".join(str(_get(r, t, "n") or "–") for t in ("build-ours", "load-limit", "build-rdflib")),
                     f"{_get(r, 'build-ours', 'load'):.1f}"])
    out.append(_table(["sources", "sanctiongraph build", "quads/s", "peak", "pyoxigraph bulk_load N-Quads", "quads/s", "peak",
                       "rdflib add + serialize", "quads/s", "peak", "ours ÷ bulk_load throughput (target ≥ 0.5)",
                       "rdflib time ÷ ours", "n (ours/pyox/rdflib)", "load average"], rows))

    out.append("\n\n### Loading the built graph into the query engine (median of n)\n")
    out.append(_table(["sources", "sanctiongraph open_store (the built on-disk store, read-only, quads counted)", "peak", "pyoxigraph bulk_load (N-Quads)", "peak",
                       "rdflib parse (TriG)", "peak", "ours ÷ pyoxigraph", "rdflib ÷ pyoxigraph"], [
        [f"{int(n):,}", _s(_get(r, "load-ours")), _mb(_get(r, "load-ours", "peak_mb")), _s(_get(r, "load-limit")),
         _mb(_get(r, "load-limit", "peak_mb")), _s(_get(r, "load-rdflib")), _mb(_get(r, "load-rdflib", "peak_mb")),
         _ratio(_get(r, "load-ours"), _get(r, "load-limit")), _ratio(_get(r, "load-rdflib"), _get(r, "load-limit"))]
        for n, r in sizes.items()]))

    for n, r in sizes.items():
        out.append(f"\n\n### Exports, {int(n):,} sources (median of n = {_get(r, 'exports-ours', 'n')}; rdflib: add excluded)\n")
        rows = []
        for suffix in (*FORMATS, "sort", "void", "seconds"):
            ours, limit = _get(r, "exports-ours", suffix), _get(r, "exports-limit", suffix)
            plain = _get(r, "build-rdflib", suffix)
            if suffix == "seconds":
                plain = plain - _get(r, "build-rdflib", "add") if plain is not None else None
            label = {"sort": "sort and render every format (ours only, shared)", "void": "VoID (ours only)", "seconds": "**all**",
                     "nt": "nt (union)"}.get(suffix, suffix)
            rows.append([label, _s(ours), _s(limit), _s(plain), _ratio(ours, limit), _ratio(plain, limit)])
        out.append(_table(["format", "sanctiongraph", "pyoxigraph", "rdflib", "ours ÷ pyoxigraph (target ≤ 2)", "rdflib ÷ pyoxigraph"], rows))

    for n, r in sizes.items():
        plain_run = "queries-rdflib" in r
        note = "" if plain_run else f"; rdflib not run above {options['rdflib_query_max']:,} sources"
        out.append(f"\n\n### Queries, {int(n):,} sources (median of at least {options['repeats']} runs after a cold one{note})\n")
        rows = []
        for name, both in r["queries-oxigraph"]["queries"].items():
            ours, limit = both["ours"], both["limit"]
            plain = r.get("queries-rdflib", {"queries": {}})["queries"].get(name, {}).get("rdflib", {})
            plain_cell = f"timeout > {plain['timeout']:.0f} s" if "timeout" in plain else _s(plain.get("seconds"))
            rows.append([name, f"{ours['rows']:,}", _s(ours["seconds"]), _s(limit["seconds"]), plain_cell,
                         _ratio(ours["seconds"], limit["seconds"]), _ratio(plain.get("seconds"), limit["seconds"])])
        out.append(_table(["query", "rows", "sanctiongraph select", "pyoxigraph query", "rdflib query",
                           "ours ÷ pyoxigraph (target ≤ 1.5)", "rdflib ÷ pyoxigraph"], rows))
    return "\n".join(out) + "\n"


def targets(results: dict[str, Any]) -> str:
    """The four targets of the issue, met or missed, at the largest size measured."""
    n, r = max(results["sizes"].items(), key=lambda item: int(item[0]))
    build_ratio = _get(r, "load-limit") / _get(r, "build-ours")
    query_ratios = {name: q["ours"]["seconds"] / q["limit"]["seconds"] for name, q in r["queries-oxigraph"]["queries"].items()}
    worst_query = max(query_ratios, key=query_ratios.__getitem__)
    export_ratios = {suffix: _get(r, "exports-ours", suffix) / _get(r, "exports-limit", suffix) for suffix in FORMATS}
    worst_export = max(export_ratios, key=export_ratios.__getitem__)
    peak = _get(r, "build-ours", "peak_mb")

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    rows = [
        ["build throughput ≥ 0.5 × pyoxigraph bulk_load", f"{build_ratio:.3f} ×", verdict(build_ratio >= 0.5)],
        ["every query ≤ 1.5 × raw pyoxigraph", f"worst {worst_query}: {query_ratios[worst_query]:.2f} ×; "
         f"{sum(v > 1.5 for v in query_ratios.values())} of {len(query_ratios)} over", verdict(query_ratios[worst_query] <= 1.5)],
        ["every export ≤ 2 × pyoxigraph's serializer", "; ".join(f"{k} {v:.2f} ×" for k, v in export_ratios.items()),
         verdict(export_ratios[worst_export] <= 2)],
        ["build of 10,000 sources < 2 GB peak", f"{peak:,.0f} MB at {int(n):,} sources",
         verdict(peak < 2048) if int(n) >= 10000 else "not measured (fewer sources)"],
    ]
    return f"### Targets, at {int(n):,} sources\n\n" + _table(["target", "measured", "verdict"], rows) + "\n"


def scaling_svg(results: dict[str, Any]) -> str:
    """Build time and peak memory against the number of sources, log-log, one panel each."""
    sizes = sorted(results["sizes"].items(), key=lambda item: int(item[0]))
    xs = [int(n) for n, _ in sizes]
    series = [("sanctiongraph build", "build-ours", "#c0392b"), ("rdflib add + serialize", "build-rdflib", "#2471a3"),
              ("pyoxigraph bulk_load", "load-limit", "#7f8c8d")]
    width, height, margin = 440, 320, 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * width}" height="{height + 40}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>']
    for panel, (key, title, unit) in enumerate((("seconds", "build time", "s"), ("peak_mb", "peak memory", "MB"))):
        points = {label: [(x, _get(r, task, key)) for x, (_, r) in zip(xs, sizes) if _get(r, task, key)] for label, task, _ in series}
        values = [v for ps in points.values() for _, v in ps]
        lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
        x0, x1 = math.log10(xs[0]), math.log10(xs[-1]) if xs[-1] > xs[0] else math.log10(xs[0]) + 1
        left = panel * width + margin

        def px(x: float) -> float:
            return left + (math.log10(x) - x0) / (x1 - x0) * (width - margin - 20)

        def py(y: float) -> float:
            return height - margin + 20 - (math.log10(y) - lo) / max(hi - lo, 1) * (height - margin - 20)

        parts.append(f'<text x="{left + (width - margin) / 2}" y="20" text-anchor="middle" font-weight="bold">{title} ({unit}, log scale)</text>')
        for exponent in range(lo, hi + 1):
            y = py(10 ** exponent)
            parts.append(f'<line x1="{left}" x2="{px(xs[-1])}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                         f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** exponent:g}</text>')
        for x in xs:
            parts.append(f'<text x="{px(x):.1f}" y="{height - margin + 36}" text-anchor="middle">{x:,}</text>')
        parts.append(f'<text x="{left + (width - margin) / 2}" y="{height + 30}" text-anchor="middle">sources</text>')
        ours = points["sanctiongraph build"]
        if panel == 0 and len(ours) > 1:  # slope 1 through the largest build: what linear scaling would look like
            (xa, ya) = ours[-1]
            parts.append(f'<line x1="{px(xs[0]):.1f}" y1="{py(ya * xs[0] / xa):.1f}" x2="{px(xa):.1f}" y2="{py(ya):.1f}" '
                         'stroke="#c0392b" stroke-dasharray="3,4" opacity="0.5"/>')
        for number, (label, _, colour) in enumerate(series):
            ps = points[label]
            if ps:
                path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in ps)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
                parts += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in ps]
            parts.append(f'<text x="{left + 150}" y="{height - margin - 40 + 16 * number}" fill="{colour}">{label}</text>')
        if panel == 0:
            parts.append(f'<text x="{left + 150}" y="{height - margin - 40 + 16 * len(series)}" fill="#c0392b" '
                         'opacity="0.7">- - linear, through the largest build</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_report(results: dict[str, Any], folder: Path) -> None:
    m = results["machine"]
    head = (f"# Benchmark report\n\nMeasured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM, "
            f"{m['system']}, Python {m['python']}; "
            + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
            + f". Load average {m['load_average']:.2f} before, {m.get('load_average_after', 0):.2f} after. "
            f"Options: {json.dumps(results['options'])}.\n\n")
    (folder / "report.md").write_text(head + targets(results) + "\n" + tables(results), encoding="utf-8")
    (folder / "scaling.svg").write_text(scaling_svg(results), encoding="utf-8")


if __name__ == "__main__":
    path = Path(sys.argv[1])
    write_report(json.loads(path.read_text()), path.parent)
