"""The letters list of the hotline-district demo, paged by ?page=N (4 per page),
rows as <div> blocks with 2024年01月02日-style dates: different markup from the other boards."""
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
    if req.path != "/letters":
        return None
    page = int((req.query.get("page") or ["1"])[0])
    pages = (len(LETTERS) + PER_PAGE - 1) // PER_PAGE
    today = datetime.now(timezone.utc)
    rows = []
    for n, age, title, prog in LETTERS[(page - 1) * PER_PAGE:page * PER_PAGE]:
        day = (today - timedelta(days=age)).strftime("%Y年%m月%d日")
        rows.append(f'<div class="row"><span class="tit"><a href="/letter/{n}.html">{title}</a></span>'
                    f'<span class="when">{day}</span><span class="prog">{prog}</span></div>')
    pager = " ".join(f'<a href="/letters?page={k}">{k}</a>' for k in range(1, pages + 1) if k != page)
    if page < pages:
        pager += f' <a href="/letters?page={page + 1}">下一页</a>'
    body = (open(__file__.replace("routes.py", "list.tpl"), encoding="utf-8").read()
            .replace("ROWS", "\n".join(rows)).replace("PAGER", pager))
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body
