"""The letters list of the hotline-district demo: /letters.html is a shell whose
script loads /api/letters?pageNo=N (JSON, 4 per page, 2024年01月02日-style dates)."""
import json
from datetime import datetime, timedelta, timezone

LETTERS = [
    (1, 10, "小区停车难问题反映", "已反馈"),
    (2, 20, "菜市场环境问题反映", "已反馈"),
    (9, 20, "公园开放时间问题反映", "正在办理"),
    (3, 30, "幼儿园学位问题反映", "已反馈"),
    (4, 40, "电动车充电问题反映", "已反馈"),
    (5, 50, "老旧小区加装电梯问题反映", "已反馈"),
    (6, 60, "绿道维护问题反映", "已反馈"),
    (8, 95, "施工扰民问题反映", "正在办理"),
    (7, 100, "学区划分问题反映", "已反馈"),
    (10, 200, "垃圾分类问题反映", "已反馈"),
]
PER_PAGE = 4


def handle(req):
    if req.path == "/api/letters":
        page = int((req.query.get("pageNo") or ["1"])[0])
        today = datetime.now(timezone.utc)
        rows = [{"letterId": n, "letterTitle": title, "writeDate": (today - timedelta(days=age)).strftime("%Y年%m月%d日"),
                 "statusName": prog, "detailUrl": f"/letter/{n}.html"}
                for n, age, title, prog in LETTERS[(page - 1) * PER_PAGE:page * PER_PAGE]]
        body = json.dumps({"code": 0, "data": {"totalRow": len(LETTERS), "list": rows}}, ensure_ascii=False)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body.encode("utf-8")
    return None
