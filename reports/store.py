"""Between the database and scoring: read a run's findings (the newest of each
supersedes chain), build the subjects a framework scores, rank and classify
them, and write the `scores` rows."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.errors import UserError
from reports import ranking
from reports.frameworks import Framework
from reports.manual import ManualValue
from reports.scoring import Obs, Result, Subject, score
from storage.models import Finding, ManualEntry, Run, RunSite, Score, Site, Unit, VetoDecision

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


def manual_ranges(fw: Framework) -> dict[str, float]:
    """Manual indicator ids of a framework with their maximum points; `veto.<id>` for a veto
    pending review (1 confirms, 0 rejects)."""
    ranges = {i.id: fw.nominal_max(i.id) for i in fw.manual_indicators()}
    ranges.update({f"veto.{v.id}": 1.0 for v in fw.vetoes if v.review})
    return ranges


def record_csv(session: Session, run_id: int, frameworks: list[Framework], values: list[ManualValue],
               source: str) -> None:
    """Store the evaluators' CSV values as manual values (and a `veto.<id>` row as the round's
    decision on that candidate veto) for every framework they belong to, so the console shows
    them with their source and every later scoring uses them. The whole file is checked first:
    a subject that is not in this run, or a score outside the indicator's range, stores nothing."""
    rows = []
    for fw in frameworks:
        ranges = manual_ranges(fw)
        by_name: dict[str, Subject] = {}
        for s in build_subjects(session, run_id, fw):
            by_name[s.name] = s
            if s.site_id is not None:
                site = session.get(Site, s.site_id)
                by_name[site.url] = s
                by_name[str(site.id)] = s
        for v in values:
            if v.indicator not in ranges or (fw.scope == "unit") != bool(v.unit):
                continue
            subject = by_name.get(v.unit or v.site)
            if subject is None:
                raise UserError(f"manual line {v.line}: {v.unit or v.site!r} is not a "
                                f"{'unit' if v.unit else 'site'} of this run")
            top = ranges[v.indicator]
            if not 0 <= v.score <= top + 1e-9:
                raise UserError(f"manual line {v.line}: {v.indicator} score {v.score:g} outside 0..{top:g}")
            where = dict(framework=fw.name, unit_id=subject.unit_id if fw.scope == "unit" else None,
                         site_id=subject.site_id)
            if v.indicator.startswith("veto."):
                rows.append(VetoDecision(run_id=run_id, veto=v.indicator[5:], note=v.note, decided_by=source,
                                         decision="confirm" if v.score >= 1 else "reject", **where))
            else:
                rows.append(ManualEntry(indicator=v.indicator, value=v.score, why=v.note, entered_by=source,
                                        **where))
    for row in rows:
        if not _same_as_stored(session, row):
            session.add(row)
    session.flush()


def _same_as_stored(session: Session, row: ManualEntry | VetoDecision) -> bool:
    """The newest stored row for the same key says the same (a CSV scored twice adds nothing)."""
    model = type(row)
    key = [model.framework == row.framework, _is(model.unit_id, row.unit_id), _is(model.site_id, row.site_id)]
    if model is VetoDecision:
        key += [VetoDecision.run_id == row.run_id, VetoDecision.veto == row.veto]
        same = ("decision", "note", "decided_by")
    else:
        key.append(ManualEntry.indicator == row.indicator)
        same = ("value", "why", "entered_by")
    last = session.scalar(select(model).where(*key).order_by(model.id.desc()).limit(1))
    return last is not None and all(getattr(last, a) == getattr(row, a) for a in same)


def _is(column, value):
    return column.is_(None) if value is None else column == value


def stored_manual(session: Session, run_id: int, fw: Framework) -> dict[tuple[int | None, int | None], dict]:
    """(unit_id, site_id) -> indicator -> (score, note): the newest manual value of each of the
    framework's manual indicators, and the round's newest decision on each candidate veto."""
    ranges = manual_ranges(fw)
    out: dict[tuple[int | None, int | None], dict] = defaultdict(dict)
    for e in session.scalars(select(ManualEntry).where(ManualEntry.framework == fw.name).order_by(ManualEntry.id)):
        if e.indicator in ranges and 0 <= e.value <= ranges[e.indicator] + 1e-9:
            out[(e.unit_id, e.site_id)][e.indicator] = (e.value, e.why)
    for d in session.scalars(select(VetoDecision).where(VetoDecision.run_id == run_id,
                                                        VetoDecision.framework == fw.name)
                             .order_by(VetoDecision.id)):
        if f"veto.{d.veto}" in ranges:
            out[(d.unit_id, d.site_id)][f"veto.{d.veto}"] = (1.0 if d.decision == "confirm" else 0.0, d.note)
    return out


def attach_manual(session: Session, run_id: int, fw: Framework, subjects: list[Subject]) -> None:
    """Put the stored manual values (the console's and the CSV's) on their subjects."""
    stored = stored_manual(session, run_id, fw)
    for s in subjects:
        key = (s.unit_id, None) if fw.scope == "unit" else (None, s.site_id)
        s.manual.update(stored.get(key, {}))


def check_manual_known(frameworks: list[Framework], values: list[ManualValue]) -> None:
    known = set()
    for fw in frameworks:
        known |= set(manual_ranges(fw))
    for v in values:
        if v.indicator not in known:
            raise UserError(f"manual line {v.line}: {v.indicator!r} is no manual indicator of "
                            f"{', '.join(f.name for f in frameworks)} (have: {', '.join(sorted(known)) or 'none'})")


def score_framework(session: Session, run_id: int, fw: Framework) -> Scored:
    subjects = build_subjects(session, run_id, fw)
    attach_manual(session, run_id, fw, subjects)
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
    if manual:
        record_csv(session, run_id, chosen, manual, f"csv:{Path(manual_path).name}")
    out = []
    for fw in chosen:
        scored = score_framework(session, run_id, fw)
        write_scores(session, scored)
        out.append(scored)
    return out
