"""Imports every check module so their declarations land in the registry.
Add a module here when you add an area."""
from checks import avail, links  # noqa: F401
from checks import (a11y, attachments, content, disclosure, identity, interact, mobile,  # noqa: F401
                    privacy, security, service, update, uptime)
from checks import browser, elder, qa, search  # noqa: F401  (browser probes)
