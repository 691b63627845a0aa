"""Findings → scores, without a database: transforms, weighted trees, the
inspection method (vetoes, capped deductions, bonus), missing/incomplete rules.

Following Lighthouse: `not_applicable` drops an indicator's weight and the rest
is renormalised; `error` (or no finding, or a missing manual value) makes it
missing (null, never 0): the score is computed over what was measured, marked
incomplete, and gets no tier once the missing weight exceeds the framework's
`missing_share`.
"""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import Any

from reports.frameworks import Condition, Framework, Indicator

OK, NA, MISSING = "ok", "not_applicable", "missing"
_OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
        "==": operator.eq, "!=": operator.ne}


@dataclass
class Obs:
    """A finding as scoring sees it."""
    status: str
    value: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    site_id: int | None = None
    finding_id: int | None = None


@dataclass
class Subject:
    """What a framework scores: one site (scope site) or one unit's sites (scope unit)."""
    key: str                        # "site:12" or "unit:3"
    name: str
    group: str | None = None
    region: str | None = None
    site_id: int | None = None      # set for a site subject
    unit_id: int | None = None
    kind: str | None = None         # the site's kind for a site subject
    sites: list[tuple[int, str]] = field(default_factory=list)        # (site_id, kind) of the unit
    findings: dict[int, dict[str, Obs]] = field(default_factory=dict)  # site_id -> check -> Obs
    manual: dict[str, tuple[float, str]] = field(default_factory=dict)  # indicator -> (score, note)


@dataclass
class IndicatorScore:
    id: str
    title: str
    state: str                      # ok | not_applicable | missing
    score: float | None             # points (sub-score × max); None unless ok
    max: float
    sub: float | None = None        # 0..1
    manual: bool = False
    parent: str | None = None
    reason: str = ""
    findings: list[int] = field(default_factory=list)
    kind: str = "indicator"         # indicator | aspect | veto | deduction | bonus | beside


@dataclass
class Result:
    subject: Subject
    total: float | None
    max: float
    tier: str | None
    incomplete: bool
    missing: list[str]
    missing_share: float
    indicators: list[IndicatorScore]
    vetoes: list[dict[str, Any]] = field(default_factory=list)
    bonus: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def judged(self) -> bool:
        """Measured enough to be tiered, ranked and classified."""
        return self.total is not None and self.missing_share <= self.missing_limit + 1e-9

    missing_limit: float = 0.2


# ---- transforms -------------------------------------------------------------

def lognormal(value: float, p10: float, median: float) -> float:
    """Lighthouse's log-normal curve: 0.9 at p10, 0.5 at the median, towards 0 beyond."""
    if value <= 0:
        return 1.0
    x = math.log(value / median) * 0.9061938024368232 / -math.log(p10 / median)
    p = math.erfc(x) / 2          # 0.9061938… is erfc⁻¹(0.2): puts p10 at exactly 0.9
    if value <= p10:
        return max(0.9, min(1.0, p))
    if value <= median:
        return max(0.5, min(0.8999999999999999, p))
    return max(0.0, min(0.49999999999999994, p))


def transform(name: str, params: dict[str, float], status: str, value: float | None) -> float | None:
    """Sub-score 0..1 of one measured finding; None when the value needed is absent."""
    if name == "binary":
        if status == "pass":
            return 1.0
        if status == "warn":
            return params.get("warn", 0.0)
        return 0.0
    if value is None:
        # A failing check that could not put a number on it (e.g. no dates at all) scores 0.
        return 0.0 if status == "fail" else None
    if name == "ratio":
        return min(max(float(value), 0.0), 1.0)
    if name == "count":
        return 1.0 - min(max(float(value), 0.0) / params["cap"], 1.0)
    if name == "days":
        good, bad = params["good"], params["bad"]
        if value <= good:
            return 1.0
        if value >= bad:
            return 0.0
        return (bad - value) / (bad - good)
    if name == "lognormal":
        return lognormal(float(value), params["p10"], params["median"])
    raise ValueError(f"unknown transform {name}")


# ---- finding lookup ---------------------------------------------------------

def _check_kinds(check_id: str) -> set[str] | None:
    from checks.base import KIND_LETTERS
    from checks.catalog import all_checks
    c = all_checks().get(check_id)
    if c is None:
        return None
    return {k for k, letter in KIND_LETTERS.items() if letter in c.kinds}


def observations(subject: Subject, check_id: str, kind: str | None) -> tuple[list[Obs], str]:
    """The findings an indicator reads, or ([], reason) when there is nothing to read."""
    if subject.site_id is not None and (kind is None or kind == subject.kind):
        candidates = [subject.site_id]
    else:
        applies = _check_kinds(check_id)
        candidates = [sid for sid, k in subject.sites
                      if (kind is None or k == kind) and (applies is None or k in applies)]
        if not candidates:
            return [], NA
    found = [subject.findings.get(sid, {}).get(check_id) for sid in candidates]
    obs = [o for o in found if o is not None]
    if not obs:
        return [], MISSING
    return obs, OK


def _leaf_sub(ind: Indicator, subject: Subject, max_points: float) -> tuple[str, float | None, str, list[int]]:
    if ind.manual:
        if ind.id not in subject.manual:
            return MISSING, None, "no manual value", []
        score, _note = subject.manual[ind.id]
        return OK, (score / max_points if max_points else 0.0), "manual", []
    obs, state = observations(subject, ind.check, ind.kind)
    if state == NA:
        return NA, None, f"no {ind.kind or 'applicable'} site", []
    if state == MISSING:
        return MISSING, None, "not measured", []
    ids = [o.finding_id for o in obs if o.finding_id is not None]
    if any(o.status == "error" for o in obs):
        kinds = sorted({str(o.details.get("error_kind", "error")) for o in obs if o.status == "error"})
        return MISSING, None, "error: " + ", ".join(kinds), ids
    measured = [o for o in obs if o.status != "not_applicable"]
    if not measured:
        return NA, None, "not applicable", ids
    subs = [transform(ind.transform, ind.params, o.status, o.value) for o in measured]
    if any(s is None for s in subs):
        return MISSING, None, "no value", ids
    return OK, sum(subs) / len(subs), "", ids


# ---- weighted ---------------------------------------------------------------

def _weighted_node(fw: Framework, iid: str, subject: Subject, max_points: float, parent: str | None,
                   out: list[IndicatorScore], kind: str) -> tuple[str, float | None, list[tuple[str, float]]]:
    """Returns (state, sub-score, [(missing leaf id, its share of this node)])."""
    ind = fw.indicators[iid]
    if ind.leaf:
        state, sub, reason, ids = _leaf_sub(ind, subject, max_points)
        out.append(IndicatorScore(iid, ind.title, state, None if sub is None else sub * max_points,
                                  max_points, sub, ind.manual, parent, reason, ids, kind))
        return state, sub, ([(iid, 1.0)] if state == MISSING else [])
    total_w = sum(fw.indicators[c].weight for c in ind.children)
    slot = len(out)
    out.append(None)  # placeholder keeps parents before their children
    results = []
    for c in ind.children:
        child_max = max_points * fw.indicators[c].weight / total_w if total_w else 0.0
        results.append((c, *_weighted_node(fw, c, subject, child_max, iid, out, "indicator")))
    applicable = [(c, st, s, m) for c, st, s, m in results if st != NA and fw.indicators[c].weight > 0]
    measured = [(c, s) for c, st, s, _ in applicable if st == OK]
    app_w = sum(fw.indicators[c].weight for c, *_ in applicable)
    missing = [(leaf, share * fw.indicators[c].weight / app_w) for c, st, _, m in applicable
               for leaf, share in m] if app_w else []
    if not applicable:
        state, sub = NA, None
    elif not measured:
        state, sub = MISSING, None
    else:
        w = sum(fw.indicators[c].weight for c, _ in measured)
        state, sub = OK, sum(fw.indicators[c].weight * s for c, s in measured) / w
    out[slot] = IndicatorScore(iid, ind.title, state, None if sub is None else sub * max_points, max_points,
                               sub, False, parent, "", [], kind)
    return state, sub, missing


def score_weighted(fw: Framework, subject: Subject) -> Result:
    out: list[IndicatorScore] = []
    root_w = sum(fw.indicators[r].weight for r in fw.root)
    tops = []
    for r in fw.root:
        tops.append((r, *_weighted_node(fw, r, subject, fw.scale * fw.indicators[r].weight / root_w,
                                        None, out, "aspect")))
    for b in fw.beside:
        _weighted_node(fw, b, subject, fw.indicators[b].weight, None, out, "beside")
    applicable = [(r, st, s, m) for r, st, s, m in tops if st != NA and fw.indicators[r].weight > 0]
    app_w = sum(fw.indicators[r].weight for r, *_ in applicable)
    measured = [(r, s) for r, st, s, _ in applicable if st == OK]
    missing_pairs = [(leaf, share * fw.indicators[r].weight / app_w) for r, _, _, m in applicable
                     for leaf, share in m] if app_w else []
    share = sum(s for _, s in missing_pairs)
    if measured:
        w = sum(fw.indicators[r].weight for r, _ in measured)
        total = fw.scale * sum(fw.indicators[r].weight * s for r, s in measured) / w
    else:
        total = None
    missing = [leaf for leaf, _ in missing_pairs]
    tier = None
    if total is not None and share <= fw.missing_share + 1e-9:
        tier = fw.tier_for(total)
    return Result(subject, total, fw.scale, tier, bool(missing) or total is None, missing, share, out,
                  missing_limit=fw.missing_share)


# ---- inspection -------------------------------------------------------------

def _measure(cond: Condition, obs: Obs) -> float | None:
    if cond.count:
        items = obs.details.get(cond.count)
        if not isinstance(items, list):
            return None
        n = 0
        for item in items:
            if isinstance(item, dict) and all(
                    item.get(k) in v if isinstance(v, list) else item.get(k) == v
                    for k, v in cond.where.items()):
                n += 1
        value = float(n)
    else:
        value = obs.value
    if value is not None and cond.shortfall is not None:
        value = max(0.0, cond.shortfall - value)
    return value


def evaluate_condition(cond: Condition, subject: Subject) -> tuple[str, bool, float | None, list[int]]:
    """(state, holds, measure, finding ids). A plain value condition on a failing
    finding without a value holds: the check failed without putting a number on it."""
    obs, state = observations(subject, cond.check, cond.kind)
    if state != OK:
        return state, False, None, []
    ids = [o.finding_id for o in obs if o.finding_id is not None]
    if any(o.status == "error" for o in obs):
        return MISSING, False, None, ids
    measured = [o for o in obs if o.status != "not_applicable"]
    if not measured:
        return NA, False, None, ids
    holds_any, total = False, 0.0
    for o in measured:
        if cond.status is not None and o.status == cond.status:
            holds_any = True
        m = _measure(cond, o)
        if m is None:
            if cond.count or cond.op is None:
                if cond.status is None:
                    return MISSING, False, None, ids
                continue
            holds_any = holds_any or o.status == "fail"
            continue
        total += m
        if cond.op is not None and _OPS[cond.op](m, cond.value):
            holds_any = True
    return OK, holds_any, total, ids


def score_inspection(fw: Framework, subject: Subject) -> Result:
    labels = fw.labels
    out: list[IndicatorScore] = []
    vetoes: list[dict[str, Any]] = []
    unverified: list[str] = []
    for v in fw.vetoes:
        states, hits, ids = [], [], []
        for c in v.any:
            st, holds, m, fids = evaluate_condition(c, subject)
            states.append(st)
            ids += fids
            if holds:
                hits.append({"check": c.check, "measure": m, "op": c.op, "value": c.value, "status": c.status})
        if hits:
            state = "veto"
            if v.review:
                confirm = subject.manual.get(f"veto.{v.id}")
                state = "pending_review" if confirm is None else ("veto" if confirm[0] >= 1 else "rejected")
        elif MISSING in states:
            state = MISSING
            unverified.append(f"veto.{v.id}")
        else:
            state = "clear"
        vetoes.append({"id": v.id, "title": v.title, "state": state, "hits": hits, "review": v.review,
                       "findings": ids})
        out.append(IndicatorScore(f"veto.{v.id}", v.title, MISSING if state == MISSING else OK,
                                  None if state == MISSING else (1.0 if hits else 0.0), 1.0,
                                  reason=state, findings=ids, kind="veto"))
    confirmed = [v for v in vetoes if v["state"] == "veto"]
    pending = [v for v in vetoes if v["state"] == "pending_review"]
    if confirmed:
        return Result(subject, None, 100.0, labels["fail"], bool(unverified), unverified, 0.0, out, vetoes,
                      extra={"vetoed": True}, missing_limit=fw.missing_share)
    deducted, missing, app_cap, missing_cap = 0.0, [], 0.0, 0.0
    for d in fw.deductions:
        st, holds, m, ids = evaluate_condition(d.condition, subject)
        if st == NA:
            out.append(IndicatorScore(d.id, d.title, NA, None, d.cap, reason="not applicable",
                                      findings=ids, kind="deduction"))
            continue
        app_cap += d.cap
        if st == MISSING:
            missing.append(d.id)
            missing_cap += d.cap
            out.append(IndicatorScore(d.id, d.title, MISSING, None, d.cap, reason="not measured",
                                      findings=ids, kind="deduction"))
            continue
        if d.per is not None:
            lost = min(d.cap, d.per * (m or 0.0))
        else:
            lost = min(d.cap, d.points) if holds else 0.0
        deducted += lost
        out.append(IndicatorScore(d.id, d.title, OK, d.cap - lost, d.cap, 1 - lost / d.cap,
                                  reason=f"-{lost:g}" if lost else "", findings=ids, kind="deduction"))
    total = 100.0 - deducted
    share = missing_cap / app_cap if app_cap else 0.0
    bonus = None
    if total > fw.bonus_threshold:
        bonus = 0.0
        for b in fw.bonus:
            state, sub, reason, ids = _leaf_sub(b.indicator, subject, b.points)
            out.append(IndicatorScore(f"bonus.{b.id}", b.title, state, None if sub is None else sub * b.points,
                                      b.points, sub, b.indicator.manual, None, reason, ids, "bonus"))
            if sub is not None:
                bonus += sub * b.points
        bonus = min(bonus, fw.bonus_max)
    all_missing = unverified + missing
    tier = None
    if share <= fw.missing_share + 1e-9:
        if total < fw.pass_mark:
            tier = labels["fail"]
        elif pending:
            tier = labels["pending"]
        else:
            tier = labels["pass"]
    return Result(subject, total, 100.0, tier, bool(all_missing), all_missing, share, out, vetoes, bonus,
                  extra={"pending_review": [v["id"] for v in pending]}, missing_limit=fw.missing_share)


def score(fw: Framework, subject: Subject) -> Result:
    return score_weighted(fw, subject) if fw.method == "weighted" else score_inspection(fw, subject)
