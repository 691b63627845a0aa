"""Shared answers of the open-data and hotline farm sites (their routes.py call these):
data files and icons by extension, and list pages chosen by a query parameter or a posted form field."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
TYPES = {"csv": ("text/csv", b"id,name\n1,a\n"), "json": ("application/json", b'{"rows": []}'),
         "xml": ("application/xml", b"<rows/>"), "pdf": ("application/pdf", b"%PDF-1.4\n%%EOF\n"),
         "xls": ("application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
         "doc": ("application/msword", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),
         "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
         "zip": ("application/zip", b"PK\x03\x04")}
NOT_FOUND = (404, {"Content-Type": "text/html; charset=utf-8"}, "<html><body><h1>404 Not Found</h1></body></html>")


def files(req, missing: tuple[str, ...] = ()):
    """/files/NAME.EXT answers a small file of that type (404 for `missing` names); /img/*.gif an icon."""
    if req.path.startswith("/img/") and req.path.endswith(".gif"):
        return 200, {"Content-Type": "image/gif"}, GIF
    if not req.path.startswith("/files/"):
        return None
    name = req.path[len("/files/"):]
    ext = name.rpartition(".")[2]
    if name in missing or ext not in TYPES:
        return NOT_FOUND
    ctype, body = TYPES[ext]
    return 200, {"Content-Type": ctype}, body


def list_page(req, root: Path, path: str, param: str, pages: dict[str, str]):
    """The file for page `param` of the list at `path` (pages: value → file under root), the
    number read from the query of a GET or the form body of a POST (a pager that posts a form)."""
    if req.path != path:
        return None
    fields = parse_qs(req.body.decode("utf-8")) if req.method == "POST" else req.query
    value = (fields.get(param) or ["1"])[0]
    if value not in pages:
        return NOT_FOUND
    return 200, {"Content-Type": "text/html; charset=utf-8"}, (root / pages[value]).read_text(encoding="utf-8")
