"""整改通知: for every unit (the government a site belongs to), the open problems of its sites in
a round (findings that fail or warn; an `error` is no conclusion about a site and is left out),
each with its evidence tables, screenshot, 整改建议 and the rule it comes from. Written as a
printable HTML page (notices/unit-N.html, same CSP and autoescape as the report; its screenshot
thumbnails open the picture in the report beside it) and as a Word document (notices/unit-N.docx,
python-docx, pictures 480 px wide), with notices/index.html listing them."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Inches, Pt
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from checks.zh import SITE_KIND_ZH, advice_for, reason_zh, status_zh, title_zh, unit_of, value_zh
from reports.changes import finding_changes
from reports.evidence import tables
from reports.html import csp_for, environment, finding_shots, report_css, report_version
from reports.labels import DEFAULT_TIMEZONE, local_time
from reports.regions import region_name
from reports.report_data import SiteFindings, run_info, site_findings
from reports.shots import Screenshots
from reports.store import require_run, run_findings
from storage.models import Dispute

PROBLEM = ("fail", "warn")
ORDER = {"fail": 0, "warn": 1}


def _problems(sf: SiteFindings, judged_wrong: set[int]) -> list:
    return sorted((f for f in sf.findings if f.status in PROBLEM and f.id not in judged_wrong),
                  key=lambda f: (ORDER[f.status], f.check_id))


def judged_wrong(session: Session, finding_ids: list[int]) -> set[int]:
    """Of these findings, those an auditor judged wrong (an upheld 误判 dispute): no problem to fix."""
    if not finding_ids:
        return set()
    return set(session.scalars(select(Dispute.finding_id).where(
        Dispute.finding_id.in_(finding_ids), Dispute.status == "upheld", Dispute.reason == "misjudged")))


def _site_shots(shots: Screenshots, items: list) -> dict[int, list]:
    """Each finding's screenshots, each picture shown once per site (at its first problem)."""
    seen: set[str] = set()
    out = {}
    for f in items:
        out[f.id] = [s for s in finding_shots(shots, f) if s.key not in seen]
        seen.update(s.key for s in out[f.id])
    return out


@dataclass
class Notice:
    unit: Any
    sites: list          # (site, its problems)
    total: int
    shot_lists: dict[int, list]


@dataclass
class Notices:
    run: Any
    changes: dict
    units: list[Notice]


def build_notices(session: Session, run_id: int | None, data_dir: str | Path, unit_id: int | None = None) -> Notices:
    """The round's notices: every unit's (or only `unit_id`'s) sites with their open problems."""
    run_id = require_run(session, run_id)
    sites = site_findings(session, run_id)
    if unit_id is not None:
        sites = [sf for sf in sites if sf.unit.id == unit_id]
    wrong = judged_wrong(session, [f.id for sf in sites for f in sf.findings if f.status in PROBLEM])
    shots = Screenshots(data_dir)
    units: dict[int, list[SiteFindings]] = {}
    for sf in sites:
        units.setdefault(sf.unit.id, []).append(sf)
    notices = []
    for members in units.values():
        per_site = [(sf.site, _problems(sf, wrong)) for sf in members]
        shot_lists: dict[int, list] = {}
        for _, items in per_site:
            shot_lists.update(_site_shots(shots, items))
        notices.append(Notice(members[0].unit, per_site, sum(len(items) for _, items in per_site), shot_lists))
    return Notices(run_info(session, run_id), finding_changes(session, run_id, run_findings(session, run_id)),
                   notices)


def notice_html(notices: Notices, notice: Notice, tz: str = DEFAULT_TIMEZONE, home: str = "../index.html",
                site_href: str = "../site-{id}.html") -> str:
    """The printable page of one unit's notice; `site_href` is where a screenshot opens in full."""
    css = report_css()
    return environment(tz).get_template("notice.html.jinja").render(
        **_base(notices.run, css, tz, home), unit=notice.unit, sites=notice.sites, total=notice.total,
        changes=notices.changes, shot_lists=notice.shot_lists, site_href=site_href)


def _base(run, css: str, tz: str, home: str) -> dict:
    return {"run": run, "css": Markup(css), "csp": csp_for(css), "home": home, "partial": False,
            "generated": local_time(datetime.now(timezone.utc), tz), "version": report_version()}


def notice_docx(notices: Notices, notice: Notice, target, tz: str = DEFAULT_TIMEZONE) -> None:
    """One unit's notice as a Word document, saved to `target` (a path or a binary file)."""
    _write_docx(target, notices.run, notice.unit, notice.sites, notice.total, notices.changes, notice.shot_lists, tz)


def write_notices(session: Session, run_id: int | None, out: str | Path, data_dir: str | Path,
                  tz: str = DEFAULT_TIMEZONE) -> list[Path]:
    """Write notices/unit-N.html and .docx for every unit of the run, and notices/index.html."""
    folder = Path(out) / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    notices = build_notices(session, run_id, data_dir)
    written, listing = [], []
    for notice in notices.units:
        uid = notice.unit.id
        html_path = folder / f"unit-{uid}.html"
        html_path.write_text(notice_html(notices, notice, tz), encoding="utf-8")
        docx_path = folder / f"unit-{uid}.docx"
        notice_docx(notices, notice, docx_path, tz)
        written += [html_path, docx_path]
        listing.append((uid, notice.unit.name, notice.total))
    rows = "".join(Markup('<tr><td><a href="unit-{0}.html">{1}</a></td><td class="num">{2}</td>'
                          '<td><a href="unit-{0}.docx">Word 文档</a></td></tr>').format(uid, name, total)
                   for uid, name, total in listing)
    index = environment(tz).from_string(
        '{% extends "base.html.jinja" %}{% block title %}整改通知 · 第 {{ run.id }} 轮'
        '{% endblock %}{% block main %}<h1>整改通知 · 第 {{ run.id }} 轮</h1>'
        '<table><tr><th>单位</th><th>问题数</th><th>下载</th></tr>{{ rows }}</table>'
        '{% endblock %}').render(**_base(notices.run, report_css(), tz, "../index.html"), rows=rows)
    (folder / "index.html").write_text(index, encoding="utf-8")
    return [folder / "index.html"] + written


def _font(doc) -> None:
    """Chinese text in Word needs its East Asian font named apart from the Latin one."""
    for name in ("Normal", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = "SimSun"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(10.5)


def _write_docx(path, run, unit, per_site, total: int, changes, shot_lists, tz: str) -> None:
    doc = Document()
    _font(doc)
    doc.add_heading("整改通知", level=1)
    region = region_name(unit.region)
    doc.add_paragraph(f"{unit.name}{f'（{region}）' if region else ''}：")
    doc.add_paragraph(f"在第 {run.id} 轮政府网站检查（{local_time(run.started_at, tz)} 开始）中，贵单位的 "
                      f"{len(per_site)} 个网站共有 {total} 项问题需要整改。每项问题列出检查所见的证据、整改建议及其依据。"
                      "无法测量的检查项不属于问题结论，未列入本通知。")
    for site, items in per_site:
        doc.add_heading(f"{site.name}（{SITE_KIND_ZH.get(site.kind, site.kind)}）", level=2)
        doc.add_paragraph(site.url)
        if not items:
            doc.add_paragraph("本轮检查未发现需要整改的问题。")
        for n, f in enumerate(items, start=1):
            change = changes.get((site.id, f.check_id))
            doc.add_heading(f"{n}. {title_zh(f.check_id)}：{status_zh(f.status)}" + (f"（{change}）" if change else ""),
                            level=3)
            d = f.details or {}
            reason = f"（{reason_zh(d['reason'])}）" if d.get("reason") else ""
            doc.add_paragraph(f"检查结果：{value_zh(f.value, unit_of(f.check_id, f.unit_of_value))}{reason}")
            for t in tables(f.check_id, f.details, f.evidence):
                doc.add_paragraph(t.caption)
                table = doc.add_table(rows=1, cols=len(t.headings))
                table.style = "Table Grid"
                table.alignment = WD_TABLE_ALIGNMENT.CENTER
                for cell, h in zip(table.rows[0].cells, t.headings):
                    cell.text = h
                for r in t.rows:
                    for cell, v in zip(table.add_row().cells, r):
                        cell.text = v
                if t.more:
                    doc.add_paragraph(f"…… 另有 {t.more} 行（见检查报告的 Excel 工作簿）")
            for shot in shot_lists.get(f.id, []):
                doc.add_picture(io.BytesIO(shot.jpeg()), width=Inches(5.5))
            adv = advice_for(f.check_id)
            if adv:
                p = doc.add_paragraph()
                p.add_run("整改建议：").bold = True
                p.add_run(adv.remedy)
                doc.add_paragraph(f"依据：{adv.basis}")
    doc.core_properties.title = f"整改通知 · {unit.name} · 第 {run.id} 轮"
    doc.save(path)
