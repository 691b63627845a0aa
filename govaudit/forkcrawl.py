"""The crawl gatherer for long-lived workers: fork instead of exec.

`govaudit worker` imports Scrapy, the spiders, the extractors and the checks
once in its main process (`preload`); each site's crawl is then a fork of the
pool process that already has them, instead of a fresh interpreter importing
everything again (about 3 CPU seconds a site, most of a small site's cost).
The crawl still runs in its own process: a crash there never takes the worker
with it, and it dies with its parent when a worker is killed.
"""
from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
import traceback

from core.config import Settings
from core.lifetime import die_with_parent

PRELOAD = ("scrapy.crawler", "scrapy.utils.project", "crawler.run", "crawler.settings", "crawler.pipelines",
           "crawler.spiders.site", "crawler.spiders.portal", "crawler.spiders.open_data", "crawler.spiders.hotline",
           "crawler.net", "govaudit.runner", "govaudit.gatherers", "checks.catalog", "storage.artifacts")


def preload() -> None:
    """Import what every site needs, then make "crawl" the forking gatherer (worker main process only)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _preload_scrapy_components()
    from govaudit import gatherers
    gatherers.GATHERERS["crawl"] = crawl
    # the pool processes and their crawls are forks of this one: a collection in any of them would
    # otherwise write into every imported object and unshare its page
    gc.freeze()


def _preload_scrapy_components() -> None:
    """Import the middlewares, extensions and download handlers a crawler loads by name."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    from scrapy.utils.misc import load_object
    from scrapy.utils.project import get_project_settings
    settings = get_project_settings()
    paths = ["scrapy.core.engine.ExecutionEngine", "scrapy.core.downloader.Downloader",
             "scrapy.core.scraper.Scraper", "twisted.internet.asyncioreactor.AsyncioSelectorReactor"]
    for key in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS", "ITEM_PIPELINES",
                "DOWNLOAD_HANDLERS"):
        paths += [p for p in settings.getwithbase(key).values() if isinstance(p, str)]
        paths += [p for p in settings.getwithbase(key) if isinstance(p, str) and "." in p and p[0].isalpha()
                  and not p.startswith(("http", "s3", "ftp", "file", "data"))]
    for name in ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "DOWNLOADER_CLIENTCONTEXTFACTORY",
                 "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE", "SCHEDULER_DISK_QUEUE",
                 "REQUEST_FINGERPRINTER_CLASS", "ADDONS", "LOG_FORMATTER", "SPIDER_LOADER_CLASS"):
        value = settings.get(name)
        if isinstance(value, str):
            paths.append(value)
    for path in paths:
        try:
            load_object(path)
        except Exception:
            pass


def _child(run_id: int, site_ids: list[int], settings: Settings, log_path: str) -> int:
    die_with_parent()
    fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
    sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s",
                        stream=sys.stderr, force=True)
    os.environ.update({"GOVAUDIT_DATABASE_URL": settings.database_url, "GOVAUDIT_DATA_DIR": str(settings.data_dir),
                       "SCRAPY_SETTINGS_MODULE": "crawler.settings"})
    if settings.allow_private:
        os.environ["GOVAUDIT_ALLOW_PRIVATE"] = "1"
    if settings.allow_hosts:
        os.environ["GOVAUDIT_ALLOW_HOSTS"] = ",".join(settings.allow_hosts)
    from storage import db
    for engine in db._engines.values():      # the parent's pooled connections are not ours to use
        engine.dispose(close=False)
    db._engines.clear()
    import crawler.settings
    importlib.reload(crawler.settings)
    from crawler.run import crawl as run_crawl
    run_crawl(run_id, site_ids)
    return 0


def crawl(run_id: int, site_ids: list[int], settings: Settings, needs: set[str]) -> None:
    from govaudit.gatherers import GatherError, prepare_crawl
    log_dir = prepare_crawl(run_id, site_ids, settings)
    log_path = str(log_dir / "crawl.log")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = _child(run_id, site_ids, settings, log_path)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise GatherError(f"crawl process exited with code {code} (log: {log_path})")
