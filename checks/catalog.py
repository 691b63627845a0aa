"""Imports every check module so their declarations land in the registry.
Add a module here when you add an area."""
from checks import (a11y, attachments, avail, content, disclosure, hotline, identity, interact,  # noqa: F401
                    links, mobile, opendata, privacy, security, service, update, uptime)
from checks import browser, elder, qa, search  # noqa: F401  (browser probes)
