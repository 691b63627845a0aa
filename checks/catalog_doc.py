"""Generate the check catalog (docs/checks.md) from the declarations:
`python -m checks.catalog_doc > docs/checks.md`. A test fails when it is stale."""
from __future__ import annotations

import inspect

from checks.avail import REFUSAL_TEXT
from checks.base import ERROR_KIND_MEANINGS, ERROR_KINDS, KIND_LETTERS, STATUS_MEANINGS, STATUSES
from checks.catalog import all_checks

HEADER = """# The check catalog

Generated from the check declarations in `checks/` by `python -m checks.catalog_doc`;
do not edit by hand. `govaudit checks list [--format json]` prints the same catalog.

A check measures one thing of one site and returns one finding: a `status`, a numeric
`value` with its unit, `details` and `evidence`. Ids never change meaning; a changed
definition gets a new version (recorded in every finding). Frameworks judge the findings
(see [frameworks.md](frameworks.md)).

- **kinds**: the site kinds a check applies to — {kinds}. A check produces no finding for
  a site of a kind it does not list.
- **needs**: what gathering stores for it: `crawl` (pages and links), `monitor`
  (availability samples), `net` (DNS/TLS facts), `probe:NAME` (a browser probe).
- **thresholds**: named settings with their defaults.
"""


def _lines(pairs: dict[str, str], names) -> list[str]:
    return [f"- `{name}`: {pairs.get(name, '(see the finding’s `details.error`)')}" for name in names]


def render() -> str:
    kinds = ", ".join(f"`{letter}` {kind}" for kind, letter in KIND_LETTERS.items())
    out = [HEADER.format(kinds=kinds)]
    out.append("## Statuses\n")
    out += _lines(STATUS_MEANINGS, STATUSES)
    out.append("\n## Error kinds (`details.error_kind` of an `error`)\n")
    out += _lines(ERROR_KIND_MEANINGS, ERROR_KINDS)
    out.append("\nThe scanner's own refusals (`details.cause` of `blocked`):\n")
    out += [f"- `{cause}`: {text}" for cause, text in REFUSAL_TEXT.items()]
    out.append("\nWhen a site's homepage cannot be fetched, or the scanner is stopped or refused, every "
               "other check of that site is `error` with the same kind: an unreachable site is not an "
               "empty site.\n")
    checks = sorted(all_checks().values(), key=lambda c: c.id)
    for area in sorted({c.id.split(".")[0] for c in checks}):
        out.append(f"## `{area}`\n")
        out.append("| id | 指标 | title | kinds | needs | version | unit | thresholds |\n|---|---|---|---|---|---|---|---|")
        mine = [c for c in checks if c.id.split(".")[0] == area]
        for c in mine:
            thresholds = ", ".join(f"`{k}` = {v}" for k, v in c.thresholds.items()) or "—"
            out.append(f"| `{c.id}` | {c.title_zh} | {c.title_en} | {c.kinds} | `{c.needs}` | {c.version} | "
                       f"{c.unit or '—'} | {thresholds} |")
        out.append("")
        for c in mine:
            text = inspect.cleandoc(c.description) if c.description else "(no description yet)"
            out.append(f"- **`{c.id}`** — " + " ".join(text.split()))
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(render(), end="")
