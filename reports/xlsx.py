"""The same tables as the HTML report, as an Excel workbook for evaluators:
one sheet of totals per framework, one sheet of every indicator, one of findings."""
from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.report_data import FrameworkSection, SiteFindings

HEAD_FILL = PatternFill("solid", fgColor="F6F8FA")
# Cells starting with these are formulas to Excel: crawled text must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v):
    if isinstance(v, str) and v.startswith(FORMULA_START):
        return "'" + v
    return v


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for c in ws[1]:
        c.font, c.fill = Font(bold=True), HEAD_FILL
    for row in rows:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for i, h in enumerate(header, start=1):
        width = max([len(str(h))] + [len(str(r[i - 1])) for r in rows[:200] if r[i - 1] is not None])
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width * 1.6))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            c.alignment = Alignment(vertical="top", wrap_text=isinstance(c.value, str) and len(c.value) > 60)


def _r(v):
    return None if v is None else round(v, 4)


def write_workbook(path: Path, run, sections: list[FrameworkSection], sites: list[SiteFindings]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for s in sections:
        header = ["组别", "名次", "单位/网站", "行政区划", "得分", "满分", "等级", "子级", "加分", "上轮得分", "变化",
                  "否决", "不完整", "缺失指标", "缺失权重"]
        rows = []
        for r in s.ordered():
            vetoes = "；".join(f"{v['title']}（{'否决' if v['state'] == 'veto' else '待复核'}）" for v in r.vetoes
                              if v["state"] in ("veto", "pending_review"))
            rows.append([r.group, r.rank, r.name, r.region, _r(r.total), _r(r.max), r.tier,
                         r.details.get("sublevel"), _r(r.bonus), _r(r.prev_total), _r(r.delta), vetoes,
                         "是" if r.incomplete else "", "、".join(r.details.get("missing", [])),
                         _r(r.details.get("missing_share"))])
        _sheet(wb, f"{s.name}", header, rows)
    ind_rows = []
    for s in sections:
        for r in s.ordered():
            for i in r.indicators:
                d = i.details or {}
                ind_rows.append([s.name, s.version, r.name, i.indicator, d.get("title"), d.get("parent"),
                                 _r(i.score), _r(i.max), d.get("state"), "人工" if i.manual else "",
                                 d.get("reason"), d.get("note")])
    _sheet(wb, "指标明细", ["框架", "版本", "单位/网站", "指标", "名称", "上级", "得分", "满分", "状态", "人工",
                        "说明", "备注"], ind_rows)
    f_rows = []
    for sf in sites:
        for f in sf.findings:
            ev = f.evidence or []
            f_rows.append([sf.site.name, sf.site.url, sf.unit.name, f.check_id, f.status, f.value, f.unit_of_value,
                           (f.details or {}).get("error_kind"), len(ev), ev[0].get("ref") if ev else None,
                           json.dumps(f.details, ensure_ascii=False, default=str)[:2000]])
    _sheet(wb, "检查发现", ["网站", "网址", "单位", "检查项", "状态", "数值", "单位", "错误类型", "证据数",
                        "首条证据", "详情"], f_rows)
    wb.properties.title = f"govaudit 第 {run.id} 轮"
    wb.save(path)
    return path
