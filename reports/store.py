"""Between the database and scoring: read a run's findings (the newest of each
supersedes chain), build the subjects a framework scores, rank and classify
them, and write the `scores` rows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from reports import ranking
from reports.frameworks import Framework
from reports.manual import ManualValue
from reports.scoring import Obs, Result, Subject, score
from storage.models import Finding, Run, RunSite, Score, Site, Unit

DEFAULT_GROUP = "全部"


def latest_run_id(session: Session) -> int:
    run_id = session.scalar(select(func.max(Finding.run_id)).join(Run, Run.id == Finding.run_id)
                            .where(Run.kind != "check"))
    if run_id is None:
        raise UserError("no run with findings yet: run `govaudit run` first")
    return run_id


def require_run(session: Session, run_id: int | None) -> int:
    if run_id is None:
        return latest_run_id(session)
    if session.get(Run, run_id) is None:
        raise UserError(f"no run {run_id}")
    return run_id


def run_site_ids(session: Session, run_id: int) -> list[int]:
    ids = set(session.scalars(select(RunSite.site_id).where(RunSite.run_id == run_id)))
    ids |= set(session.scalars(select(Finding.site_id).where(Finding.run_id == run_id).distinct()))
    return sorted(ids)


def run_findings(session: Session, run_id: int) -> dict[int, dict[str, Finding]]:
    """site -> check -> the run's finding, or the newest finding superseding it (a rerun)."""
    rows = session.scalars(select(Finding).where(Finding.run_id == run_id)).all()
    site_ids = {f.site_id for f in rows}
    successor: dict[int, Finding] = {}
    if site_ids:
        for f in session.scalars(select(Finding).where(Finding.supersedes.is_not(None),
                                                       Finding.site_id.in_(site_ids))):
            successor[f.supersedes] = f
    out: dict[int, dict[str, Finding]] = defaultdict(dict)
    for f in rows:
        seen = {f.id}
        while f.id in successor and successor[f.id].id not in seen:
            f = successor[f.id]
            seen.add(f.id)
        out[f.site_id][f.check_id] = f
    return out


def _obs(f: Finding) -> Obs:
    return Obs(f.status, f.value, f.details or {}, f.site_id, f.id)


@dataclass
class Scored:
    framework: Framework
    run_id: int
    results: list[Result]
    ranks: dict[str, int] = field(default_factory=dict)
    classified: ranking.Classified | None = None


def build_subjects(session: Session, run_id: int, fw: Framework) -> list[Subject]:
    site_ids = run_site_ids(session, run_id)
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(site_ids)))} if site_ids else {}
    findings = run_findings(session, run_id)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_({s.unit_id for s in sites.values()})))}
    obs = {sid: {cid: _obs(f) for cid, f in checks.items()} for sid, checks in findings.items()}
    by_unit: dict[int, list[Site]] = defaultdict(list)
    for s in sorted(sites.values(), key=lambda s: s.id):
        by_unit[s.unit_id].append(s)
    subjects = []
    if fw.scope == "site":
        for s in sorted(sites.values(), key=lambda s: s.id):
            if s.kind not in fw.kinds:
                continue
            siblings = by_unit[s.unit_id]
            subjects.append(Subject(
                f"site:{s.id}", s.name, s.group or units[s.unit_id].group, s.region or units[s.unit_id].region,
                site_id=s.id, unit_id=s.unit_id, kind=s.kind, sites=[(x.id, x.kind) for x in siblings],
                findings={x.id: obs.get(x.id, {}) for x in siblings}))
    else:
        for uid, members in sorted(by_unit.items()):
            members = [m for m in members if m.kind in fw.kinds]
            if not members:
                continue
            u = units[uid]
            subjects.append(Subject(
                f"unit:{uid}", u.name, u.group or members[0].group, u.region or members[0].region,
                unit_id=uid, sites=[(m.id, m.kind) for m in members],
                findings={m.id: obs.get(m.id, {}) for m in members}))
    return subjects


def attach_manual(session: Session, fw: Framework, subjects: list[Subject], values: list[ManualValue]) -> None:
    """Put the CSV values that belong to this framework on their subjects; refuse
    values outside an indicator's range. Values for other frameworks are skipped."""
    manual_ids = {i.id: fw.nominal_max(i.id) for i in fw.manual_indicators()}
    manual_ids.update({f"veto.{v.id}": 1.0 for v in fw.vetoes if v.review})
    by_name: dict[str, Subject] = {}
    for s in subjects:
        by_name[s.name] = s
        if s.site_id is not None:
            site = session.get(Site, s.site_id)
            by_name[site.url] = s
            by_name[str(site.id)] = s
    for v in values:
        if v.indicator not in manual_ids:
            continue
        if (fw.scope == "unit") != bool(v.unit):
            continue
        subject = by_name.get(v.unit or v.site)
        if subject is None:
            raise UserError(f"manual line {v.line}: {v.unit or v.site!r} is not a "
                            f"{'unit' if v.unit else 'site'} of this run")
        top = manual_ids[v.indicator]
        if not 0 <= v.score <= top + 1e-9:
            raise UserError(f"manual line {v.line}: {v.indicator} score {v.score:g} outside 0..{top:g}")
        subject.manual[v.indicator] = (v.score, v.note)


def check_manual_known(frameworks: list[Framework], values: list[ManualValue]) -> None:
    known = set()
    for fw in frameworks:
        known |= {i.id for i in fw.manual_indicators()} | {f"veto.{v.id}" for v in fw.vetoes if v.review}
    for v in values:
        if v.indicator not in known:
            raise UserError(f"manual line {v.line}: {v.indicator!r} is no manual indicator of "
                            f"{', '.join(f.name for f in frameworks)} (have: {', '.join(sorted(known)) or 'none'})")


def score_framework(session: Session, run_id: int, fw: Framework,
                    manual: list[ManualValue] | None = None) -> Scored:
    subjects = build_subjects(session, run_id, fw)
    attach_manual(session, fw, subjects, manual or [])
    results = [score(fw, s) for s in subjects]
    scored = Scored(fw, run_id, results)
    judged = [r for r in results if r.judged]
    if fw.ranking == "competition":
        scored.ranks = ranking.ranks_by_group((r.subject.key, r.subject.group or DEFAULT_GROUP, r.total)
                                              for r in judged)
    if fw.classification:
        c = fw.classification
        scored.classified = ranking.breaks([(r.subject.key, r.total) for r in judged], c["classes"],
                                           c["sublevels"])
        for r in judged:
            r.tier = scored.classified.classes[r.subject.key]
    return scored


def is_partial(run: Run) -> bool:
    """A round run with --only measured some checks: its scores are never a baseline."""
    return bool((run.options or {}).get("only"))


def write_scores(session: Session, scored: Scored) -> int:
    """Replace this run's scores for the framework; returns rows written."""
    fw = scored.framework
    session.execute(delete(Score).where(Score.run_id == scored.run_id, Score.framework == fw.name))
    rows = 0
    breakpoints = set(scored.classified.breakpoints) if scored.classified else set()
    partial = is_partial(session.get(Run, scored.run_id))
    for r in scored.results:
        s = r.subject
        group = s.group or DEFAULT_GROUP
        common = dict(run_id=scored.run_id, framework=fw.name, framework_version=fw.version,
                      unit_id=s.unit_id if fw.scope == "unit" else None, site_id=s.site_id, group=group,
                      partial=partial)
        details: dict[str, Any] = {"subject": s.name, "missing": r.missing,
                                   "missing_share": round(r.missing_share, 6), "region": s.region}
        if r.vetoes:
            details["vetoes"] = r.vetoes
        details.update(r.extra)
        if scored.classified and s.key in scored.classified.sublevels:
            details["sublevel"] = scored.classified.sublevels[s.key]
        if s.key in breakpoints:
            details["breakpoint"] = True
        if s.manual:
            details["manual"] = {k: {"score": v[0], "note": v[1]} for k, v in s.manual.items()}
        session.add(Score(indicator="total", score=r.total, max=r.max, tier=r.tier,
                          rank=scored.ranks.get(s.key), incomplete=r.incomplete, manual=False,
                          details=details, **common))
        rows += 1
        if fw.method == "inspection":
            session.add(Score(indicator="bonus", score=r.bonus, max=fw.bonus_max, tier=None, rank=None,
                              incomplete=r.incomplete, manual=False,
                              details={"subject": s.name, "scored": r.bonus is not None}, **common))
            rows += 1
        for ind in r.indicators:
            note = s.manual.get(ind.id, (None, ""))[1] if ind.manual else ""
            session.add(Score(indicator=ind.id, score=ind.score, max=ind.max, tier=None, rank=None,
                              incomplete=ind.state == "missing", manual=ind.manual,
                              details={"subject": s.name, "title": ind.title, "state": ind.state,
                                       "reason": ind.reason, "parent": ind.parent, "kind": ind.kind,
                                       "findings": ind.findings, "sub": ind.sub, "note": note}, **common))
            rows += 1
    session.flush()
    return rows


def score_run(session: Session, run_id: int | None = None, names: list[str] | None = None,
              manual_path: str | None = None, frameworks_dirs: list[str] | None = None) -> list[Scored]:
    """Score a run with the named frameworks (all when none) and write the scores.
    This is what `govaudit score` and the end of `govaudit run` call."""
    from reports import frameworks as fwmod
    from reports.manual import read_csv
    try:
        available = fwmod.load_all(frameworks_dirs)
    except fwmod.FrameworkError as exc:
        raise UserError(str(exc)) from None
    for n in names or []:
        if n not in available:
            raise UserError(f"no framework {n!r} (have: {', '.join(sorted(available))})")
    chosen = [available[n] for n in (names or sorted(available))]
    manual = read_csv(manual_path) if manual_path else []
    check_manual_known(chosen, manual)
    run_id = require_run(session, run_id)
    out = []
    for fw in chosen:
        scored = score_framework(session, run_id, fw, manual)
        write_scores(session, scored)
        out.append(scored)
    return out
