"""Changes between rounds. A finding is a problem when it fails or warns. Against the newest
earlier *full* round that checked the same site and check (the baseline):
新增 a problem now that was never a problem in an earlier full round, 复发 a problem now that
was one in an earlier full round but not in the baseline, 已整改 a problem in the baseline that
now passes (or is not applicable), 未变 a problem in both. No baseline, or an `error` now or
in the baseline, gives no change: what was not measured is not compared.

A round run with an `only` selection (some checks) is partial: it is never a baseline, and it
is no point of a trend (score per full round)."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports.store import is_partial, run_findings
from storage.models import Finding, Run, Score

PROBLEM = ("fail", "warn")
CHANGES = ("新增", "复发", "已整改", "未变")


def full_rounds(session: Session, before: int | None = None) -> list[int]:
    """Ids of full rounds (kind round, no `only`), oldest first; those before `before` when given."""
    q = select(Run).where(Run.kind == "round").order_by(Run.id)
    if before is not None:
        q = q.where(Run.id < before)
    return [r.id for r in session.scalars(q) if not is_partial(r)]


def change(now: str, baseline: str | None, ever_problem: bool) -> str | None:
    if baseline is None or now == "error" or baseline == "error":
        return None
    if now in PROBLEM:
        if baseline in PROBLEM:
            return "未变"
        return "复发" if ever_problem else "新增"
    if baseline in PROBLEM:
        return "已整改"
    return None


def finding_changes(session: Session, run_id: int, current: dict[int, dict[str, Finding]]
                    ) -> dict[tuple[int, str], str]:
    """(site id, check id) -> 新增 / 复发 / 已整改 / 未变 for the findings of `current`
    (reports.store.run_findings of `run_id`)."""
    earlier = full_rounds(session, before=run_id)
    if not earlier or not current:
        return {}
    site_ids = list(current)
    # newest earlier full round per site, with reruns that superseded its findings
    baseline: dict[int, dict[str, str]] = {}
    for rid in reversed(earlier):
        missing = [s for s in site_ids if s not in baseline]
        if not missing:
            break
        found = run_findings(session, rid)
        for sid in missing:
            if sid in found:
                baseline[sid] = {cid: f.status for cid, f in found[sid].items()}
    # where a check was ever a problem in an earlier full round
    ever: set[tuple[int, str]] = set()
    for chunk in range(0, len(site_ids), 500):
        ids = site_ids[chunk:chunk + 500]
        ever.update(session.execute(
            select(Finding.site_id, Finding.check_id).where(
                Finding.run_id.in_(earlier), Finding.site_id.in_(ids), Finding.status.in_(PROBLEM)).distinct()).all())
    out = {}
    for sid, checks in current.items():
        base = baseline.get(sid)
        if base is None:
            continue
        for cid, f in checks.items():
            label = change(f.status, base.get(cid), (sid, cid) in ever)
            if label:
                out[(sid, cid)] = label
    return out


def count_changes(changes: dict[tuple[int, str], str]) -> dict[int, dict[str, int]]:
    per_site: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CHANGES, 0))
    for (sid, _), label in changes.items():
        per_site[sid][label] += 1
    return dict(per_site)


def trends(session: Session, framework: str, upto: int) -> dict[str, list[tuple[int, float | None]]]:
    """Subject key (site-N / unit-N) -> [(run id, total)] over the full rounds up to `upto`."""
    runs = full_rounds(session)
    runs = [r for r in runs if r <= upto]
    if not runs:
        return {}
    out: dict[str, list[tuple[int, float | None]]] = defaultdict(list)
    for s in session.scalars(select(Score).where(Score.framework == framework, Score.indicator == "total",
                                                 Score.run_id.in_(runs)).order_by(Score.run_id)):
        key = f"site-{s.site_id}" if s.site_id is not None else f"unit-{s.unit_id}"
        out[key].append((s.run_id, s.score))
    return dict(out)
