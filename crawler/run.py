"""Run the spiders for some sites of a run in this process:
`python -m crawler.run --run ID --sites 1,2,3 [--parent PID]`. The runner starts it as a
subprocess so a crash or a kill never takes the orchestrator with it, and with `--parent` so a
killed run never leaves its crawl behind."""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from core.lifetime import die_with_parent

SPIDERS = {
    "portal": "crawler.spiders.portal:PortalSpider",
    "open_data": "crawler.spiders.open_data:OpenDataSpider",
    "hotline": "crawler.spiders.hotline:HotlineSpider",
}


def spider_for(site_kind: str):
    module, _, name = SPIDERS.get(site_kind, SPIDERS["portal"]).partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        from crawler.spiders.site import SiteSpider
        return SiteSpider


def crawl(run_id: int, site_ids: list[int], settings_overrides: dict | None = None) -> None:
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from crawler.pipelines import STORE_FAILED
    from storage import models as m
    from storage.db import get_engine

    import os
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    for key, value in (settings_overrides or {}).items():
        settings.set(key, value)
    with Session(get_engine(settings.get("GOVAUDIT_DATABASE_URL"))) as session:
        kinds = dict(session.execute(select(m.Site.id, m.Site.kind).where(m.Site.id.in_(site_ids))).all())
    by_spider: dict[type, list[int]] = {}
    for site_id in site_ids:
        by_spider.setdefault(spider_for(kinds.get(site_id, "portal")), []).append(site_id)
    settings.set("LOG_INSTALL_ROOT_HANDLER", False)
    process = CrawlerProcess(settings)
    # without Scrapy's root handler its loggers stay at DEBUG: every scraped item
    # would be formatted into the log, a large share of the crawl's CPU
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL", "WARNING"))
    crawlers = []
    for spider_cls, ids in by_spider.items():
        crawlers.append(process.create_crawler(spider_cls))
        process.crawl(crawlers[-1], run=run_id, sites=",".join(map(str, ids)))
    process.start()
    failed = [c.stats.get_value(STORE_FAILED) for c in crawlers if c.stats.get_value(STORE_FAILED)]
    if failed:
        raise RuntimeError(f"{failed[0]} (see the log above)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="crawler.run")
    parser.add_argument("--run", type=int, required=True)
    parser.add_argument("--sites", required=True)
    parser.add_argument("--parent", type=int, help="die with this process (the run that started the crawl)")
    args = parser.parse_args(argv)
    if args.parent and not die_with_parent(args.parent):
        return 1          # the run is gone already: its sites stay pending for --resume
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    crawl(args.run, [int(x) for x in args.sites.split(",") if x])
    return 0


if __name__ == "__main__":
    sys.exit(main())
