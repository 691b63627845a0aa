"""Floor 1 — the judges: pure judgements from one site's stored artifacts (artifacts.py, the
contract gathering fills) to one finding. base.py holds the contract (Check, Finding, graded,
table…), catalog.py the registry of every check, one module per area the checks themselves.

May import: `core` only (and the standard library). A check never touches the network or parses
HTML: a fact it needs is gathered and stored by crawler/."""
