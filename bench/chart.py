"""A picture of a benchmark report: throughput and latency per path, as an SVG bar chart.

    .venv/bin/python bench/chart.py bench/results/gateway_read-<UTC>.json   # writes the .svg beside it

``gateway_read.py`` calls ``write_svg`` itself after each run. Plain SVG, no plotting library.
"""
from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path

COLOURS = {"serial": "#4e79a7", "concurrent": "#f28e2b"}
LABELS = {"gateway": "gateway: HTTP → RPC → SQLite",
          "plain_http": "baseline A: plain nameko @http",
          "raw_kombu": "baseline B: raw kombu request/reply"}


def _panel(x0: int, y0: int, width: int, title: str, rows: list[tuple[str, str, float]],
           unit: str) -> list[str]:
    """Horizontal bars: rows of (path, mode, value), grouped by path."""
    top = max((value for _, _, value in rows), default=1) or 1
    label_width, bar_height, gap = 250, 16, 10
    parts = [f'<text x="{x0}" y="{y0}" font-weight="bold">{escape(title)}</text>']
    y = y0 + 14
    paths = list(dict.fromkeys(path for path, _, _ in rows))
    for path in paths:
        parts.append(f'<text x="{x0}" y="{y + 12}">{escape(LABELS.get(path, path))}</text>')
        for _, mode, value in (row for row in rows if row[0] == path):
            length = (width - label_width - 190) * value / top
            parts.append(f'<rect x="{x0 + label_width}" y="{y}" width="{length:.1f}" '
                         f'height="{bar_height}" fill="{COLOURS.get(mode, "#999")}"/>')
            parts.append(f'<text x="{x0 + label_width + length + 4:.1f}" y="{y + 12}">'
                         f'{value:,.1f} {unit} ({mode})</text>')
            y += bar_height + 2
        y += gap
    return parts + [f'<!-- end {escape(title)} @ {y} -->']


def write_svg(report: dict, path: Path) -> Path:
    """The gateway_read picture: throughput, p50 and p99 per path and mode."""
    results = report["results"]
    panels = [(title, [(name, mode, row[key]) for name, modes in results.items()
                       for mode, row in modes.items()], unit)
              for title, key, unit in (("throughput (higher is better)", "req_per_s", "req/s"),
                                       ("latency p50 (lower is better)", "p50_ms", "ms"),
                                       ("latency p99 (lower is better)", "p99_ms", "ms"))]
    return write_panels_svg(report, panels, path)


def write_panels_svg(report: dict, panels: list[tuple[str, list[tuple[str, str, float]], str]],
                     path: Path, labels: dict | None = None) -> Path:
    """Panels of horizontal bars, each (title, rows of (name, mode, value), unit), under a title
    naming the benchmark, when it ran and the commit."""
    if labels:
        LABELS.update(labels)
    width = 900
    parts = []
    git = report.get("git")
    revision = (git.get("commit") or "")[:10] if isinstance(git, dict) else str(git or "")[:10]
    title = f"{report.get('benchmark', 'benchmark')} — {report.get('started_at', '')} — {revision}"
    parts.append(f'<text x="10" y="20" font-weight="bold" font-size="14">{escape(title)}</text>')
    y = 45
    for panel_title, rows, unit in panels:
        parts += _panel(10, y, width, panel_title, rows, unit)
        y += 14 + len({name for name, _, _ in rows}) * 10 + len(rows) * 18 + 20
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" '
           f'font-family="sans-serif" font-size="11"><rect width="100%" height="100%" '
           f'fill="white"/>{"".join(parts)}</svg>\n')
    path.write_text(svg, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    for name in argv:
        source = Path(name)
        print(write_svg(json.loads(source.read_text()), source.with_suffix(".svg")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
