"""Scrapy settings for zonecrawler: polite defaults for real sites, UTF-8 feeds, the record pipelines.

Override any of them per run with ``-s NAME=VALUE`` (see the README).
"""

from zonecrawler import __version__

BOT_NAME = "zonecrawler"
SPIDER_MODULES = ["zonecrawler.crawl.spiders"]
NEWSPIDER_MODULE = "zonecrawler.crawl.spiders"

# --- politeness (real crawls) ---------------------------------------------
USER_AGENT = (
    f"zonecrawler/{__version__} (development-zone news research crawler; obeys robots.txt; "
    "set USER_AGENT to include your contact)"
)
ROBOTSTXT_OBEY = True
# robots.txt gets a short timeout and one retry; if it still fails, the site is crawled as if it
# allowed everything, as Scrapy does (zonecrawler/crawl/robots.py).
ZONECRAWLER_ROBOTSTXT_TIMEOUT = 5
ZONECRAWLER_ROBOTSTXT_RETRIES = 1
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# Scrapy starts CONCURRENT_ITEMS + 1 asyncio tasks for every response, whatever it yields
# (default 100: ~1 ms of CPU a page here).  A page yields one record, and the pipelines are
# synchronous, so a few are plenty.  Raise it only for an async pipeline and many items per page.
CONCURRENT_ITEMS = 4
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# A crawl of several sites raises CONCURRENT_REQUESTS to (sites x requests per site), at most
# this, unless CONCURRENT_REQUESTS is set with -s (zonecrawler/crawl/sweep.py).
ZONECRAWLER_SWEEP_SCALING = True
ZONECRAWLER_SWEEP_MAX_CONCURRENCY = 512
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# DOWNLOAD_MAXSIZE bounds bodies; these bound the response header section (zonecrawler/crawl/downloadhandler.py).
DOWNLOAD_HANDLERS = {
    "http": "zonecrawler.crawl.downloadhandler.BoundedHeadersDownloadHandler",
    "https": "zonecrawler.crawl.downloadhandler.BoundedHeadersDownloadHandler",
}
ZONECRAWLER_MAX_RESPONSE_HEADERS = 500  # header lines
ZONECRAWLER_MAX_RESPONSE_HEADER_BYTES = 256 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy 2.19's RemoteControl: an HTTP server on 127.0.0.1 that runs any Python code sent with its
# token, announced in a job file (~/.local/state/scrapy/job_files) that a killed crawl never removes.
# Unattended crawls want neither; -s REMOTE_CONTROL_ENABLED=True turns it on for a session.
REMOTE_CONTROL_ENABLED = False

# --- output ---------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
ITEM_PIPELINES = {
    "zonecrawler.crawl.pipelines.RecordPipeline": 100,
    "zonecrawler.crawl.pipelines.SchemaValidationPipeline": 200,
    "zonecrawler.crawl.pipelines.DeduplicationPipeline": 300,  # per run and across runs (the ledger's state)
}
# Worker processes that extract article pages on other cores while the crawl keeps
# downloading: "auto" = 1 on a machine with 2+ CPUs, else 0; 0 = extract in the crawl process.
ZONECRAWLER_EXTRACT_WORKERS = "auto"
# Per-page limit on extraction, in seconds.  A worker that holds pages and answers nothing for
# this long (plus a grace period) is killed and replaced (README "Robustness").
ZONECRAWLER_EXTRACT_TIMEOUT = 20
# Caps every site's max_list_pages: how many list-page hops a crawl follows (pagination traps).
ZONECRAWLER_MAX_LIST_PAGES = None
# Records failing the schema are dropped from the feed; set a path to keep them.
ZONECRAWLER_REJECTS_FILE = None

# --- unattended crawls (README "Scheduled crawls") ------------------------------
# Articles already delivered (SQLite); "" turns incremental crawling off.
ZONECRAWLER_STORE = ".zonecrawler/store.sqlite"
ZONECRAWLER_FULL = False  # ignore the store: fetch and emit everything (also `-a full=1`, `zonecrawler crawl --full`)
ZONECRAWLER_STOP_ON_KNOWN_PAGE = True  # stop a list's pagination at a page of only known articles
ZONECRAWLER_EMIT_CHANGED = False  # re-fetch known articles, emit those whose content_hash changed
ZONECRAWLER_ARCHIVE_DIR = None  # save fetched article HTML (gzip) for `zonecrawler reextract`
ZONECRAWLER_SUMMARY_FILE = None  # write the health summary JSON here
ZONECRAWLER_SUMMARY_PRINT = False  # also print it to stdout
ZONECRAWLER_MIN_COVERAGE = {"title": 0.95, "date": 0.9, "body": 0.9}  # below -> crawl is unhealthy
ZONECRAWLER_MAX_ERROR_RATE = 0.01  # errors / requests above this -> unhealthy
FEED_EXPORTERS = {  # Scrapy's JSON Lines output, minus per-field work on plain-dict records
    "jsonlines": "zonecrawler.crawl.exporters.RecordJsonLinesExporter",
    "jsonl": "zonecrawler.crawl.exporters.RecordJsonLinesExporter",
    "jl": "zonecrawler.crawl.exporters.RecordJsonLinesExporter",
    "csv": "zonecrawler.crawl.exporters.RecordCsvExporter",  # the flat article table, UTF-8 with BOM (README: Export)
}
# Feed URI parameters: Scrapy's %(name)s, %(time)s, ... plus %(date)s (UTC); with JOBDIR, the job's first start.
FEED_URI_PARAMS = "zonecrawler.crawl.feeds.uri_params"
FEED_STORAGES = {  # local feeds appear only complete: NAME.part, then renamed to NAME
    "": "zonecrawler.crawl.feeds.AtomicFileFeedStorage",
    "file": "zonecrawler.crawl.feeds.AtomicFileFeedStorage",
}
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's offsite filter checks host names; ours also checks the port (zonecrawler/crawl/offsite.py).
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "zonecrawler.crawl.offsite.SiteOffsiteMiddleware": 45,
    "zonecrawler.crawl.health.ErrorCountMiddleware": 40,
    "zonecrawler.crawl.incremental.IncrementalMiddleware": 50,
    "zonecrawler.crawl.archiving.ArchiveMiddleware": 60,
    "zonecrawler.crawl.robots.RobotsTxtTimeoutMiddleware": 340,  # before DownloadTimeoutMiddleware (350)
    # after HttpCompressionMiddleware (590), before MetaRefreshMiddleware (580) reads response.text
    "zonecrawler.crawl.charset.PageCharsetMiddleware": 585,
}
EXTENSIONS = {
    "zonecrawler.crawl.extensions.CrawlLocks": -30,  # one crawl at a time per job dir, store and output
    "scrapy.extensions.throttle.AutoThrottle": None,  # replaced by the site-aware one below
    "zonecrawler.crawl.sweep.SiteAutoThrottle": 0,
    "zonecrawler.crawl.extensions.LedgerExtension": -20,
    "zonecrawler.crawl.extensions.JobDirGuard": -10,
    "zonecrawler.crawl.health.HealthExtension": 10,
    "zonecrawler.crawl.gctuning.GcTuning": 20,
}
# Garbage collector in the crawl process (zonecrawler/gctuning.py): freeze the objects alive
# after start-up so collections skip them, and collect the youngest generation every
# ZONECRAWLER_GC_THRESHOLD allocations instead of Python's 700 (0 = Python's default).
ZONECRAWLER_GC_FREEZE = True
ZONECRAWLER_GC_THRESHOLD = 10_000

# --- contracts (`scrapy check`) ---------------------------------------------
SPIDER_CONTRACTS = {"zonecrawler.crawl.contracts.MirrorContract": 10}

LOG_LEVEL = "INFO"
LOG_FORMATTER = "zonecrawler.crawl.logformat.ItemLogFormatter"  # no per-item DEBUG records built just to be dropped
# The asyncio reactor is Scrapy's default; spiders define `async def start()`.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
