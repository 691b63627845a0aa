"""Dynamic parts of the alternative probe demo site: a JSON search API that
matches exact words only (no typo tolerance) and shortens long titles, and
the separate-page robot's answers."""
import json
import re
from pathlib import Path

HERE = Path(__file__).parent
ANSWERS = {"社保卡": "社保卡请到县人社局窗口或手机端申领。", "公积金": "公积金提取请登录公积金中心网站办理。",
           "营业执照": "营业执照请到县市场监管局窗口或网上办理。", "居住证": "居住证请到辖区派出所办理。",
           "户口": "新生儿落户请携带出生医学证明到派出所办理。"}


def _articles():
    for path in sorted((HERE / "news").glob("n*.html")):
        yield re.search(r"<h1>(.*?)</h1>", path.read_text(encoding="utf-8")).group(1), f"/news/{path.name}"


def handle(req):
    if req.path == "/api/search":
        wd = (req.query.get("wd") or [""])[0].strip()
        items = [{"title": t if len(t) <= 16 else t[:16] + "...", "url": u} for t, u in _articles() if wd and wd in t]
        return 200, {"Content-Type": "application/json"}, json.dumps({"items": items}, ensure_ascii=False)
    if req.path == "/api/robot":
        q = (req.query.get("q") or [""])[0]
        answer = next((a for k, a in ANSWERS.items() if k in q), "请换个问法。")
        return 200, {"Content-Type": "application/json"}, json.dumps({"answer": answer}, ensure_ascii=False)
    return None
