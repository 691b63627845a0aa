"""The check contract: a declared check and the finding it returns.

A check is a pure function from one site's stored artifacts to one Finding.
Its metadata (id, titles, kinds, needs, version, thresholds) sits next to it,
as in Lighthouse audits and ruff rules, so `govaudit checks list` can print
the catalog and a rerun knows what to gather. The registry of every check is
checks/catalog.py; this module imports nothing else of checks/.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from core.errors import ErrorKind

STATUSES = ("pass", "fail", "warn", "not_applicable", "error")
ERROR_KINDS = tuple(kind.value for kind in ErrorKind)
# What each status and error kind means, for the generated catalog (docs/checks.md); a kind
# declared above without a line here is still listed.
STATUS_MEANINGS = {
    "pass": "measured, and the value meets the check's line",
    "fail": "measured, and the value misses the check's line",
    "warn": "measured, below a warning line but not a failure",
    "not_applicable": "the site has no such thing (e.g. no public message list): the indicator's weight is dropped",
    "error": "could not be measured: `details.error_kind` and `details.error` say why; "
             "scored as missing, never as 0 or full marks",
}
ERROR_KIND_MEANINGS = {
    "timeout": "no complete answer within the timeout",
    "dns": "the host name does not resolve",
    "tls": "the TLS handshake or certificate failed",
    "connection": "the connection was refused or broken, or the homepage answered an HTTP error",
    "too_many_redirects": "more redirects than allowed",
    "blocked": "the scanner was stopped: a WAF, CAPTCHA wall or blanket 403/429 (`details.wall` names a "
               "recognised wall), or the scanner's own refusal (`details.cause`: `refused_by_policy` for a "
               "private address without --allow-private / --allow-host, `robots_txt` for a homepage the "
               "site's robots.txt forbids)",
    "too_large": "the content exceeded a size cap, so it was not judged",
    "not_gathered": "the artifact the check needs was not collected in this run",
    "internal": "a bug in govaudit: the traceback is in the log",
}
KIND_LETTERS = {"portal": "P", "open_data": "D", "hotline": "H"}


@dataclass
class Finding:
    status: str
    value: float | int | None = None
    unit: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    tool_versions: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


def error(kind: str, message: str, **details: Any) -> Finding:
    """A finding that could not be measured; never a pass or fail in disguise."""
    if kind not in ERROR_KINDS:
        raise ValueError(f"unknown error kind {kind!r}")
    return Finding("error", None, details={"error_kind": kind, "error": message, **details})


def not_applicable(reason: str, **details: Any) -> Finding:
    return Finding("not_applicable", None, details={"reason": reason, **details})


def binary(ok: bool, unit: str = "", **details: Any) -> Finding:
    """'1 if …, else 0': 1 is pass, 0 is fail."""
    return Finding("pass" if ok else "fail", 1 if ok else 0, unit, details=details)


def graded(value: float, *, fail_below: float | None = None, warn_below: float | None = None,
           warn_above: float | None = None, fail_above: float | None = None,
           warn_at: float | None = None, fail_at: float | None = None) -> str:
    """A measured value's status against its lines, named as the check's thresholds are: the fail
    lines first, then the warn lines, else pass. `_below` and `_above` are strict; `_at` means at or
    above. A count that must be zero is `fail_above=0` (or `warn_above=0`); one that must be there
    is `fail_below=1`."""
    for status, below, above, at in (("fail", fail_below, fail_above, fail_at), ("warn", warn_below, warn_above, warn_at)):
        if ((below is not None and value < below) or (above is not None and value > above)
                or (at is not None and value >= at)):
            return status
    return "pass"


VALUE_TYPES = ("text", "url", "urls", "number", "code", "codes", "days")


def table(caption: str, headings: list[tuple], items: list[dict[str, Any]]) -> dict[str, Any]:
    """List-like details as a typed table (as Lighthouse's makeTableDetails), which the report and
    the console draw the same way whatever the check (reports/evidence.py). Each heading is
    (key, label[, value_type[, options]]): value_type is one of VALUE_TYPES — `urls` a list of
    URLs, `code` a reason code shown in Chinese (checks/zh.py, or options["words"] for codes of
    this column only), `codes` a list of them, `days` a count of days; options["empty"] is what
    an empty cell shows. Each item keeps only the headings' keys."""
    cols = []
    for key, label, *rest in headings:
        value_type = rest[0] if rest else "text"
        if value_type not in VALUE_TYPES:
            raise ValueError(f"unknown value type {value_type!r}")
        cols.append({"key": key, "label": label, "value_type": value_type, **(rest[1] if len(rest) > 1 else {})})
    keys = [c["key"] for c in cols]
    return {"type": "table", "caption": caption, "headings": cols,
            "items": [{k: item.get(k) for k in keys} for item in items]}


def url_evidence(urls, limit: int = 50) -> list[dict[str, Any]]:
    return [{"kind": "url", "ref": u} for u in list(urls)[:limit]]


def snippet_evidence(url: str, text: str, rule: str = "") -> dict[str, Any]:
    item = {"kind": "snippet", "ref": url, "text": text}
    if rule:
        item["rule"] = rule
    return item


@dataclass(frozen=True)
class Check:
    id: str
    title_zh: str
    title_en: str
    kinds: str            # letters of P, D, H
    needs: str            # crawl | monitor | net | probe:NAME
    version: str
    unit: str
    thresholds: dict[str, Any]
    evaluate: Callable[..., Finding]
    description: str = ""

    def applies_to(self, site_kind: str) -> bool:
        return KIND_LETTERS.get(site_kind, "?") in self.kinds

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": {"zh": self.title_zh, "en": self.title_en},
                "kinds": self.kinds, "needs": self.needs, "version": self.version,
                "unit": self.unit, "thresholds": dict(self.thresholds),
                "description": self.description}


def check(id: str, title_zh: str, title_en: str, *, kinds: str, needs: str,
          unit: str = "", version: str = "1", **thresholds: Any):
    """Declare a check. The decorated function is `evaluate(artifacts, t)` where
    `t` holds the named thresholds (defaults here, overridable by settings). The
    declaration rides on the function (`fn.declared`); checks/catalog.py collects them."""
    def declare(fn: Callable[..., Finding]) -> Callable[..., Finding]:
        fn.declared = Check(id, title_zh, title_en, kinds, needs, version, unit,  # type: ignore[attr-defined]
                            dict(thresholds), fn, (fn.__doc__ or "").strip())
        return fn
    return declare
