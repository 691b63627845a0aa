"""hl-json: the letter list API the 信件公开 page calls (POST or GET, one page of 10): ids only, no
letter pages; times as "YYYY-MM-DD HH:MM:SS", the state by name, the writer's rating as myd."""
import json

# id, title, submitted days ago, replied days ago or None, state, myd
LETTERS = [
    (1, "关于地铁末班车延长的建议", 3, 1, "已回复", "满意"),
    (2, "小区物业费上涨问题", 10, 6, "已回复", ""),
    (3, "学校周边交通拥堵", 14, None, "待回复", ""),
    (4, "农民工工资拖欠求助", 60, 59, "已办结", "不满意"),
    (5, "某某河道污染反映", 100, None, "转办", ""),
    (6, "公租房申请条件咨询", 400, 399, "已回复", ""),
]


def _row(letter):
    ident, title, sub, rep, state, myd = letter
    return {"id": ident, "letterTitle": title, "createTime": "{{date:-%d}} 10:22:00" % sub,
            "replyTime": "{{date:-%d}} 16:05:00" % rep if rep is not None else None, "stateName": state, "myd": myd}


def handle(req):
    if req.path == "/api/letter/list":
        body = json.dumps({"code": 200, "total": len(LETTERS), "rows": [_row(x) for x in LETTERS]}, ensure_ascii=False)
        return 200, {"Content-Type": "application/json; charset=utf-8"}, body
    return None
