"""Generate the data dictionary (docs/data-dictionary.md) from the models:
`python -m storage.dictionary > docs/data-dictionary.md`. A test fails when it is stale."""
from __future__ import annotations

import inspect as pyinspect

from storage.models import VIEWS, Base

HEADER = """# Data dictionary

Generated from `storage/models.py` by `python -m storage.dictionary`; do not edit by hand.
The schema is public: scoring pipelines read these tables and views directly.
Runs and findings are immutable history (a rerun adds a finding that `supersedes` the old one).
"""


def render() -> str:
    out = [HEADER]
    for mapper in sorted(Base.registry.mappers, key=lambda mp: mp.local_table.name):
        table = mapper.local_table
        out.append(f"\n## `{table.name}`\n\n{pyinspect.getdoc(mapper.class_) or ''}\n")
        out.append("| column | type | null | description |\n|---|---|---|---|")
        for column in table.columns:
            ref = ""
            if column.foreign_keys:
                ref = " → `" + ", ".join(fk.target_fullname for fk in column.foreign_keys) + "`"
            out.append(f"| `{column.name}` | {column.type.compile(dialect=_dialect())} | "
                       f"{'yes' if column.nullable else 'no'} | {column.comment or ''}{ref} |")
        uniques = [c for c in table.constraints if c.__class__.__name__ == "UniqueConstraint"]
        for u in uniques:
            out.append(f"\nUnique: ({', '.join(c.name for c in u.columns)})")
    out.append("\n## Views\n")
    for name, sql in VIEWS.items():
        body = " ".join(sql.split())
        out.append(f"- `{name}`: `{body}`")
    return "\n".join(out) + "\n"


def _dialect():
    from sqlalchemy.dialects import sqlite
    return sqlite.dialect()


if __name__ == "__main__":
    print(render(), end="")
