"""Shared reading of browser-probe results (stored by crawler/probes) for the checks."""
from __future__ import annotations

from typing import Any

from checks.artifacts import SiteArtifacts
from checks.base import Finding, error


def probe_result(a: SiteArtifacts, name: str) -> tuple[dict[str, Any] | None, Finding | None]:
    """(result, None) when the probe measured; (None, error finding) when it could not."""
    result = a.probes.get(name)
    if result is None:
        return None, error("not_gathered", f"probe {name} stored no result for this site")
    kind = result.get("_error_kind")
    if kind:
        return None, error(kind, result.get("error") or f"probe {name} failed", **_capped(result))
    return result, None


def _capped(result: dict[str, Any]) -> dict[str, Any]:
    """The browser's download caps cut something off while the probe ran: the finding says so."""
    return {"download_capped": result["download_capped"]} if result.get("download_capped") else {}


def versions(result: dict[str, Any]) -> dict[str, str]:
    return dict(result.get("_tool_versions") or result.get("tool_versions") or {})


def shots(*refs: str | None) -> list[dict[str, Any]]:
    return [{"kind": "screenshot", "ref": r} for r in refs if r]


def finish(f: Finding, result: dict[str, Any], evidence: list[dict[str, Any]] | None = None) -> Finding:
    f.tool_versions = versions(result)
    for key, value in _capped(result).items():
        f.details.setdefault(key, value)
    if evidence:
        f.evidence = evidence + f.evidence
    return f

