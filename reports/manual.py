"""Evaluators' manual values: a CSV with columns `unit` or `site`, `indicator`,
`score`, `note` (UTF-8, with or without BOM). `score` is in the indicator's own
points (0..its max); `veto.<id>` rows confirm (1) or reject (0) a candidate
veto that is pending review. The whole file is validated before use."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from core.errors import UserError


@dataclass
class ManualValue:
    line: int
    unit: str
    site: str
    indicator: str
    score: float
    note: str


def read_csv(path: str | Path) -> list[ManualValue]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines())
    fields = set(reader.fieldnames or [])
    if not {"indicator", "score"} <= fields or not fields & {"unit", "site"}:
        raise UserError(f"{path}: needs columns unit or site, indicator, score (and optionally note)")
    out, problems = [], []
    for n, row in enumerate(reader, start=2):
        unit, site = (row.get("unit") or "").strip(), (row.get("site") or "").strip()
        ind = (row.get("indicator") or "").strip()
        if bool(unit) == bool(site):
            problems.append(f"line {n}: give exactly one of unit or site")
            continue
        if not ind:
            problems.append(f"line {n}: indicator is empty")
            continue
        try:
            score = float((row.get("score") or "").strip())
        except ValueError:
            problems.append(f"line {n}: score {row.get('score')!r} is not a number")
            continue
        out.append(ManualValue(n, unit, site, ind, score, (row.get("note") or "").strip()))
    if problems:
        raise UserError(f"{path}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return out
