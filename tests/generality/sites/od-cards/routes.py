"""od-cards: the catalogue's second page by ?page=2; data files (105's JSON file is missing)."""
from pathlib import Path

from tests.generality.farm_routes import files, list_page

HERE = Path(__file__).parent


def handle(req):
    return (list_page(req, HERE, "/catalog/", "page", {"1": "catalog/index.html", "2": "catalog/page2.html"})
            or files(req, missing=("105.json",)))
