"""The registry: every declared check, by id, in the order of the area modules below
(the order findings are evaluated and listed in). Add a module here when you add an area."""
from __future__ import annotations

import fnmatch
from types import ModuleType

from checks import (a11y, attachments, avail, content, disclosure, hotline, identity, interact, links, mobile,
                    opendata, privacy, security, service, update, uptime)
from checks import browser, elder, qa, search  # (browser probes)
from checks.base import Check

AREAS: tuple[ModuleType, ...] = (a11y, attachments, avail, content, disclosure, hotline, identity, interact, links,
                                 mobile, opendata, privacy, security, service, update, uptime,
                                 browser, elder, qa, search)


def _collect(areas: tuple[ModuleType, ...]) -> dict[str, Check]:
    """The checks the area modules declare (checks.base.check), in declaration order."""
    registry: dict[str, Check] = {}
    for module in areas:
        for value in vars(module).values():
            declared = getattr(value, "declared", None)
            if isinstance(declared, Check) and value.__module__ == module.__name__:
                if declared.id in registry:
                    raise ValueError(f"check {declared.id} declared twice")
                registry[declared.id] = declared
    return registry


REGISTRY: dict[str, Check] = _collect(AREAS)


def all_checks() -> dict[str, Check]:
    """Every registered check, by id."""
    return REGISTRY


def select(patterns: list[str] | None = None) -> list[Check]:
    """Checks whose id matches any glob (all when none); unknown exact ids raise."""
    if not patterns:
        return list(REGISTRY.values())
    chosen = []
    for pattern in patterns:
        hits = [c for cid, c in REGISTRY.items() if fnmatch.fnmatchcase(cid, pattern)]
        if not hits:
            raise KeyError(f"no check matches {pattern!r}")
        chosen.extend(c for c in hits if c not in chosen)
    return chosen
