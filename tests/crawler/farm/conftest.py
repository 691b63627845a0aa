"""One audit of the URL farm (tests/crawler/farm/url_farm.py), shared by the crawl tests of this folder."""
from __future__ import annotations

import pytest

from tests.crawler.farm.url_farm import UrlFarm
from tests.hostile.conftest import audit_farm

CHECKS = ["avail.homepage", "links.dead_homepage", "links.dead_site", "links.attachments", "update.homepage",
          "identity.site_code"]


@pytest.fixture(scope="session")
def url_audit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("url_farm")
    with UrlFarm() as farm:
        # the default timeout: a 10 MiB homepage must be read to its cap even on a busy machine
        yield audit_farm(farm, tmp, f"sqlite:///{tmp / 'u.db'}", CHECKS, GOVAUDIT_TIMEOUT="15")
