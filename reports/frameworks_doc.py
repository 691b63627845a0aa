"""Generate docs/frameworks.md from the shipped framework files (reports/frameworks/*.yaml):
`python -m reports.frameworks_doc > docs/frameworks.md`. A test fails when it is stale."""
from __future__ import annotations

from pathlib import Path

from reports.frameworks import SHIPPED_DIR, Condition, Framework, Indicator, load_file

HEADER = """# Scoring frameworks

Generated from `reports/frameworks/*.yaml` by `python -m reports.frameworks_doc`; do not
edit by hand. A framework judges the findings of the checks (see [checks.md](checks.md)):
it turns them into scores, tiers and ranks. Frameworks are data: copy a file into your own
directory (same `name`) to change its points or weights, and name the directory with
`--frameworks-dir` or `GOVAUDIT_FRAMEWORKS_DIR`.

Rules common to all: `not_applicable` drops an indicator's weight; `error` makes it missing
and the score incomplete; no tier once the missing weight exceeds `missing_share`. Ranks are
competition ranks within the ranking group (1, 1, 3).
"""


def _comment(path: str) -> str:
    """The file's leading comment block: its sources and which numbers are ours."""
    lines = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def _condition(c: Condition) -> str:
    measure = f"`{c.check}`"
    if c.count:
        where = ", ".join(f"{k}={v}" for k, v in c.where.items())
        measure = f"count of `{c.check}` {c.count}" + (f" where {where}" if where else "")
    if c.shortfall is not None:
        measure = f"{c.shortfall} − `{c.check}`"
    if c.kind:
        measure += f" (the unit's {c.kind} site)"
    if c.status:
        return f"{measure} is {c.status}"
    if c.op:
        return f"{measure} {c.op} {c.value:g}"
    return measure


def _leaf(i: Indicator) -> str:
    if i.manual:
        return "manual value (evaluators' CSV)"
    params = ", ".join(f"{k} {v:g}" for k, v in i.params.items())
    kind = f" of the unit's {i.kind} site" if i.kind else ""
    return f"`{i.check}`{kind}, {i.transform}" + (f" ({params})" if params else "")


def _tree(fw: Framework, iid: str, depth: int, out: list[str]) -> None:
    i = fw.indicators[iid]
    body = "" if i.children else f" — {_leaf(i)}"
    out.append(f"{'  ' * depth}- `{i.id}` {i.title}: {fw.nominal_max(iid):.4g} points (weight {i.weight:g}){body}")
    for child in i.children:
        _tree(fw, child, depth + 1, out)


def _framework(fw: Framework) -> list[str]:
    out = [f"## `{fw.name}` — {fw.title}\n"]
    if fw.source:
        out.append(f"Source: {fw.source}\n")
    note = _comment(fw.path)
    if note:
        out.append(note + "\n")
    tiers = ", ".join(f"{name} ≥ {minimum:g}" for name, minimum in fw.tiers) or "—"
    out.append("| version | method | scope | kinds | scale | missing_share | tiers | ranking |\n"
               "|---|---|---|---|---|---|---|---|")
    out.append(f"| {fw.version} | {fw.method} | {fw.scope} | {', '.join(fw.kinds)} | {fw.scale:g} | "
               f"{fw.missing_share:g} | {tiers} | {fw.ranking} |\n")
    if fw.classification:
        out.append(f"Classes: {', '.join(fw.classification['classes'])}.\n")
    if fw.method == "inspection":
        out.append(f"Pass mark {fw.pass_mark:g}; bonus counted above {fw.bonus_threshold:g}, at most "
                   f"{fw.bonus_max:g}.\n")
        out.append("Vetoes (any condition fails the site; *review*: a candidate a person confirms):\n")
        out += [f"- `{v.id}` {v.title}{' *(review)*' if v.review else ''}: "
                + " or ".join(_condition(c) for c in v.any) for v in fw.vetoes]
        out.append("\nDeductions (from 100 points):\n")
        for d in fw.deductions:
            c = d.condition
            if d.points is not None:
                rule = f"{d.points:g} points when {_condition(c)}"
            elif c.op or c.status:
                rule = f"{d.per:g} per unit when {_condition(c)}"
            else:
                rule = f"{d.per:g} per unit of {_condition(c)}"
            out.append(f"- `{d.id}` {d.title}: {rule}, at most {d.cap:g}")
        out.append("\nBonus:\n")
        out += [f"- `{b.id}` {b.title}: up to {b.points:g} points — {_leaf(b.indicator)}" for b in fw.bonus]
    else:
        out.append("Indicators:\n")
        for iid in fw.root + fw.beside:
            _tree(fw, iid, 0, out)
        if fw.beside:
            out.append(f"\nBeside the total (not in it): {', '.join(f'`{b}`' for b in fw.beside)}.")
    out.append("")
    return out


def render() -> str:
    out = [HEADER]
    for path in sorted(SHIPPED_DIR.glob("*.yaml")):
        out += _framework(load_file(path))
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
