"""od-plain: the catalogue's pager posts a form (pageNo=2) to the list's own address; data files."""
from pathlib import Path

from tests.generality.farm_routes import files, list_page

HERE = Path(__file__).parent


def handle(req):
    return (list_page(req, HERE, "/list.html", "pageNo", {"1": "list.html", "2": "list_post2.html"})
            or files(req))
