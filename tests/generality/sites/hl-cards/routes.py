"""hl-cards: the list's pager posts a form (page=2) to the list's own address."""
from pathlib import Path

from tests.generality.farm_routes import list_page

HERE = Path(__file__).parent


def handle(req):
    return list_page(req, HERE, "/zx/list.html", "page", {"1": "zx/list.html", "2": "zx/list_p2.html"})
