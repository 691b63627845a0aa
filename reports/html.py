"""The HTML report: index.html (per framework: tier distribution per group,
ranking tables, change against the previous run) and one page per site and per
unit (veto reasons first, score breakdown per aspect, every finding with its
evidence inline as tables, the 整改建议 of each problem, the change since the last full
round). Everything a reader sees is Chinese (checks/zh.py, reports/labels.py); ids and the raw
details of an error stay as stored. Self-contained and offline: CSS inline (allowed by its hash
in the Content-Security-Policy), charts as inline SVG, screenshots embedded as data URIs once
per page (reports/shots.py); no script at all. All crawled text goes through Jinja autoescape,
and only http(s) URLs ever become links."""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from core.errors import UserError
from checks.zh import (ERROR_KIND_ZH, RUN_STATUS_ZH, SITE_KIND_ZH, advice_for, reason_zh, status_zh, title_zh,
                       unit_of, value_zh)
from reports import archive, charts
from reports.changes import count_changes, finding_changes, trends
from reports.evidence import tables
from reports.labels import (DEFAULT_TIMEZONE, STATE_ZH, VETO_ZH, local_time, score_reason_zh,
                            zone_label)
from reports.regions import province, region_name
from reports.report_data import (FrameworkSection, SiteFindings, SubjectRow, framework_sections,
                                 run_info, site_findings)
from reports.shots import Screenshots
from reports.store import is_partial, require_run, run_findings
from storage.export import walled_sites

TEMPLATES = Path(__file__).parent / "templates"
RAW_DETAILS_CHARS = 1500     # the page shows the raw details' start; the exports hold them whole


def csp_for(css: str) -> str:
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    return ("default-src 'none'; img-src data:; style-src 'sha256-" + digest + "'; script-src 'none'; "
            "base-uri 'none'; form-action 'none'")


def fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e6 else f"{v:.0f}"
    return str(v)


def link(url: Any) -> Markup:
    """A link only for http(s) URLs; anything else (javascript:, data:…) is shown as text."""
    text = str(url or "")
    if urlsplit(text).scheme.lower() in ("http", "https"):
        return Markup('<a href="{0}" rel="noreferrer nofollow">{0}</a>').format(text)
    return Markup("<span>{0}</span>").format(text)


def cell(value: Any, archived: dict[str, str] | None = None) -> Markup:
    """A table cell: each line that is an http(s) URL becomes a link (with a link to its archived
    copy when there is one); other text stays text."""
    lines = []
    for line in str(value or "").split("\n"):
        if urlsplit(line).scheme.lower() in ("http", "https"):
            item = link(line)
            if archived and line in archived:
                item += Markup(' <a class="archived" href="{0}">存档</a>').format(archived[line])
            lines.append(item)
        else:
            lines.append(escape(line))
    return Markup("<br>").join(lines)


PLACE_HEADINGS = ("所在页面", "页面", "地址")    # columns naming the page where a problem sits


def evidence_urls(findings: list) -> list[str]:
    """The pages where a site's problems (fail, warn) sit, as their evidence tables name them
    (a dead link's target is not one: its own answer is in the table)."""
    urls = []
    for f in findings:
        if f.status in ("fail", "warn"):
            for t in tables(f.check_id, f.details, f.evidence):
                cols = [i for i, h in enumerate(t.headings) if h in PLACE_HEADINGS]
                urls += [line for row in t.rows for i in cols for line in row[i].split("\n")
                         if urlsplit(line).scheme.lower() in ("http", "https")]
    return urls


def finding_shots(shots: Screenshots, f: Any) -> list:
    """The finding's screenshots that could be read, each once."""
    out, seen = [], set()
    for e in f.evidence or []:
        if e.get("kind") == "screenshot":
            shot = shots(e.get("ref"))
            if shot and shot.key not in seen:
                seen.add(shot.key)
                out.append(shot)
    return out


def environment(tz: str = DEFAULT_TIMEZONE) -> Environment:
    """The Jinja environment of the report and the notices (autoescape on)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["jinja", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(fmt=fmt, link=link, cell=cell, check_title=title_zh, tables=tables,
                       status_label=lambda f: status_zh(f.status, (f.details or {}).get("error_kind")),
                       status_zh=status_zh,
                       value_label=lambda f: value_zh(f.value, unit_of(f.check_id, f.unit_of_value)),
                       reason_zh=reason_zh, error_kind_zh=lambda k: ERROR_KIND_ZH.get(k, k),
                       state_zh=lambda s: STATE_ZH.get(s, s), veto_zh=lambda s: VETO_ZH.get(s, s),
                       score_reason_zh=score_reason_zh, kind_zh=lambda k: SITE_KIND_ZH.get(k, k),
                       advice=advice_for, region=lambda c: region_name(c) or c or "",
                       province=lambda p: province(p) or p, local_time=lambda dt: local_time(dt, tz),
                       zone=zone_label(tz), run_status_zh=lambda s: RUN_STATUS_ZH.get(s, s),
                       details_json=lambda f: json.dumps(f.details, ensure_ascii=False, indent=1,
                                                         default=str)[:RAW_DETAILS_CHARS])
    return env


def _rank_label(section: FrameworkSection, row: SubjectRow) -> str:
    if row.rank is None:
        return "—"
    same = sum(1 for r in section.rows if r.group == row.group and r.rank == row.rank)
    return f"{row.rank}（并列）" if same > 1 else str(row.rank)


def _aspect_chart(section: FrameworkSection, row: SubjectRow) -> Markup:
    bars = []
    tops = [s for s in row.indicators if s.details.get("kind") in ("aspect", "beside", "deduction", "bonus")]
    for s in tops:
        bars.append((s.details.get("title") or s.indicator, s.score, s.max or 0.0,
                     score_reason_zh(s.details.get("reason")) or STATE_ZH.get(s.details.get("state"), ""),
                     "deduction" if s.details.get("kind") == "deduction" else "points"))
    return charts.score_bars(bars, f"{section.title}：各方面得分与扣分")


def report_css() -> str:
    """The stylesheet every page carries inline, on one line (it is repeated in every page)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8").replace("\n", "")


def write_report(session: Session, run_id: int | None, out: str | Path, data_dir: str | Path | None = None,
                 tz: str = DEFAULT_TIMEZONE, notices: bool = False) -> Path:
    """Write index.html, site-N.html, unit-N.html and report.xlsx into `out` (with `notices`, the
    整改通知 of every unit in notices/); returns index.html. Times are shown in the zone `tz`."""
    from reports.xlsx import write_workbook
    run_id = require_run(session, run_id)
    if data_dir is None:
        from core.config import load
        data_dir = load().data_dir
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create: {exc.strerror or exc}") from None
    run = run_info(session, run_id)
    sections = framework_sections(session, run_id)
    sites = site_findings(session, run_id)
    changes = finding_changes(session, run_id, run_findings(session, run_id))
    change_counts = count_changes(changes)
    css = report_css()
    env = environment(tz)
    shots = Screenshots(data_dir)
    base = {"run": run, "css": Markup(css), "csp": csp_for(css), "partial": is_partial(run),
            "generated": local_time(datetime.now(timezone.utc), tz), "version": report_version()}
    archive_base = {**base, "css": archive.CSS, "csp": csp_for(archive.CSS)}
    units = {sf.unit.id: sf.unit for sf in sites}
    index_charts = {s.name: charts.stacked_bars(s.tier_counts(), s.tiers + ["无等级"], f"{s.title}：各组等级分布")
                    for s in sections}
    walls = walled_sites(session, run_id)
    totals = {label: sum(c[label] for c in change_counts.values()) for label in ("新增", "复发", "已整改", "未变")}
    html = env.get_template("index.html.jinja").render(
        **base, sections=sections, sites=sites, units=units, charts=index_charts,
        rank_label=_rank_label, change_counts=change_counts, change_totals=totals, notices=notices,
        walls=walls)
    _write(out / "index.html", html)
    by_name = {s.name: s for s in sections}
    trend = {s.name: trends(session, s.name, run_id) for s in sections}
    rows_by_key: dict[str, list[SubjectRow]] = {}
    for s in sections:
        for r in s.rows:
            rows_by_key.setdefault(r.key, []).append(r)
    subject = env.get_template("subject.html.jinja")
    for sf in sites:
        key = f"site-{sf.site.id}"
        rows = rows_by_key.get(key, [])
        shot_lists = {f.id: finding_shots(shots, f) for f in sf.findings}
        archived = archive.write_copies(session, env, archive_base, out, run_id, sf.site.id, evidence_urls(sf.findings),
                                Path(data_dir), lambda dt: local_time(dt, tz))
        gallery = list({shot.key: shot for lst in shot_lists.values() for shot in lst}.values())
        _write(out / f"{key}.html", subject.render(
            **base, page_key=key, title=sf.site.name,
            subtitle=f"{sf.site.url} · {SITE_KIND_ZH.get(sf.site.kind, sf.site.kind)}",
            rows=rows, sections=by_name, trend=trend,
            charts={f"{r.framework}/{r.key}": _aspect_chart(by_name[r.framework], r) for r in rows},
            site_findings=[sf], shot_lists=shot_lists, gallery=gallery, archived=archived,
            changes={cid: label for (sid, cid), label in changes.items() if sid == sf.site.id},
            links=[(f"unit-{sf.unit.id}.html", f"所属单位：{sf.unit.name}")]))
    for uid, unit in units.items():
        key = f"unit-{uid}"
        rows = rows_by_key.get(key, [])
        members: list[SiteFindings] = [sf for sf in sites if sf.unit.id == uid]
        # the unit's sites' own vetoes come first too
        site_rows = [r for sf in members for r in rows_by_key.get(f"site-{sf.site.id}", [])]
        _write(out / f"{key}.html", subject.render(
            **base, page_key=key, title=unit.name, subtitle=f"单位 · {len(members)} 个网站",
            rows=rows, veto_rows=rows + site_rows, sections=by_name, trend=trend,
            charts={f"{r.framework}/{r.key}": _aspect_chart(by_name[r.framework], r) for r in rows},
            site_findings=[], shot_lists={}, gallery=[], changes={}, archived={},
            links=[(f"site-{sf.site.id}.html", f"{sf.site.name}（{SITE_KIND_ZH.get(sf.site.kind)}）")
                   for sf in members]))
    write_workbook(out / "report.xlsx", run, sections, sites, changes, tz, walls)
    if notices:
        from reports.notices import write_notices
        write_notices(session, run_id, out, data_dir, tz)
    return out / "index.html"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def report_version() -> str:
    try:
        from importlib.metadata import version
        return version("govaudit")
    except Exception:
        return "dev"
