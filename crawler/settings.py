"""Scrapy settings for the govaudit spiders (`scrapy crawl portal -a site=URL`).

Behaviour lives here, as Scrapy users expect; per-site caps come from the
registry hints (max_pages, max_depth, obey_robots)."""
import os as _os

from core.config import load as _load

_cfg = _load()

BOT_NAME = "govaudit"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
USER_AGENT = _cfg.user_agent
ROBOTSTXT_OBEY = _cfg.obey_robots      # GOVAUDIT_OBEY_ROBOTS=0; per site: hint obey_robots

CONCURRENT_REQUESTS = 256
# Politeness per server (crawler/slots.py): a national round gets its speed from many sites at once,
# never from hammering one. GOVAUDIT_MAX_RPS=0 is the unthrottled mode (our own cost, tests).
CONCURRENT_REQUESTS_PER_DOMAIN = _cfg.host_concurrency
DOWNLOAD_DELAY = 1.0 / _cfg.max_rps if _cfg.max_rps > 0 else 0.0
GOVAUDIT_BROWSER_PACE = _cfg.browser_pace    # seconds between requests of a `fetch: browser` site
GOVAUDIT_CHROMIUM = _cfg.chromium             # the browser of `fetch: browser` (crawler/fetch.py)
DOWNLOAD_DELAY_JITTER = 0.0    # a random delay would go below 1 / max_rps: the rate is a ceiling
CONCURRENT_ITEMS = 10          # Scrapy 2.19 starts this many tasks per callback output
DOWNLOAD_TIMEOUT = _cfg.timeout
DNS_TIMEOUT = _cfg.timeout
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 0
REDIRECT_MAX_TIMES = 10
RETRY_ENABLED = False          # the spider retries a failing link exactly once itself
HTTPERROR_ALLOW_ALL = True
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

AUTOTHROTTLE_ENABLED = _cfg.max_rps > 0
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5

# Every middleware wraps every request or every callback output: the ones whose job the spider
# does itself (scope, depth, retries) or that nothing here needs are switched off (≈2× pages/s).
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,   # a diagnostic for spider authors
}
# Crawl statistics nobody reads (the crawl's facts are the spider's own); each connects per-response signals.
EXTENSIONS = {
    "scrapy.extensions.corestats.CoreStats": None,
    "scrapy.extensions.logstats.LogStats": None,
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.slots.PoliteThrottle": 0,          # AutoThrottle that keeps max_rps and Crawl-delay floors
}
DOWNLOADER = "crawler.slots.SlotDownloader"      # keeps the per-server concurrency when unthrottled
# Scrapy's queue for broad crawls: the next request comes from the server with the fewest requests in
# the downloader. The default queue hands requests out by priority alone, so the downloader's places
# filled with the queued pages of the first sites to answer, each held to its polite rate, while the
# other sites of a batch waited (bench.round, 200 sites at once: 0.3 pages/s a site).
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# queued requests as compact records, in Scrapy's order: a 20,000-page site's frontier in 11 MB, not 34 MB
SCHEDULER_MEMORY_QUEUE = "crawler.frontier.CompactLifoQueue"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,   # the spider scopes sites itself
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawler.slots.SiteSlotMiddleware": 40,
    "crawler.netguard.NetGuardMiddleware": 50,
    "crawler.middlewares.BackoffMiddleware": 560,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.MetaRefreshMiddleware": 580,         # Scrapy's, without decoding pages that have none
    "crawler.warc.WarcMiddleware": 950,       # next to the downloader: raw responses, redirect hops too
}
GOVAUDIT_WARC = True
# page extraction and database writes in a second process (crawler/storeproc.py); GOVAUDIT_STORE_PROCESS=0: here
GOVAUDIT_STORE_PROCESS = _os.environ.get("GOVAUDIT_STORE_PROCESS", "1") != "0"
TWISTED_DNS_RESOLVER = "crawler.netguard.GuardedResolver"   # refuses non-public answers (DNS rebinding)
GOVAUDIT_RETRY_AFTER_MAX = float(_os.environ.get("GOVAUDIT_RETRY_AFTER_MAX", "30"))
GOVAUDIT_BACKOFF_TRIES = 3
# the sites' own handler: drops what a walled site still had queued, and fetches `fetch: browser` sites in Chromium
DOWNLOAD_HANDLERS = {"http": "crawler.fetch.SiteDownloadHandler", "https": "crawler.fetch.SiteDownloadHandler"}
ITEM_PIPELINES = {
    "crawler.pipelines.StoragePipeline": 500,
}
GOVAUDIT_DATABASE_URL = _cfg.database_url
GOVAUDIT_DATA_DIR = str(_cfg.data_dir)
GOVAUDIT_MAX_PAGES = _cfg.max_pages
GOVAUDIT_MAX_DEPTH = _cfg.max_depth
GOVAUDIT_MAX_ATTACHMENT_TEXTS = _cfg.max_attachment_texts
GOVAUDIT_MAX_ATTACHMENT_BYTES = _cfg.max_attachment_bytes
GOVAUDIT_MAX_EXTERNAL_LINKS = _cfg.max_external_links
GOVAUDIT_MAX_LINKS_PER_PAGE = _cfg.max_links_per_page
# the browser of `fetch: browser` sites (crawler/fetch.py) obeys the same network guard as the crawl
GOVAUDIT_ALLOW_PRIVATE = _cfg.allow_private
GOVAUDIT_ALLOW_HOSTS = _cfg.allow_hosts
