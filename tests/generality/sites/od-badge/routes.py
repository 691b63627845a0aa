"""od-badge: the catalogue's pages as its script pager asks for them (/catalog.html?page=N); data files."""
from pathlib import Path

from tests.generality.farm_routes import list_page, files

HERE = Path(__file__).parent


def handle(req):
    return list_page(req, HERE, "/catalog.html", "page", {"1": "catalog.html", "2": "catalog_p2.html"}) or files(req)
