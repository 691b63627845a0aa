"""Checks: pure functions from one site's artifacts to one finding (see base.py)."""
