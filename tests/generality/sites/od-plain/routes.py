"""od-plain: the catalogue's pager posts a form (pageNo=2) to the list's own address; data files."""
from pathlib import Path
from urllib.parse import parse_qs

from tests.generality.farm_routes import files

HERE = Path(__file__).parent


def handle(req):
    if req.path == "/list.html" and req.method == "POST":
        page = (parse_qs(req.body.decode("utf-8")).get("pageNo") or ["1"])[0]
        name = {"1": "list.html", "2": "list_post2.html"}.get(page, "list.html")
        return 200, {"Content-Type": "text/html; charset=utf-8"}, (HERE / name).read_text(encoding="utf-8")
    return files(req)
