"""hl-cards: the list's second page by ?page=2."""
from pathlib import Path

from tests.generality.farm_routes import by_query

HERE = Path(__file__).parent


def handle(req):
    return by_query(req, HERE, "/zx/list.html", "page", {"1": "zx/list.html", "2": "zx/list_p2.html"})
