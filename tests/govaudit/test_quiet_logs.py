"""A normal run warns of nothing: no duplicate spider names, no Alembic INFO lines per database open."""
from __future__ import annotations

import logging
import os
import warnings


def test_spider_names_are_unique():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        names = SpiderLoader.from_settings(get_project_settings()).list()
    assert sorted(names) == ["hotline", "open_data", "portal", "site"]
    assert [str(w.message) for w in caught] == []


def test_opening_a_database_logs_nothing_at_info(tmp_path, caplog):
    from storage.db import get_engine
    with caplog.at_level(logging.INFO):
        get_engine(f"sqlite:///{tmp_path / 'quiet.db'}")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic") and r.levelno < logging.WARNING] == []
