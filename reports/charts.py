"""Inline SVG charts, generated here rather than by a charting library: the report
must open offline under a Content-Security-Policy without inline scripts, and
two chart shapes (stacked bars, labelled bars) do not justify a dependency.
Only presentation attributes are used (no style attributes), so the CSP needs
no 'unsafe-inline'; the font family is set once on each chart and inherited.
Every label passes through markupsafe.escape."""
from __future__ import annotations

from markupsafe import Markup, escape

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', sans-serif"
# Red means one thing in the report: a failed check or a triggered veto. Tiers, points and
# deductions never use it.
PALETTE = ["#1a7f37", "#4c9a2a", "#9a6700", "#bc4c00", "#6e4b3a", "#8250df", "#0969da", "#57606a"]
MISSING_COLOUR = "#afb8c1"
POINTS_COLOUR, DEDUCTION_COLOUR = "#0969da", "#bc4c00"


def tier_colours(tiers: list[str]) -> dict[str, str]:
    # best tier green, worst red, the rest spread between
    n = len(tiers)
    out = {t: PALETTE[round(i * 4 / (n - 1)) if n > 1 else 0] if n <= 5 else PALETTE[i % len(PALETTE)]
           for i, t in enumerate(tiers)}
    out["无等级"] = MISSING_COLOUR
    return out


def _text(x: float, y: float, s: str, anchor: str = "start", size: int = 13, fill: str = "#24292f") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" '
            f'text-anchor="{anchor}">{escape(s)}</text>')


def _label_width(labels: list[str], minimum: int, size: int = 13) -> int:
    """Room for the longest label: a CJK character is about one em wide, others about half."""
    def width(s: str) -> float:
        return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in s)
    return max([minimum] + [int(width(label)) + 14 for label in labels])


def stacked_bars(rows: list[tuple[str, dict[str, int]]], order: list[str], title: str) -> Markup:
    """One horizontal bar per row (e.g. a ranking group), split by tier counts."""
    colours = tier_colours([t for t in order if t != "无等级"])
    label_w, bar_w, row_h, top = _label_width([r[0] for r in rows], 150), 420, 26, 30
    legend_h = 24
    height = top + row_h * max(len(rows), 1) + legend_h + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" font-family="{FONT}" '
             f'width="{label_w + bar_w + 60}" height="{height}" viewBox="0 0 {label_w + bar_w + 60} {height}">',
             f'<title>{escape(title)}</title>', _text(0, 18, title, size=14)]
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_h
        total = sum(counts.values()) or 1
        parts.append(_text(label_w - 8, y + 16, label, anchor="end"))
        x = float(label_w)
        for tier in order:
            n = counts.get(tier, 0)
            if not n:
                continue
            w = bar_w * n / total
            parts.append(f'<rect class="seg" x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" '
                         f'fill="{colours.get(tier, MISSING_COLOUR)}"><title>{escape(tier)}: {n}</title></rect>')
            if w >= 18:
                parts.append(_text(x + w / 2, y + 17, str(n), anchor="middle", size=12, fill="#ffffff"))
            x += w
        parts.append(_text(label_w + bar_w + 6, y + 16, str(sum(counts.values())), size=12))
    y = top + row_h * max(len(rows), 1) + 6
    x = float(label_w)
    for tier in order:
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="12" fill="{colours.get(tier, MISSING_COLOUR)}"/>')
        parts.append(_text(x + 16, y + 11, tier, size=12))
        x += 26 + 13 * len(tier)
    parts.append("</svg>")
    return Markup("".join(parts))


def score_bars(rows: list[tuple[str, float | None, float, str, str]], title: str) -> Markup:
    """One bar per aspect: (label, score or None when missing/not applicable, max, note, kind).
    kind "points": the bar is the points earned, labelled 得分 x / max; kind "deduction": the
    score is what is kept of `max`, the bar is the points deducted, labelled 扣分 x / max."""
    label_w, bar_w, row_h, top = _label_width([r[0] for r in rows], 170), 360, 26, 30
    height = top + row_h * max(len(rows), 1) + 8
    width = label_w + bar_w + 170
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" font-family="{FONT}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">', f'<title>{escape(title)}</title>',
             _text(0, 18, title, size=14)]
    for i, (label, value, top_value, note, kind) in enumerate(rows):
        y = top + i * row_h
        parts.append(_text(label_w - 8, y + 16, label, anchor="end"))
        parts.append(f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 6}" fill="#eaeef2"/>')
        if value is None:
            parts.append(_text(label_w + 6, y + 16, note or "—", size=12, fill="#57606a"))
            continue
        shown = max(0.0, top_value - value) if kind == "deduction" else value
        word = "扣分" if kind == "deduction" else "得分"
        colour = DEDUCTION_COLOUR if kind == "deduction" else POINTS_COLOUR
        share = 0.0 if not top_value else max(0.0, min(1.0, shown / top_value))
        parts.append(f'<rect class="bar {kind}" x="{label_w}" y="{y + 2}" width="{bar_w * share:.1f}" '
                     f'height="{row_h - 6}" fill="{colour}"><title>{escape(label)}：{word} {shown:.4g} / '
                     f'{top_value:.4g}</title></rect>')
        parts.append(_text(label_w + bar_w + 6, y + 16, f"{word} {shown:.4g} / {top_value:.4g}", size=12))
    parts.append("</svg>")
    return Markup("".join(parts))
