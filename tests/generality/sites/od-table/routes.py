"""od-table: data files."""
from tests.generality.farm_routes import files


def handle(req):
    return files(req)
