"""Imports every check module so their declarations land in the registry.
Add a module here when you add an area."""
from checks import avail, browser, elder, links, qa, search  # noqa: F401
