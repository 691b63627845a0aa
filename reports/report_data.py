"""What the HTML and XLSX reports show, read from the database: a run's scores
per framework (with the previous run of the same subjects for comparison) and
every site's findings with their evidence."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reports import ranking
from reports.store import run_findings, run_site_ids
from storage.models import Run, Score, Site, Unit

NO_TIER = "无等级"


@dataclass
class SubjectRow:
    framework: str
    key: str                  # site-12 / unit-3 (also the page file stem)
    name: str
    group: str
    region: str | None
    total: float | None
    max: float | None
    tier: str | None
    rank: int | None
    incomplete: bool
    details: dict[str, Any]
    indicators: list[Score] = field(default_factory=list)
    bonus: float | None = None
    prev_total: float | None = None
    prev_tier: str | None = None

    @property
    def delta(self) -> float | None:
        if self.total is None or self.prev_total is None:
            return None
        return self.total - self.prev_total

    @property
    def missing_titles(self) -> list[str]:
        """The missing indicators by title (ids where no title is known)."""
        titles = {s.indicator: s.details.get("title") for s in self.indicators}
        titles.update({f"veto.{v['id']}": f"否决项：{v['title']}" for v in self.details.get("vetoes", [])})
        return [titles.get(i) or i for i in self.details.get("missing", [])]

    @property
    def vetoes(self) -> list[dict[str, Any]]:
        order = {"veto": 0, "pending_review": 1, "missing": 2, "rejected": 3, "clear": 4}
        return sorted(self.details.get("vetoes", []), key=lambda v: order.get(v["state"], 9))


@dataclass
class FrameworkSection:
    name: str
    version: str
    title: str
    scope: str
    ranking: str
    tiers: list[str]
    rows: list[SubjectRow]
    prev_runs: list[int] = field(default_factory=list)    # the earlier runs the comparison reads
    classification: dict[str, Any] | None = None
    spread: dict[str, Any] | None = None
    spread_by_province: dict[str, Any] = field(default_factory=dict)

    def tier_counts(self) -> list[tuple[str, dict[str, int]]]:
        groups: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in self.rows:
            groups[r.group][r.tier or NO_TIER] += 1
        return [(g, dict(c)) for g, c in sorted(groups.items())]

    def ordered(self) -> list[SubjectRow]:
        if self.ranking == "none":      # by region code, 排名不分先后
            return sorted(self.rows, key=lambda r: (self.tiers.index(r.tier) if r.tier in self.tiers
                                                    else len(self.tiers), r.region or "999999", r.name))
        return sorted(self.rows, key=lambda r: (r.group, r.rank is None, r.rank or 0, -(r.total or 0), r.name))


def _key(s: Score) -> str:
    return f"site-{s.site_id}" if s.site_id is not None else f"unit-{s.unit_id}"


def _load_scores(session: Session, run_id: int, framework: str) -> dict[str, list[Score]]:
    out: dict[str, list[Score]] = defaultdict(list)
    for s in session.scalars(select(Score).where(Score.run_id == run_id, Score.framework == framework)
                             .order_by(Score.id)):
        out[_key(s)].append(s)
    return out


def _previous_totals(session: Session, run_id: int, framework: str) -> dict[str, Score]:
    """Each subject's total in the newest earlier full round that scored it with this framework
    (a round over other sites in between does not hide the comparison; a partial round is no baseline)."""
    from reports.changes import full_rounds
    newest = (select(Score.site_id, Score.unit_id, func.max(Score.run_id).label("run_id"))
              .where(Score.framework == framework, Score.indicator == "total",
                     Score.run_id.in_(full_rounds(session, before=run_id)))
              .group_by(Score.site_id, Score.unit_id).subquery())
    rows = session.scalars(select(Score).join(newest, (Score.run_id == newest.c.run_id)
                                              & (Score.site_id.is_not_distinct_from(newest.c.site_id))
                                              & (Score.unit_id.is_not_distinct_from(newest.c.unit_id)))
                           .where(Score.framework == framework, Score.indicator == "total"))
    return {_key(s): s for s in rows}


def framework_sections(session: Session, run_id: int) -> list[FrameworkSection]:
    from reports import frameworks as fwmod
    try:
        defs = fwmod.load_all()
    except fwmod.FrameworkError:
        defs = {}
    names = sorted(set(session.scalars(select(Score.framework).where(Score.run_id == run_id).distinct())))
    sections = []
    for name in names:
        by_subject = _load_scores(session, run_id, name)
        prev = _previous_totals(session, run_id, name)
        prev_runs = sorted({p.run_id for p in prev.values()})
        first = next(iter(by_subject.values()))[0]
        fw = defs.get(name)
        tiers = [t for t, _ in fw.tiers] if fw else []
        if fw and fw.classification:
            tiers = list(fw.classification["classes"])
        if fw and fw.method == "inspection":
            tiers = [fw.labels["pass"], fw.labels["pending"], fw.labels["fail"]]
        rows = []
        for key, scores in by_subject.items():
            total = next(s for s in scores if s.indicator == "total")
            bonus = next((s.score for s in scores if s.indicator == "bonus"), None)
            p = prev.get(key)
            rows.append(SubjectRow(name, key, total.details.get("subject", key), total.group or "",
                                   total.details.get("region"), total.score, total.max, total.tier, total.rank,
                                   total.incomplete, total.details,
                                   [s for s in scores if s.indicator not in ("total", "bonus")], bonus,
                                   p.score if p else None, p.tier if p else None))
        for r in rows:
            if r.tier and r.tier not in tiers:
                tiers.append(r.tier)
        section = FrameworkSection(name, first.framework_version, fw.title if fw else name, "site" if
                                   first.site_id is not None else "unit", fw.ranking if fw else "competition",
                                   tiers, rows, prev_runs)
        if fw and fw.classification:
            section.classification = {
                "breakpoints": [r.name for r in rows if r.details.get("breakpoint")],
                "classes": fw.classification["classes"]}
        measured = [r for r in rows if r.total is not None]
        section.spread = ranking.spread([r.total for r in measured])
        if section.scope == "unit":
            section.spread_by_province = ranking.spread_by(((r.region or "")[:2] or None, r.total)
                                                           for r in measured)
        sections.append(section)
    return sections


@dataclass
class SiteFindings:
    site: Site
    unit: Unit
    findings: list[Any]


def site_findings(session: Session, run_id: int) -> list[SiteFindings]:
    ids = run_site_ids(session, run_id)
    found = run_findings(session, run_id)
    out = []
    for sid in ids:
        site = session.get(Site, sid)
        unit = session.get(Unit, site.unit_id)
        order = {"fail": 0, "error": 1, "warn": 2, "pass": 3, "not_applicable": 4}
        fs = sorted(found.get(sid, {}).values(), key=lambda f: (order.get(f.status, 9), f.check_id))
        out.append(SiteFindings(site, unit, fs))
    return out


def run_info(session: Session, run_id: int) -> Run:
    return session.get(Run, run_id)
