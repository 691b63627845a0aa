"""Dynamic parts of the data-county demo: the JSON catalogue the catalogue page
calls (POST only, paged, at most 10 per page), generated data files, a dead download and one behind a login page."""
import json
from urllib.parse import parse_qs
from datetime import datetime, timedelta, timezone

ORGS = ["县统计局", "县教育局", "县卫生健康局", "县农业农村局", "县交通运输局"]
# id, name, format, age in days, metadata complete
DATASETS = [(f"c{n:02d}", name, fmt, age, n <= 10) for n, (name, fmt, age) in enumerate([
    ("全县人口统计", "xls", 20), ("中小学名录", "xls", 60), ("卫生院名录", "xls", 100), ("农业合作社名录", "xls", 200),
    ("公交线路", "xls", 300), ("农产品价格", "xls", 400), ("道路里程", "xls", 500), ("企业名录", "xls", 600),
    ("文物保护单位", "xls", 700), ("统计年鉴", "pdf", 800), ("政府工作报告", "pdf", 850), ("财政预算报告", "pdf", 900),
    ("决算报告", "pdf", 450), ("规划文本", "pdf", 420), ("年度公报", "pdf", 410)], start=1)]

LOGIN = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>登录</title></head>
<body><h2>统一身份认证</h2><p>请先登录</p><form><input name="u"><input type="password" name="p"></form></body></html>"""


def _record(ds):
    ident, name, fmt, age, complete = ds
    day = (datetime.now(timezone.utc) - timedelta(days=age)).strftime("%Y-%m-%d %H:%M:%S")
    rec = {"resId": ident, "resName": name, "orgName": ORGS[int(ident[1:]) % len(ORGS)], "updateTime": day,
           "openType": "无条件开放", "fileFormat": fmt.upper(), "apiCount": 0}
    if ident == "c14":
        rec["downloadUrl"] = "/files/missing-" + ident + "." + fmt
    elif ident == "c15":
        rec["downloadUrl"] = "/sso/download?res=" + ident
    else:
        rec["downloadUrl"] = "/files/" + ident + "." + fmt
    if complete:
        rec["resDesc"] = name + "，按年度汇总。"
        rec["updateCycle"] = "每年"
    return rec


def handle(req):
    if req.path == "/api/catalog/list":
        if req.method != "POST":
            return 405, {"Content-Type": "application/json; charset=utf-8", "Allow": "POST"}, \
                b'{"code":405,"msg":"Request method GET not supported"}'
        form = parse_qs(req.body.decode("utf-8"))
        page = int((form.get("pageNo") or ["1"])[0])
        size = min(int((form.get("pageSize") or ["10"])[0]), 10)
        rows = [_record(d) for d in DATASETS[(page - 1) * size:page * size]]
        body = json.dumps({"code": 200, "msg": "success", "data": {"total": len(DATASETS), "pageNo": page, "rows": rows}},
                          ensure_ascii=False)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body.encode("utf-8")
    if req.path.startswith("/files/") and not req.path.startswith("/files/missing"):
        ident, _, fmt = req.path[len("/files/"):].partition(".")
        if fmt == "pdf":
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n%%EOF\n"
        return 200, {"Content-Type": "application/vnd.ms-excel"}, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + ident.encode()
    if req.path == "/sso/download":
        return 200, {"Content-Type": "text/html; charset=utf-8"}, LOGIN
    return None
