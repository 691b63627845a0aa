"""The real spider on served pages: a column with a JavaScript pager is followed
to its next pages, and its entries are counted across them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import audit, served

LIST = """<html><head><meta charset="utf-8"><title>工作动态</title></head><body><ul>{items}</ul>
<script>var currentPage = {page}; var countPage = 2;
document.write("<a href='index_1.html'>下一页</a>");</script></body></html>"""


def items(start: int, days: list[int]) -> str:
    return "".join(f"<li><a href='a{start + i}.html'>第{start + i}条工作动态信息</a><span>{{{{date:-{d}}}}}</span></li>"
                   for i, d in enumerate(days))


def test_js_pager_pages_are_followed(tmp_path, monkeypatch):
    from storage import models as m
    from storage.db import get_engine
    monkeypatch.setenv("GOVAUDIT_DATABASE_URL", f"sqlite:///{tmp_path / 'c.db'}")
    monkeypatch.setenv("GOVAUDIT_DATA_DIR", str(tmp_path / "data"))
    files = {"p": {
        "index.html": "<html><body><a href='/gzdt/index.html'>工作动态</a></body></html>",
        "gzdt/index.html": LIST.format(items=items(1, [2, 5, 9]), page=0),
        "gzdt/index_1.html": LIST.format(items=items(4, [20, 30]), page=1),
        **{f"gzdt/a{i}.html": "<html><body><p>正文</p></body></html>" for i in range(1, 6)},
    }}
    with served(tmp_path, {"p": {}}, files) as farm:
        db_url, run_id, ids = audit(farm, tmp_path, ["update.stale_columns"])
    with Session(get_engine(db_url)) as session:
        cols = session.scalars(select(m.Column).where(m.Column.run_id == run_id)).all()
    assert [(c.name, c.type, c.item_count, c.blank) for c in cols] == [("工作动态", "dynamic", 5, False)]
    assert [u.rsplit("/", 1)[-1] for u in cols[0].details["pages_followed"]] == ["index.html", "index_1.html"]
