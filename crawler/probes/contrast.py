"""WCAG 2.x text contrast from computed styles: colours parsed from rgb()/rgba(),
composited over their backgrounds, relative luminance, contrast ratio, and the
share of text samples meeting AA (4.5:1, 3:1 for large text)."""
from __future__ import annotations

import re


_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_color(value: str) -> tuple[float, float, float, float] | None:
    """Computed-style colour rgb()/rgba() → (r, g, b, alpha)."""
    m = _RGB.match((value or "").strip())
    if not m:
        return None
    alpha = m.group(4)
    a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha))
    return float(m.group(1)), float(m.group(2)), float(m.group(3)), a


def blend(top, bottom):
    """`top` (r, g, b, a) composited over an opaque `bottom` (r, g, b)."""
    r, g, b, a = top
    return tuple(a * c + (1 - a) * d for c, d in zip((r, g, b), bottom[:3]))


def luminance(rgb) -> float:
    def chan(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (chan(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg, bg) -> float:
    l1, l2 = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (l1 + 0.05) / (l2 + 0.05)


def is_large_text(px: float, weight: int) -> bool:
    """WCAG large text: ≥ 18 pt (24 px), or ≥ 14 pt (18.66 px) bold."""
    return px >= 24 or (px >= 18.66 and weight >= 700)


def text_contrast(samples: list[dict]) -> dict:
    """Share of text samples meeting WCAG AA. Each sample: {"color", "bgs": [colours from the element
    up to the root], "px", "weight", "text"}; samples over background images are skipped."""
    passed = total = 0
    worst = []
    for s in samples:
        if s.get("bg_image"):
            continue
        fg = parse_color(s.get("color", ""))
        if fg is None or fg[3] == 0:
            continue
        bg = (255.0, 255.0, 255.0)
        for layer in reversed(s.get("bgs") or []):
            c = parse_color(layer)
            if c and c[3] > 0:
                bg = blend(c, bg)
        ratio = contrast_ratio(blend(fg, bg), bg)
        need = 3.0 if is_large_text(float(s.get("px") or 0), int(s.get("weight") or 400)) else 4.5
        total += 1
        if ratio + 1e-9 >= need:
            passed += 1
        else:
            worst.append({"text": (s.get("text") or "")[:40], "ratio": round(ratio, 2), "need": need,
                          "color": s.get("color"), "background": "rgb(%d, %d, %d)" % tuple(round(c) for c in bg)})
    worst.sort(key=lambda w: w["ratio"])
    return {"total": total, "passed": passed, "share": round(passed / total, 4) if total else None, "failing": worst[:10]}
