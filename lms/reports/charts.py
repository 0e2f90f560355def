"""Server-side SVG charts: no script, no external file, readable on a phone.

Pure: takes numbers and labels, returns SVG text (every label escaped). Each chart is drawn next
to a table with the same figures (the template's job), and the SVG carries `role="img"` with a
title, so a screen reader announces it and reads the table instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 320  # fits a 360 px phone; the SVG scales with `viewBox`
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 120


@dataclass(frozen=True)
class Bar:
    label: str
    value: float


def _fmt(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


def bar_chart(bars: list[Bar], title: str, *, maximum: float | None = None,
              unit: str = "") -> str:
    """Horizontal bars, one per label, with the value written at the end of each bar."""
    top = maximum if maximum is not None else max((b.value for b in bars), default=0)
    top = top or 1
    plot = WIDTH - LABEL_WIDTH - 40
    height = max(1, len(bars)) * (BAR_HEIGHT + GAP) + GAP
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
           f"<title>{escape(title)}</title>"]
    for i, bar in enumerate(bars):
        y = GAP + i * (BAR_HEIGHT + GAP)
        w = max(0.0, min(1.0, bar.value / top)) * plot
        label = bar.label if len(bar.label) <= 18 else bar.label[:17] + "…"
        out.append(f'<text x="0" y="{y + 15}" font-size="11">{escape(label)}</text>')
        out.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" '
                   f'class="chart-bar"/>')
        out.append(f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{y + 15}" font-size="11">'
                   f"{escape(_fmt(bar.value) + unit)}</text>")
    out.append("</svg>")
    return "".join(out)


def line_chart(points: list[Bar], title: str, *, maximum: float | None = None) -> str:
    """A line over time (or any ordered labels); the first and last labels are written under it."""
    height, pad = 140, 20
    top = maximum if maximum is not None else max((p.value for p in points), default=0)
    top = top or 1
    n = len(points)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
           f'viewBox="0 0 {WIDTH} {height + 2 * pad}" width="100%" '
           f'preserveAspectRatio="xMinYMin meet">', f"<title>{escape(title)}</title>"]
    if n:
        step = (WIDTH - 2 * pad) / max(1, n - 1)
        coords = [(pad + i * step, pad + height - (min(p.value, top) / top) * height)
                  for i, p in enumerate(points)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        out.append(f'<polyline points="{path}" fill="none" class="chart-line" '
                   f'stroke-width="2"/>')
        if n == 1:  # a line needs two points: one week is drawn as a dot
            x, y = coords[0]
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" class="chart-dot"/>')
        out.append(f'<text x="{pad}" y="{height + 2 * pad - 4}" font-size="11">'
                   f"{escape(points[0].label)}</text>")
        if n > 1:
            out.append(f'<text x="{WIDTH - pad}" y="{height + 2 * pad - 4}" font-size="11" '
                       f'text-anchor="end">{escape(points[-1].label)}</text>')
    out.append("</svg>")
    return "".join(out)
