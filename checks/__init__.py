"""Floor 1 — the judges: each check is a declaration (id, titles, kinds, needs, version,
thresholds) and a pure `evaluate(artifacts) -> Finding` over stored facts (`base.py` the
contract, `catalog.py` the registry, `artifacts.py` the records gathering fills).

May import: `core` only. A check never touches the network or parses HTML: a fact it needs is
stored by gathering."""
