"""Checks (floor 1): pure judgements from one site's stored artifacts (artifacts.py) to one finding.
base.py holds the contract (Check, Finding, graded, table…), catalog.py the registry of every check,
one module per area the checks themselves. Imports only checks.*, core.* and the standard library:
a fact a check needs is gathered and stored by crawler/, never read here from HTML."""
