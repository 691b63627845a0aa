"""Disputes and rectification (page 8): a unit or an evaluator disputes a finding (已整改: the
problem has been fixed; 误判: the finding is wrong), an auditor reruns the check (live, or from
the stored evidence), compares the disputed finding with the rerun's and decides. Every step is
an entry of the dispute's thread, shown in the finding's history.

A decision changes no finding: the rerun's finding supersedes the old one as every rerun does
(govaudit.rounds.rerun_check); an upheld 误判 takes the finding out of the unit's 整改通知 (reports/notices.py)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.zh import status_zh
from core.config import Settings
from core.errors import UserError
from storage import models as m
from storage.db import get_engine

REASONS = {"rectified": "已整改", "misjudged": "误判"}
OUTCOMES = {"upheld": "异议成立", "rejected": "异议不成立"}
STATUS_ZH = {"open": "待处理", **OUTCOMES}
DISPUTABLE = ("fail", "warn")


def _get(session: Session, dispute_id: int) -> m.Dispute:
    d = session.get(m.Dispute, dispute_id)
    if d is None:
        raise UserError(f"no dispute {dispute_id}")
    return d


def _event(session: Session, d: m.Dispute, kind: str, author: str, text: str,
           finding_id: int | None = None) -> m.DisputeEvent:
    e = m.DisputeEvent(dispute_id=d.id, kind=kind, author=author, text=text, finding_id=finding_id, at=m.utcnow())
    session.add(e)
    return e


def open_dispute(session: Session, finding_id: int, reason: str, text: str, by: str) -> m.Dispute:
    """Open a dispute on a failing or warning finding; one open dispute per finding at a time."""
    f = session.get(m.Finding, finding_id)
    if f is None:
        raise UserError(f"no finding {finding_id}")
    if reason not in REASONS:
        raise UserError(f"reason must be rectified (已整改) or misjudged (误判), not {reason!r}")
    if f.status not in DISPUTABLE:
        raise UserError(f"finding {finding_id} is {f.status}: only a fail or warn finding can be disputed")
    if not text.strip():
        raise UserError("say what was fixed or why the finding is wrong")
    if session.scalar(select(m.Dispute.id).where(m.Dispute.finding_id == finding_id, m.Dispute.status == "open")):
        raise UserError(f"finding {finding_id} already has an open dispute")
    d = m.Dispute(finding_id=f.id, site_id=f.site_id, check_id=f.check_id, reason=reason, text=text.strip(),
                  opened_by=by, opened_at=m.utcnow(), status="open")
    session.add(d)
    session.flush()
    _event(session, d, "opened", by, f"{REASONS[reason]}：{text.strip()}")
    session.flush()
    return d


def comment(session: Session, dispute_id: int, text: str, by: str) -> m.DisputeEvent:
    d = _get(session, dispute_id)
    if not text.strip():
        raise UserError("the comment is empty")
    e = _event(session, d, "comment", by, text.strip())
    session.flush()
    return e


def rerun_dispute(settings: Settings, dispute_id: int, by: str, stored: bool) -> m.DisputeEvent:
    """Rerun the disputed check on its site (the rerun use case, in its own transactions as
    `govaudit check` does), then record the rerun's finding on the dispute. The dispute must be open."""
    engine = get_engine(settings.database_url)
    with Session(engine) as session:
        d = _get(session, dispute_id)
        if d.status != "open":
            raise UserError(f"dispute {dispute_id} is decided already")
        site_id, check_id = d.site_id, d.check_id
    from govaudit.rounds import rerun_check
    _, new = rerun_check(settings, str(site_id), check_id, stored=stored)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        d = _get(session, dispute_id)
        d.rerun_finding_id = new["id"]
        how = "按已存证据复核" if stored else "实时复核"
        kept = "" if new["adopted"] else "（无法测量，未取代原结论）"
        outcome = status_zh(new["status"], (new.get("details") or {}).get("error_kind"))
        return _event(session, d, "rerun", by, f"{how}：结果 {outcome}{kept}", new["id"])


def decide(session: Session, dispute_id: int, outcome: str, note: str, by: str) -> m.Dispute:
    """The auditor's decision (upheld or rejected) with the reasons; an open dispute only."""
    d = _get(session, dispute_id)
    if outcome not in OUTCOMES:
        raise UserError(f"outcome must be upheld or rejected, not {outcome!r}")
    if d.status != "open":
        raise UserError(f"dispute {dispute_id} is decided already")
    if not note.strip():
        raise UserError("say why (the decision's reasons)")
    d.status, d.decided_by, d.decided_at, d.decision_note = outcome, by, m.utcnow(), note.strip()
    _event(session, d, "decided", by, f"{OUTCOMES[outcome]}：{note.strip()}")
    session.flush()
    return d


@dataclass
class SideBySide:
    dispute: m.Dispute
    disputed: m.Finding
    rerun: m.Finding | None
    events: list[m.DisputeEvent]


def side_by_side(session: Session, dispute_id: int) -> SideBySide:
    """The disputed finding, the latest rerun's finding and the thread, for the auditor's page."""
    d = _get(session, dispute_id)
    rerun = session.get(m.Finding, d.rerun_finding_id) if d.rerun_finding_id else None
    return SideBySide(d, session.get(m.Finding, d.finding_id), rerun, thread(session, d.id))


def thread(session: Session, dispute_id: int) -> list[m.DisputeEvent]:
    return list(session.scalars(select(m.DisputeEvent).where(m.DisputeEvent.dispute_id == dispute_id)
                                .order_by(m.DisputeEvent.id)))


def finding_disputes(session: Session, finding_id: int) -> list[tuple[m.Dispute, list[m.DisputeEvent]]]:
    """Every dispute on the finding's history (the findings of its site and check) with its
    thread, oldest first."""
    f = session.get(m.Finding, finding_id)
    if f is None:
        return []
    rows = session.scalars(select(m.Dispute).where(m.Dispute.site_id == f.site_id, m.Dispute.check_id == f.check_id)
                           .order_by(m.Dispute.id))
    return [(d, thread(session, d.id)) for d in rows]


def list_disputes(session: Session, status: str | None = None, unit_id: int | None = None) -> list[m.Dispute]:
    """Disputes, newest first; a unit's only (its sites') when `unit_id` is given."""
    q = select(m.Dispute)
    if status:
        if status not in STATUS_ZH:
            raise UserError(f"status must be open, upheld or rejected, not {status!r}")
        q = q.where(m.Dispute.status == status)
    if unit_id is not None:
        q = q.join(m.Site, m.Site.id == m.Dispute.site_id).where(m.Site.unit_id == unit_id)
    return list(session.scalars(q.order_by(m.Dispute.id.desc())))
