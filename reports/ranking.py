"""Ranks, classes and spread over a list of (key, score) pairs.

- competition ranking: ties share a rank and the next rank skips (1, 1, 3);
- presentation as the seed reports do: 并列 (tied units on one row) or
  分列 (one row per unit, ties marked);
- the 差分 breakpoint classification: sort the totals, take the gaps between
  neighbours, cut at the largest gaps; the top classes split their own score
  range into three equal sub-levels (A1 A2 A3 …);
- spread: max − min and the population standard deviation.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Hashable, Iterable

EPS = 1e-9


def competition_ranks(scores: Iterable[tuple[Hashable, float | None]]) -> dict[Hashable, int]:
    """Rank by score, highest first; equal scores share a rank (1, 1, 3). None is unranked."""
    ranked = sorted(((k, s) for k, s in scores if s is not None), key=lambda kv: -kv[1])
    out: dict[Hashable, int] = {}
    for i, (k, s) in enumerate(ranked):
        if i and abs(s - ranked[i - 1][1]) <= EPS:
            out[k] = out[ranked[i - 1][0]]
        else:
            out[k] = i + 1
    return out


def ranks_by_group(entries: Iterable[tuple[Hashable, str | None, float | None]]) -> dict[Hashable, int]:
    """Competition ranks computed separately within each group."""
    groups: dict[str | None, list[tuple[Hashable, float | None]]] = defaultdict(list)
    for key, group, s in entries:
        groups[group].append((key, s))
    out: dict[Hashable, int] = {}
    for members in groups.values():
        out.update(competition_ranks(members))
    return out


def tied(ranks: dict[Hashable, int]) -> set[Hashable]:
    counts: dict[int, int] = defaultdict(int)
    for r in ranks.values():
        counts[r] += 1
    return {k for k, r in ranks.items() if counts[r] > 1}


def present(rows: list[tuple[str, float, int]], style: str = "分列") -> list[tuple[str, str, float]]:
    """Rows (name, score, rank) as (rank label, names, score) lines.
    并列: tied names share one line, "、"-joined, labelled "第1名（并列）";
    分列: one line per name, a tie labelled "1（并列）"."""
    rows = sorted(rows, key=lambda r: (r[2], r[0]))
    counts: dict[int, int] = defaultdict(int)
    for _, _, r in rows:
        counts[r] += 1
    if style == "并列":
        out, seen = [], set()
        for name, s, r in rows:
            if r in seen:
                continue
            seen.add(r)
            names = "、".join(n for n, _, rr in rows if rr == r)
            out.append((f"第{r}名" + ("（并列）" if counts[r] > 1 else ""), names, s))
        return out
    if style != "分列":
        raise ValueError("style is 并列 or 分列")
    return [(f"{r}（并列）" if counts[r] > 1 else str(r), name, s) for name, s, r in rows]


@dataclass
class Classified:
    classes: dict[Hashable, str]         # key -> class name
    sublevels: dict[Hashable, str]       # key -> A1 … (top classes only)
    breakpoints: list[Hashable]          # the last key above each cut
    gaps: list[float]                    # the gap at each cut, in class order


def breaks(scores: Iterable[tuple[Hashable, float]], classes: list[str],
           sublevels: list[str]) -> Classified:
    """The 差分 method. Ties in gap size go to the higher cut; equal scores are never split."""
    ranked = sorted(scores, key=lambda kv: -kv[1])
    gaps = [(ranked[i][1] - ranked[i + 1][1], i) for i in range(len(ranked) - 1)
            if ranked[i][1] - ranked[i + 1][1] > EPS]
    cuts = sorted(i for _, i in sorted(gaps, key=lambda g: (-g[0], g[1]))[:len(classes) - 1])
    out_cls: dict[Hashable, str] = {}
    out_sub: dict[Hashable, str] = {}
    start = 0
    members_by_class: list[list[tuple[Hashable, float]]] = []
    for end in cuts + [len(ranked) - 1]:
        members_by_class.append(ranked[start:end + 1])
        start = end + 1
    for n, members in enumerate(members_by_class):
        for key, _ in members:
            out_cls[key] = classes[n]
        if n < len(sublevels) and members:
            hi, lo = members[0][1], members[-1][1]
            width = (hi - lo) / 3
            for key, s in members:
                level = 1 if s >= hi - width - EPS else (2 if s >= hi - 2 * width - EPS else 3)
                out_sub[key] = f"{sublevels[n]}{level}"
    return Classified(out_cls, out_sub, [ranked[i][0] for i in cuts],
                      [ranked[i][1] - ranked[i + 1][1] for i in cuts])


def spread(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"n": len(values), "max": max(values), "min": min(values), "range": max(values) - min(values),
            "mean": statistics.fmean(values), "stdev": statistics.pstdev(values)}


def spread_by(entries: Iterable[tuple[str | None, float]]) -> dict[str, dict[str, float]]:
    """Spread per group key (e.g. the province: the first two digits of the region code)."""
    groups: dict[str, list[float]] = defaultdict(list)
    for g, s in entries:
        groups[g or "—"].append(s)
    return {g: spread(v) for g, v in sorted(groups.items())}
