"""The generic, registry-driven spider: ``scrapy crawl sites -a site=NAME[,NAME…]`` (all sites by default).

It reads start URLs and URL patterns from the site registry, walks list pages and
their pagination, and sends every article page to the pure extractor.  It owns no
site-specific knowledge.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from zonecrawler.crawl import distributed
from zonecrawler.crawl.contracts import ENV_BASE_URL
from zonecrawler.crawl.extractpool import ExtractionPool, time_limit_from_setting, workers_from_setting
from zonecrawler.crawl.incremental import is_pagination, stop_paginating
from zonecrawler.crawl.items import ArticleItem
from zonecrawler.crawl.spiders.discovery import DiscoveryMixin
from zonecrawler.crawl.sweep import apply_sweep_settings
from zonecrawler.extract.decode import charset_from_content_type
from zonecrawler.extract.limits import PageNotExtracted
from zonecrawler.extract.pagefile import BadPageError, check_page_bytes
from zonecrawler.siteconfig import Site, SiteConfigError, get_site, load_registry

_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SiteSpider(DiscoveryMixin, scrapy.Spider):
    """Crawl registered sites: list pages, their pagination and sub-lists, then articles.

    Sites with URL patterns are crawled by them; sites without (or whose patterns match nothing)
    by discovery (:mod:`zonecrawler.crawl.spiders.discovery`).
    """

    name = "sites"
    fixed_site: str | None = None
    # In-process extraction unless from_crawler sets up worker processes.
    extraction_pool = ExtractionPool(0)

    def __init__(self, site: str | None = None, base_url: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        base_url = base_url or os.environ.get(ENV_BASE_URL) or None
        names = [self.fixed_site] if self.fixed_site else [n for n in (site or "").split(",") if n]
        if names:
            sites = {n: get_site(n) for n in names}
        else:
            sites = load_registry()
        if base_url:
            if len(sites) != 1:
                raise SiteConfigError("base_url needs exactly one site (-a site=NAME)")
            sites = {n: s.rebased(base_url) for n, s in sites.items()}
        self.sites: dict[str, Site] = sites
        self.base_url = base_url
        self.allowed_domains = sorted({d for s in sites.values() for d in s.allowed_domains})
        self._by_host = {d: s for s in sites.values() for d in s.allowed_domains}
        self._requested_articles: set[bytes] = set()  # 8-byte digests of article URLs already yielded
        self.init_discovery()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        workers = workers_from_setting(crawler.settings.get("ZONECRAWLER_EXTRACT_WORKERS"))
        spider.extraction_pool = ExtractionPool(workers, time_limit_from_setting(crawler.settings.get("ZONECRAWLER_EXTRACT_TIMEOUT")))
        crawler.signals.connect(spider.close_extraction_pool, signal=signals.spider_closed)
        if spider.base_url and _is_loopback(spider.base_url):
            # A local mirror needs no politeness delays.
            crawler.settings.set("AUTOTHROTTLE_ENABLED", False, priority="spider")
            crawler.settings.set("DOWNLOAD_DELAY", 0, priority="spider")
            # ... and records into no article store unless one is given with -s ZONECRAWLER_STORE=...
            crawler.settings.set("ZONECRAWLER_STORE", "", priority="spider")
        elif len(spider.sites) == 1:
            site = next(iter(spider.sites.values()))
            for key, value in site.politeness.items():
                crawler.settings.set(key.upper().replace("OBEY_ROBOTS", "ROBOTSTXT_OBEY"), value, priority="spider")
        else:  # a sweep: concurrency scaled to the number of sites, each site's delay kept
            apply_sweep_settings(crawler.settings, list(spider.sites.values()))
        return spider

    def close_extraction_pool(self) -> None:
        """Stop the extraction workers; their peak RSS and CPU time go into the crawl's stats."""
        pool = self.extraction_pool
        pool.close()
        for i, (rss, cpu) in enumerate(zip(pool.worker_peak_rss, pool.worker_cpu_seconds)):
            self.crawler.stats.set_value(f"zonecrawler/extract_worker/{i}/peak_rss_bytes", rss)
            self.crawler.stats.set_value(f"zonecrawler/extract_worker/{i}/cpu_seconds", round(cpu, 2))

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        distributed.update_settings(settings)  # scrapy-redis scheduler etc. when ZONECRAWLER_REDIS_URL is set

    async def start(self):
        coordinator = distributed.coordinator_for(self.crawler)
        if coordinator is not None:  # distributed mode: seed the round once, then start URLs from Redis
            async for request in coordinator.start(self, self.config_start_requests()):
                yield request
            return
        for request in self.config_start_requests():
            yield request

    def config_start_requests(self):
        """Requests for the registry's start URLs of every site this spider crawls."""
        for site in self.sites.values():
            if site.name in self.discovery:
                yield from self.discovery_start_requests(site)
                continue
            for url in site.start_urls:
                yield scrapy.Request(url, callback=self.parse_list, errback=self.on_error, meta={"zc_site": site.name, "zc_kind": "list", "zc_list_depth": 0})

    def site_for(self, response: Response) -> Site:
        """The registry entry a response belongs to."""
        name = response.meta.get("zc_site")
        if name in self.sites:
            return self.sites[name]
        if len(self.sites) == 1:
            return next(iter(self.sites.values()))
        host = urlsplit(response.url).hostname or ""
        return self._by_host[host]

    async def parse_list(self, response: Response) -> list:
        """Follow article links and further list pages (pagination, region sub-lists).

        The page's links are found and sorted by the extraction workers, like article pages.

        @url https://www.investchn.com/kfqxw/
        @mirror
        @returns requests 5
        @returns items 0 0
        """
        site = self.site_for(response)
        if site.name in self.discovery:
            return await self.parse_page(response)
        depth = response.meta.get("zc_list_depth", 0)
        try:
            listing = await self.extraction_pool.parse_listing(response.url, response.body, site, self._charset(response))
        except PageNotExtracted as exc:
            self._not_extracted(exc, site)
            return []
        if not listing.articles and listing.discovered is not None and listing.discovered.articles:
            # The patterns match nothing here, the page shows articles: crawl the site by discovery.
            self._count_bad_links(listing.bad_links, response.url, site)
            state = self.discovery.get(site.name) or self.switch_to_discovery(site, response.url, listing.discovered)
            return self.follow_list(response, site, state, listing.discovered)
        self.crawler.stats.inc_value("zonecrawler/list_pages")
        self._count_bad_links(listing.bad_links, response.url, site)
        requests = list(self._article_requests(listing.articles, site))
        # ZONECRAWLER_MAX_LIST_PAGES caps every site's max_list_pages (a guard against pagination traps).
        limit = min(site.max_list_pages, self.settings.getint("ZONECRAWLER_MAX_LIST_PAGES") or site.max_list_pages)
        if depth >= limit:
            self.logger.warning("list depth limit %d reached at %s; not paginating further", depth, response.url)
            self.crawler.stats.inc_value("zonecrawler/list_depth_limit")
            return requests
        # Incremental runs: a page holding only articles earlier runs delivered ends its list's pagination.
        stop = stop_paginating(self.crawler, response.url, listing.articles, site)
        if stop:
            self.logger.debug("every article on %s is known; not paginating further", response.url)
            self.crawler.stats.inc_value("zonecrawler/incremental/pagination_stopped")
        for url in listing.lists:
            if stop and is_pagination(response.url, url, listing.next_pages):
                continue
            # list URLs from the extractor are absolute and canonical, like article URLs
            request = self._request(url, self.parse_list, {"zc_site": site.name, "zc_kind": "list", "zc_list_depth": depth + 1})
            if request is not None:
                requests.append(request)
        return requests

    async def parse_article(self, response: Response) -> list:
        """Extract one article and follow article links it shows (上一条/下一条, related news).

        A coroutine returning a list (not an async generator): Scrapy awaits it once and then
        hands the list on, so nothing waits on the page while it is extracted elsewhere.

        @url https://www.investchn.com/news/202202/171001.html
        @mirror
        @returns items 1 1
        @scrapes url title date source zone body breadcrumb
        """
        site = self.site_for(response)
        if site.name in self.discovery:
            return await self.parse_page(response)
        if not isinstance(response, scrapy.http.TextResponse):
            self.logger.warning("skipping non-HTML article response %s (%s)", response.url, response.headers.get("Content-Type"))
            self.crawler.stats.inc_value("zonecrawler/skipped/not_html")
            return []
        try:  # an image or other binary served as text/html (Scrapy trusts the header)
            check_page_bytes(response.body, response.url)
        except BadPageError as exc:
            self.logger.warning("skipping article: %s", exc)
            self.crawler.stats.inc_value("zonecrawler/skipped/not_html")
            return []
        try:
            page = await self.extraction_pool.extract(response.url, response.body, site, self._charset(response))
        except PageNotExtracted as exc:
            self._not_extracted(exc, site)
            return []
        self._count_bad_links(page.extraction.bad_links, response.url, site)
        return [ArticleItem.from_extraction(page.extraction, response.url, site.name),
                *self._article_requests(page.article_links, site)]

    def _article_requests(self, urls: list[str], site: Site, origin: str | None = None):
        """Requests for article pages this process has not asked for yet.

        Lists and 上一条/下一条 links name the same article many times; dropping repeats here
        spares each one a trip through the middlewares to the dupefilter (which still guards
        against repeats across processes and resumed jobs).
        """
        for url in urls:
            key = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
            if key in self._requested_articles:
                continue
            self._requested_articles.add(key)
            # URLs from the extractor are absolute and canonical: no response.follow() (urljoin) needed
            if site.name in self.discovery:  # role by content; origin says how sure we are it is an article
                request = self._request(url, self.parse_page, {"zc_site": site.name, "zc_kind": "article",
                                                               "zc_from": origin or "link"})
            else:
                request = self._request(url, self.parse_article, {"zc_site": site.name, "zc_kind": "article"})
            if request is not None:
                yield request

    def _request(self, url: str, callback, meta: dict) -> scrapy.Request | None:
        """A request for a link, or None (counted as a bad link) when Scrapy refuses the URL."""
        try:
            return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta)
        except ValueError as exc:
            self.logger.warning("skipping malformed link %s: %s", url, exc)
            self.crawler.stats.inc_value(f"zonecrawler/bad_links/{meta['zc_site']}")
            return None

    def _count_bad_links(self, hrefs: list[str], page_url: str, site: Site) -> None:
        """Links the extractor skipped as malformed: one log line per page, counted per site."""
        if hrefs:
            self.logger.warning("skipped %d malformed link(s) on %s, e.g. %r", len(hrefs), page_url, hrefs[0][:200])
            self.crawler.stats.inc_value(f"zonecrawler/bad_links/{site.name}", len(hrefs))

    def _not_extracted(self, exc: PageNotExtracted, site: Site) -> None:
        """A page the extractor gave up on (too slow, too large): one log line, counted per site and reason."""
        self.logger.warning("page not extracted: %s", exc)
        self.crawler.stats.inc_value(f"zonecrawler/not_extracted/{site.name}/{exc.reason}")

    def on_error(self, failure):
        """A request given up on (HTTP error, retries exhausted, too large, ...): one clear log line and a
        ``zonecrawler/failed/<reason>`` stat instead of a traceback."""
        exc = failure.value
        request = getattr(failure, "request", None)
        if isinstance(exc, HttpError):
            reason = f"HTTP {exc.response.status}"
        else:
            reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
        self.logger.warning("giving up on %s: %s", request.url if request is not None else "?", reason)
        self.crawler.stats.inc_value(f"zonecrawler/failed/{reason.split(':')[0].replace(' ', '_')}")

    @staticmethod
    def _charset(response: Response) -> str | None:
        return charset_from_content_type(response.headers.get("Content-Type"))
