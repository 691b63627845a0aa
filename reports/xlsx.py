"""The same tables as the HTML report, as an Excel workbook for evaluators: one sheet of totals
per framework, one of every indicator, one of findings (with the change since the last full
round and the 整改建议), and when walls answered instead of sites one of the walled sites with
the wall's evidence (被拦截站点, the report's 被拦截的网站 section). Every sheet has Chinese headers (each used once), a frozen header row
and an autofilter; URLs are hyperlinks; statuses are coloured by conditional formatting. Only
the last column of the findings sheet (详情原始数据) holds JSON."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from checks.zh import UNIT_ZH, advice_for, reason_zh, status_zh, title_zh, unit_of
from reports.evidence import tables
from reports.labels import DEFAULT_TIMEZONE, STATE_ZH, VETO_ZH, local_time, score_reason_zh
from reports.regions import region_name
from reports.report_data import FrameworkSection, SiteFindings

HEAD_FILL = PatternFill("solid", fgColor="F6F8FA")
# Cells starting with these are formulas to Excel: crawled text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
STATUS_FILLS = {"不通过": "FFD7D5", "警告": "FFF8C5", "通过": "DAFBE1", "不适用": "EAEEF2"}
RAW_CHARS = 500            # the raw details column is cut here (the findings export holds them whole)
INVALID_SHEET_CHARS = str.maketrans({c: "" for c in "[]:*?/\\"})
WALLS_SHEET = "被拦截站点"


def _cell(v):
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list], link_columns: tuple[str, ...] = (),
           status_column: str | None = None, percent_rows: set[int] | None = None, percent_column: str = ""):
    if len(set(header)) != len(header):
        raise ValueError(f"sheet {title}: a column header is used twice")
    ws = wb.create_sheet(title.translate(INVALID_SHEET_CHARS)[:31])
    ws.append(header)
    for c in ws[1]:
        c.font, c.fill = Font(bold=True), HEAD_FILL
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    last = get_column_letter(len(header))
    ws.auto_filter.ref = f"A1:{last}{max(2, len(rows) + 1)}"
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows[:200] if r[i - 1] is not None])
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width * 1.6))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=isinstance(c.value, str) and len(c.value) > 60)
    for name in link_columns:
        col = header.index(name) + 1
        for r in range(2, len(rows) + 2):
            c = ws.cell(r, col)
            if isinstance(c.value, str) and c.value.startswith(("http://", "https://")):
                c.hyperlink, c.style = c.value, "Hyperlink"
    if status_column and rows:
        letter = get_column_letter(header.index(status_column) + 1)
        area = f"{letter}2:{letter}{len(rows) + 1}"
        for word, colour in STATUS_FILLS.items():
            ws.conditional_formatting.add(area, CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                           fill=PatternFill("solid", bgColor=colour)))
        ws.conditional_formatting.add(area, CellIsRule(operator="beginsWith", formula=['"无法测量"'],
                                                       fill=PatternFill("solid", bgColor="E7DDFF")))
    if percent_rows:
        col = header.index(percent_column) + 1
        for r in percent_rows:
            ws.cell(r + 2, col).number_format = "0.0%"
    return ws


def _r(v):
    return None if v is None else round(v, 4)


def _sheet_names(sections: list[FrameworkSection]) -> dict[str, str]:
    """Each framework's Chinese title as its sheet name (unique, at most 31 characters)."""
    names, used = {}, {"指标明细", "检查发现", WALLS_SHEET}
    for s in sections:
        base = s.title.translate(INVALID_SHEET_CHARS)[:31]
        name, n = base, 2
        while name in used:
            name = f"{base[:28]}（{n}）"
            n += 1
        used.add(name)
        names[s.name] = name
    return names


def _evidence_summary(f) -> str:
    rows = [r for t in tables(f.check_id, f.details, f.evidence) for r in t.rows]
    return "；".join(" | ".join(v.replace("\n", " ") for v in r if v) for r in rows[:3])[:1000]


def _wall_rows(walls: list[dict], tz: str) -> list[list]:
    """One row per walled site (storage.export.walled_sites), its evidence in words."""
    return [[w["name"], w["site_url"], w["unit"], w["product"] or "未识别", w["status"], w["reason"],
             w["wall_url"], w["after_requests"], "、".join(w["cookies"]), "；".join(w["signals"]), w["snippet"],
             w["confirmed_by"], local_time(datetime.fromisoformat(w["measured_at"]), tz)] for w in walls]


def write_workbook(path: Path, run, sections: list[FrameworkSection], sites: list[SiteFindings],
                   changes: dict[tuple[int, str], str] | None = None, tz: str = DEFAULT_TIMEZONE,
                   walls: list[dict] | None = None) -> Path:
    changes = changes or {}
    wb = Workbook()
    wb.remove(wb.active)
    names = _sheet_names(sections)
    for s in sections:
        header = ["组别", "名次", "单位/网站", "行政区划", "得分", "满分", "等级", "子级", "加分", "上轮得分", "变化",
                  "否决", "不完整", "缺失指标", "缺失权重", "地区"]
        rows = []
        for r in s.ordered():
            vetoes = "；".join(f"{v['title']}（{VETO_ZH[v['state']]}）" for v in r.vetoes
                              if v["state"] in ("veto", "pending_review"))
            rows.append([r.group, r.rank, r.name, r.region, _r(r.total), _r(r.max), r.tier,
                         r.details.get("sublevel"), _r(r.bonus), _r(r.prev_total), _r(r.delta), vetoes,
                         "是" if r.incomplete else "", "、".join(r.missing_titles),
                         _r(r.details.get("missing_share")), region_name(r.region)])
        _sheet(wb, names[s.name], header, rows)
    ind_rows = []
    for s in sections:
        for r in s.ordered():
            for i in r.indicators:
                d = i.details or {}
                if d.get("kind") == "veto":
                    state = VETO_ZH.get(d.get("reason"), "")
                else:
                    state = STATE_ZH.get(d.get("state"), "")
                ind_rows.append([s.title, s.version, r.name, i.indicator, d.get("title"), d.get("parent"),
                                 _r(i.score), _r(i.max), state, "人工" if i.manual else "",
                                 score_reason_zh(d.get("reason")), d.get("note")])
    _sheet(wb, "指标明细", ["框架", "版本", "单位/网站", "指标编号", "指标名称", "上级指标", "得分", "满分", "状态", "人工",
                        "说明", "备注"], ind_rows)
    f_rows, percent = [], set()
    for sf in sites:
        for f in sf.findings:
            ev = f.evidence or []
            first = next((e.get("ref") for e in ev if e.get("kind") in ("url", "snippet")), None)
            word, how = UNIT_ZH.get(unit_of(f.check_id, f.unit_of_value), ("", "number"))
            value = f.value
            if how == "yes_no" and value is not None:
                value = "是" if value else "否"
            elif how == "percent" and value is not None:
                percent.add(len(f_rows))
            adv = advice_for(f.check_id) if f.status in ("fail", "warn") else None
            d = f.details or {}
            why = reason_zh(d.get("reason")) if d.get("reason") else ""
            f_rows.append([sf.site.name, sf.site.url, sf.unit.name, region_name(sf.site.region or sf.unit.region),
                           title_zh(f.check_id), status_zh(f.status, d.get("error_kind")), value,
                           word if how not in ("yes_no", "percent") else "", why,
                           changes.get((sf.site.id, f.check_id), ""), adv.remedy if adv else "",
                           adv.basis if adv else "", len(ev), first, _evidence_summary(f),
                           local_time(f.measured_at, tz), f.check_id,
                           json.dumps(f.details, ensure_ascii=False, default=str)[:RAW_CHARS]])
    _sheet(wb, "检查发现", ["网站", "网址", "所属单位", "地区", "检查项", "状态", "数值", "计量单位", "原因",
                        "与上轮相比", "整改建议", "整改依据", "证据数", "首条证据", "证据摘要", "测量时间",
                        "检查项编号", "详情原始数据"], f_rows, link_columns=("网址", "首条证据"), status_column="状态",
           percent_rows=percent, percent_column="数值")
    if walls:
        _sheet(wb, WALLS_SHEET, ["网站", "网址", "所属单位", "拦截产品", "HTTP 状态", "拦截原因", "拦截页网址",
                                 "第几个请求后", "设置的 Cookie", "拦截特征", "页面片段", "复核结果", "测量时间"],
               _wall_rows(walls, tz), link_columns=("网址", "拦截页网址"))
    wb.properties.title = f"govaudit 第 {run.id} 轮"
    wb.save(path)
    return path
