"""Bundled demo sites (see server.py)."""
