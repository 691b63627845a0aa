"""The HTML report: index.html (per framework: tier distribution per group,
ranking tables, change against the previous run) and one page per site and per
unit (veto reasons first, score breakdown per aspect, every finding with its
evidence). Self-contained and offline: CSS inline (allowed by its hash in the
Content-Security-Policy), charts as inline SVG, screenshots embedded as data
URIs; no script at all. All crawled text goes through Jinja autoescape, and
only http(s) URLs ever become links."""
from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from govaudit.errors import UserError
from reports import charts
from reports.report_data import (FrameworkSection, SiteFindings, SubjectRow, framework_sections,
                                 run_info, site_findings)
from reports.store import require_run

TEMPLATES = Path(__file__).parent / "templates"
MAX_EMBED = 3 * 1024 * 1024
STATUS_ZH = {"pass": "通过", "fail": "不通过", "warn": "警告", "not_applicable": "不适用", "error": "无法测量"}
STATE_ZH = {"ok": "已测", "missing": "缺失", "not_applicable": "不适用"}
KIND_ZH = {"portal": "政府门户网站", "open_data": "公共数据开放平台", "hotline": "12345/政民互动"}


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


def _check_title(check_id: str) -> str:
    from checks.base import REGISTRY
    c = REGISTRY.get(check_id)
    return c.title_zh if c else ""


class _Shots:
    def __init__(self, data_dir: Path | None):
        self.root = data_dir.resolve() if data_dir else None

    def __call__(self, ref: str) -> str | None:
        """A data: URI for a screenshot under the data directory (never outside it)."""
        if self.root is None or not ref:
            return None
        path = (self.root / ref).resolve()
        if not path.is_relative_to(self.root) or not path.is_file() or path.stat().st_size > MAX_EMBED:
            return None
        mime = mimetypes.guess_type(path.name)[0] or ""
        if mime not in ("image/png", "image/jpeg", "image/webp", "image/gif"):
            return None
        return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["jinja", "html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(fmt=fmt, link=link, check_title=_check_title,
                       status_zh=lambda s: STATUS_ZH.get(s, s), state_zh=lambda s: STATE_ZH.get(s, s),
                       kind_zh=lambda k: KIND_ZH.get(k, k),
                       details_json=lambda f: json.dumps(f.details, ensure_ascii=False, indent=1,
                                                         default=str)[:20000])
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
                     STATE_ZH.get(s.details.get("state"), "")))
    return charts.score_bars(bars, f"{section.title}：各方面得分")


def write_report(session: Session, run_id: int | None, out: str | Path, data_dir: str | Path | None = None) -> Path:
    """Write index.html, site-N.html, unit-N.html and report.xlsx into `out`; returns index.html."""
    from reports.xlsx import write_workbook
    run_id = require_run(session, run_id)
    if data_dir is None:
        from govaudit.config import load
        data_dir = load().data_dir
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"{out}: cannot create: {exc.strerror or exc}") from None
    run = run_info(session, run_id)
    sections = framework_sections(session, run_id)
    sites = site_findings(session, run_id)
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    env = _environment()
    base = {"run": run, "css": Markup(css), "csp": csp_for(css), "shot": _Shots(Path(data_dir)),
            "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"), "version": _version()}
    units = {sf.unit.id: sf.unit for sf in sites}
    index_charts = {s.name: charts.stacked_bars(s.tier_counts(), s.tiers + ["无等级"], f"{s.title}：各组等级分布")
                    for s in sections}
    from storage.export import walled_sites
    html = env.get_template("index.html.jinja").render(
        **base, sections=sections, sites=sites, units=units, charts=index_charts,
        rank_label=_rank_label, walls=walled_sites(session, run_id))
    _write(out / "index.html", html)
    by_name = {s.name: s for s in sections}
    rows_by_key: dict[str, list[SubjectRow]] = {}
    for s in sections:
        for r in s.rows:
            rows_by_key.setdefault(r.key, []).append(r)
    subject = env.get_template("subject.html.jinja")
    for sf in sites:
        key = f"site-{sf.site.id}"
        rows = rows_by_key.get(key, [])
        _write(out / f"{key}.html", subject.render(
            **base, page_key=key, title=sf.site.name, subtitle=f"{sf.site.url} · {KIND_ZH.get(sf.site.kind, sf.site.kind)}",
            rows=rows, sections=by_name, charts={f"{r.framework}/{r.key}": _aspect_chart(by_name[r.framework], r) for r in rows},
            site_findings=[sf], links=[(f"unit-{sf.unit.id}.html", f"所属单位：{sf.unit.name}")]))
    for uid, unit in units.items():
        key = f"unit-{uid}"
        rows = rows_by_key.get(key, [])
        members: list[SiteFindings] = [sf for sf in sites if sf.unit.id == uid]
        # the unit's sites' own vetoes come first too
        site_rows = [r for sf in members for r in rows_by_key.get(f"site-{sf.site.id}", [])]
        _write(out / f"{key}.html", subject.render(
            **base, page_key=key, title=unit.name, subtitle=f"单位 · {len(members)} 个网站",
            rows=rows + [r for r in site_rows if r.vetoes and any(v["state"] in ("veto", "pending_review")
                                                                  for v in r.vetoes)],
            sections=by_name,
            charts={f"{r.framework}/{r.key}": _aspect_chart(by_name[r.framework], r)
                    for r in rows + site_rows},
            site_findings=[], links=[(f"site-{sf.site.id}.html", f"{sf.site.name}（{KIND_ZH.get(sf.site.kind)}）")
                                     for sf in members]))
    write_workbook(out / "report.xlsx", run, sections, sites)
    return out / "index.html"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("govaudit")
    except Exception:
        return "dev"
