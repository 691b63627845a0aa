"""od-spa: the catalogue API the single-page app calls (GET, paged by pageNum, 5 a page); data files
(s6's file is missing). Records carry ids only: the app shows details in place, there are no dataset pages."""
import json

from tests.generality.farm_routes import files

# id, name, dept, summary, cycle, age in days, open type, formats, API flag, file
DATASETS = [
    ("s1", "区级预算执行情况", "区财政局", "按月发布的预算执行数据", "每月", 5, "无条件开放", "csv,json", "1", "/files/s1.csv"),
    ("s2", "区属学校名录", "区教育局", "全区中小学和幼儿园名录", "每年", 100, "无条件开放", "xlsx", "0", "/files/s2.xlsx"),
    ("s3", "共享单车停放点", "区城管局", "停放点位置和容量", "每周", 3, "无条件开放", "json", "1", ""),
    ("s4", "区志", "区档案馆", "历年区志全文", "每年", 500, "无条件开放", "pdf", "0", ""),
    ("s5", "路灯设施", "区住建局", "", "每月", 60, "无条件开放", "csv", "1", ""),
    ("s6", "河长公示牌", "区水利局", "河道和河长信息", "每季度", 10, "无条件开放", "xml", "0", "/files/s6.xml"),
    ("s7", "菜市场名录", "区商务局", "农贸市场地址和营业时间", "每年", 30, "", "csv", "0", ""),
]


def _record(d):
    ident, name, dept, summary, cycle, age, open_type, fmt, api, file_url = d
    return {"id": ident, "dataName": name, "deptName": dept, "summary": summary, "updateCycle": cycle,
            "updateDate": "{{date:-%d}} 08:00:00" % age, "openType": open_type, "dataFormat": fmt, "apiFlag": api,
            "fileUrl": file_url}


def handle(req):
    if req.path == "/api/open/datasets":
        page = int((req.query.get("pageNum") or ["1"])[0])
        size = int((req.query.get("pageSize") or ["5"])[0])
        rows = [_record(d) for d in DATASETS[(page - 1) * size:page * size]]
        body = json.dumps({"code": 0, "data": {"total": len(DATASETS), "pageNum": page, "list": rows}}, ensure_ascii=False)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body
    return files(req, missing=("s6.xml",))
