"""Manual indicators and candidate vetoes as evaluators enter them in the console (page 7).

A manual value belongs to a framework, a subject (a unit for unit-level frameworks, a site for
site-level ones) and a manual indicator; a decision on a candidate veto belongs to a round. Both
are stored beside the evaluators' CSV values (reports/store.py: record_csv) and feed the same
scoring: `rescore` writes the round's scores again with them."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import UserError
from reports import frameworks as fwmod
from reports.frameworks import Framework
from reports.store import build_subjects, manual_ranges, require_run, score_run
from storage import models as m

DECISIONS = {"confirm": "确认否决", "reject": "不予否决"}


def framework(name: str) -> Framework:
    try:
        available = fwmod.load_all()
    except fwmod.FrameworkError as exc:
        raise UserError(str(exc)) from None
    if name not in available:
        raise UserError(f"no framework {name!r} (have: {', '.join(sorted(available))})")
    return available[name]


def frameworks_with_manual() -> list[Framework]:
    """Frameworks that have manual indicators or candidate vetoes, by name."""
    try:
        available = fwmod.load_all()
    except fwmod.FrameworkError as exc:
        raise UserError(str(exc)) from None
    return [fw for _, fw in sorted(available.items()) if manual_ranges(fw)]


@dataclass
class FormSubject:
    name: str
    unit_id: int | None
    site_id: int | None
    values: dict[str, m.ManualEntry] = field(default_factory=dict)    # indicator -> newest entry


@dataclass
class ManualForm:
    framework: Framework
    run_id: int
    indicators: list[tuple[str, str, float]]         # (id, title, max points)
    subjects: list[FormSubject]


def manual_form(session: Session, name: str, run_id: int | None = None) -> ManualForm:
    """The framework's manual indicators for every subject of the round (default: the latest),
    each with its newest stored value (who, when, why)."""
    fw = framework(name)
    run_id = require_run(session, run_id)
    titles = {i.id: i.title for i in fw.manual_indicators()}
    indicators = [(iid, titles[iid], top) for iid, top in manual_ranges(fw).items() if iid in titles]
    subjects = []
    for s in build_subjects(session, run_id, fw):
        unit_id = s.unit_id if fw.scope == "unit" else None
        subjects.append(FormSubject(s.name, unit_id, s.site_id))
    rows = session.scalars(select(m.ManualEntry).where(m.ManualEntry.framework == fw.name)
                           .order_by(m.ManualEntry.id))
    by_key = {(s.unit_id, s.site_id): s for s in subjects}
    for row in rows:
        subject = by_key.get((row.unit_id, row.site_id))
        if subject is not None:
            subject.values[row.indicator] = row
    return ManualForm(fw, run_id, indicators, subjects)


def _subject(session: Session, fw: Framework, unit_id: int | None, site_id: int | None) -> None:
    if fw.scope == "unit":
        if unit_id is None or site_id is not None or session.get(m.Unit, unit_id) is None:
            raise UserError(f"{fw.name} scores units: give an existing unit")
    elif site_id is None or unit_id is not None or session.get(m.Site, site_id) is None:
        raise UserError(f"{fw.name} scores sites: give an existing site")


def set_value(session: Session, name: str, indicator: str, value: float, by: str, why: str,
              unit_id: int | None = None, site_id: int | None = None) -> m.ManualEntry:
    """Store a manual value (kept as history; the newest counts). `why` is required."""
    fw = framework(name)
    titles = {i.id for i in fw.manual_indicators()}
    if indicator not in titles:
        raise UserError(f"{indicator!r} is no manual indicator of {fw.name} "
                        f"(have: {', '.join(sorted(titles)) or 'none'})")
    _subject(session, fw, unit_id, site_id)
    top = manual_ranges(fw)[indicator]
    if not 0 <= value <= top + 1e-9:
        raise UserError(f"{indicator} score {value:g} outside 0..{top:g}")
    if not why.strip():
        raise UserError("say why (the basis of the value)")
    row = m.ManualEntry(framework=fw.name, unit_id=unit_id, site_id=site_id, indicator=indicator, value=value,
                        entered_by=by, why=why.strip(), entered_at=m.utcnow())
    session.add(row)
    session.flush()
    return row


def value_history(session: Session, name: str, indicator: str, unit_id: int | None,
                  site_id: int | None) -> list[m.ManualEntry]:
    """Every value entered for one indicator of one subject, newest first."""
    q = select(m.ManualEntry).where(m.ManualEntry.framework == name, m.ManualEntry.indicator == indicator)
    q = q.where(m.ManualEntry.unit_id.is_(None) if unit_id is None else m.ManualEntry.unit_id == unit_id)
    q = q.where(m.ManualEntry.site_id.is_(None) if site_id is None else m.ManualEntry.site_id == site_id)
    return list(session.scalars(q.order_by(m.ManualEntry.id.desc())))


@dataclass
class VetoCandidate:
    run_id: int
    framework: str
    veto: str
    title: str
    subject: str
    unit_id: int | None
    site_id: int | None
    state: str                      # pending_review, veto (confirmed) or rejected, as last scored
    findings: list[int]
    decision: m.VetoDecision | None  # the newest decision, if any


def veto_candidates(session: Session, run_id: int | None = None) -> list[VetoCandidate]:
    """Every candidate veto (a veto that needs review) that the round's findings hit, as its
    stored scores say, with the newest decision on it."""
    run_id = require_run(session, run_id)
    decisions = {(d.framework, d.unit_id, d.site_id, d.veto): d for d in session.scalars(
        select(m.VetoDecision).where(m.VetoDecision.run_id == run_id).order_by(m.VetoDecision.id))}
    out = []
    for s in session.scalars(select(m.Score).where(m.Score.run_id == run_id, m.Score.indicator == "total")
                             .order_by(m.Score.framework, m.Score.id)):
        for v in (s.details or {}).get("vetoes", []):
            if not v.get("review") or not v.get("hits"):
                continue
            out.append(VetoCandidate(run_id, s.framework, v["id"], v.get("title", v["id"]),
                                     (s.details or {}).get("subject", ""), s.unit_id, s.site_id, v["state"],
                                     v.get("findings", []),
                                     decisions.get((s.framework, s.unit_id, s.site_id, v["id"]))))
    return out


def decide_veto(session: Session, run_id: int, name: str, veto: str, decision: str, note: str, by: str,
                unit_id: int | None = None, site_id: int | None = None) -> m.VetoDecision:
    """Confirm or reject a candidate veto of the round, with a note; `rescore` applies it."""
    fw = framework(name)
    if decision not in DECISIONS:
        raise UserError(f"decision must be confirm or reject, not {decision!r}")
    if veto not in {v.id for v in fw.vetoes if v.review}:
        raise UserError(f"{veto!r} is no candidate veto of {fw.name}")
    _subject(session, fw, unit_id, site_id)
    if session.get(m.Run, run_id) is None:
        raise UserError(f"no run {run_id}")
    if not note.strip():
        raise UserError("say why (a note for the decision)")
    row = m.VetoDecision(run_id=run_id, framework=fw.name, unit_id=unit_id, site_id=site_id, veto=veto,
                         decision=decision, note=note.strip(), decided_by=by, decided_at=m.utcnow())
    session.add(row)
    session.flush()
    return row


def rescore(session: Session, run_id: int, name: str) -> None:
    """Score the round again with the framework, now with the stored manual values and decisions."""
    framework(name)
    score_run(session, run_id, [name])
