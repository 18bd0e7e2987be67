"""Crawling a site without URL patterns (the Scrapy half of :mod:`zonecrawler.extract.discovery`).

A site whose registry entry has no ``article_patterns`` is crawled by discovery from its first
page; a site whose patterns match no link on a list page where discovery finds articles switches
to discovery (one WARNING; the health summary names the pattern it learned).  In discovery mode:

* every page goes to the extractor's ``page`` job (role, fields, links from one parse); a page
  asked for as an article is emitted unless it turns out to be a list; a list page's main block
  gives its articles, its pager (links, ``createPageHTML``, Hanweb ``dataproxy.jsp``) and its
  sub-lists (folders below it) give further list pages, never more than ``max_list_pages`` per site;
* article pages' links with the shape of articles found on lists (上一篇/下一篇) are followed;
* the site's ``robots.txt`` ``Sitemap:`` lines (else ``/sitemap.xml``) and the RSS/Atom feeds named
  in the start pages' heads are read; their entries on the site's domains are fetched, and emitted
  when the page is an article.  A missing sitemap or feed is not an error.
"""

from __future__ import annotations

import gzip
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from zonecrawler.crawl.incremental import is_pagination, stop_paginating
from zonecrawler.crawl.items import ArticleItem
from zonecrawler.extract.discovery import Discovered
from zonecrawler.extract.feeds import feed_links
from zonecrawler.extract.limits import PageNotExtracted
from zonecrawler.extract.roles import ARTICLE, LIST
from zonecrawler.extract.urlpatterns import ShapeLearner
from zonecrawler.siteconfig import Site

MAX_SITEMAPS = 50          # sitemap files read per site (an index naming thousands is cut here)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


class SiteDiscovery:
    """What discovery has learned about one site during the crawl."""

    def __init__(self, site: Site, reason: str):
        self.site = site
        self.reason = reason             # "no_patterns" or "patterns_matched_nothing"
        self.articles = ShapeLearner()   # shapes of article links found in list blocks
        self.lists = ShapeLearner(min_constant=1)
        self.pager: list[str] = []
        self.list_requests = 0
        self.sitemaps = 0
        self.limit_warned = False

    def summary(self) -> dict:
        return {"mode": "discovery", "reason": self.reason, "article_patterns": self.articles.patterns(0.05),
                "list_patterns": self.lists.patterns(), "pager": list(self.pager)}


class DiscoveryMixin:
    """The discovery half of :class:`~zonecrawler.crawl.spiders.sites.SiteSpider`."""

    discovery: dict[str, SiteDiscovery]

    def init_discovery(self) -> None:
        self.discovery = {}
        for site in self.sites.values():
            if not site.article_patterns:
                self.discovery[site.name] = SiteDiscovery(site, "no_patterns")

    # --- start ---------------------------------------------------------------------------------
    def discovery_start_requests(self, site: Site):
        """Start lists plus the robots.txt (for its Sitemap: lines) of a site crawled by discovery."""
        state = self.discovery[site.name]
        for url in site.start_urls:
            state.lists.add(url)
            yield scrapy.Request(url, callback=self.parse_page, errback=self.on_error,
                                 meta={"zc_site": site.name, "zc_kind": "list", "zc_list_depth": 0, "zc_start": True})
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(site.start_urls[0]))
        yield scrapy.Request(f"{origin}/robots.txt", callback=self.parse_robots, errback=self.on_probe_error,
                             meta={"zc_site": site.name, "zc_kind": "robots", "zc_origin": origin})

    # --- switching from patterns to discovery --------------------------------------------------
    def switch_to_discovery(self, site: Site, page_url: str, found: Discovered) -> SiteDiscovery:
        """A configured site whose article patterns matched nothing here: crawl it by discovery."""
        state = self.discovery[site.name] = SiteDiscovery(site, "patterns_matched_nothing")
        for url in found.articles:
            state.articles.add(url)
        patterns = " ".join(p.pattern for p in site.article_patterns)
        self.logger.warning(
            "%s: no link on %s matches article_patterns %s, but %d article links were found on the page; "
            "crawling %s by discovery (learned article pattern %s)", site.name, page_url, patterns,
            len(found.articles), site.name, " ".join(state.articles.patterns()) or "-")
        self.crawler.stats.set_value(f"zonecrawler/discovery/{site.name}/fallback_page", page_url)
        return state

    def record_discovery(self, state: SiteDiscovery) -> None:
        """What the health summary reports for a site crawled by discovery (kept current)."""
        self.crawler.stats.set_value(f"zonecrawler/discovery/{state.site.name}/summary", state.summary())

    # --- pages ---------------------------------------------------------------------------------
    async def parse_page(self, response: Response) -> list:
        """Any page of a site crawled by discovery: emit it, follow it, or both, by its role."""
        site = self.site_for(response)
        state = self.discovery.get(site.name)
        if state is None:  # a request queued before a restart in another mode
            return await (self.parse_list(response) if response.meta.get("zc_kind") == "list"
                          else self.parse_article(response))
        if not isinstance(response, scrapy.http.TextResponse):
            self.crawler.stats.inc_value("zonecrawler/skipped/not_html")
            return []
        try:
            analysis = await self.extraction_pool.analyze(response.url, response.body, site, self._charset(response))
        except PageNotExtracted as exc:
            self._not_extracted(exc, site)
            return []
        kind, origin = response.meta.get("zc_kind"), response.meta.get("zc_from")
        role = analysis.role
        self.crawler.stats.inc_value(f"zonecrawler/discovery/roles/{role}")
        self._count_bad_links(analysis.extraction.bad_links, response.url, site)
        if role == LIST and (kind == "list" or origin == "block"):
            return self.follow_list(response, site, state, analysis.discovered)
        if kind == "list" and role != ARTICLE:
            return self.follow_list(response, site, state, analysis.discovered)
        if role == ARTICLE or (kind == "article" and origin == "block"):
            return [ArticleItem.from_extraction(analysis.extraction, response.url, site.name),
                    *self._article_requests([u for u in analysis.discovered.links if state.articles.matches(u)
                                             and site.allows(u)], site, origin="link")]
        self.crawler.stats.inc_value("zonecrawler/discovery/skipped_pages")
        return []

    def follow_list(self, response: Response, site: Site, state: SiteDiscovery, found: Discovered) -> list:
        """Requests for a list page's articles, further pages, sub-lists and feeds."""
        self.crawler.stats.inc_value("zonecrawler/list_pages")
        depth = response.meta.get("zc_list_depth", 0)
        articles = [u for u in found.articles if site.allows(u) or self._same_origin(u, response.url)]
        for url in articles:
            state.articles.add(url)
        for kind in found.pager:
            if kind not in state.pager:
                state.pager.append(kind)
        requests = list(self._article_requests(articles, site, origin="block"))
        if response.meta.get("zc_start"):
            for feed in found.feeds:
                if site.allows(feed) or self._same_origin(feed, response.url):
                    requests.append(scrapy.Request(feed, callback=self.parse_feed, errback=self.on_probe_error,
                                                   meta={"zc_site": site.name, "zc_kind": "feed"}))
        limit = self._list_limit(site)
        stop = stop_paginating(self.crawler, response.url, articles, site)
        if stop:
            self.crawler.stats.inc_value("zonecrawler/incremental/pagination_stopped")
        for url in [*found.pages, *found.sublists]:
            if not (site.allows(url) or self._same_origin(url, response.url)):
                continue
            if stop and is_pagination(response.url, url, found.next_pages):
                continue
            if depth >= limit or state.list_requests >= limit:
                if not state.limit_warned:
                    state.limit_warned = True
                    self.logger.warning("%s: list page limit %d reached at %s; not following more list pages",
                                        site.name, limit, response.url)
                self.crawler.stats.inc_value("zonecrawler/list_depth_limit")
                break
            state.lists.add(url)
            request = self._request(url, self.parse_page, {"zc_site": site.name, "zc_kind": "list",
                                                           "zc_list_depth": depth + 1})
            if request is not None:
                state.list_requests += 1
                requests.append(request)
        self.record_discovery(state)
        return requests

    def _list_limit(self, site: Site) -> int:
        return min(site.max_list_pages, self.settings.getint("ZONECRAWLER_MAX_LIST_PAGES") or site.max_list_pages)

    @staticmethod
    def _same_origin(url: str, page_url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(page_url).netloc

    # --- robots.txt, sitemaps, feeds -----------------------------------------------------------
    def parse_robots(self, response: Response) -> list:
        site = self.site_for(response)
        text = response.text if isinstance(response, scrapy.http.TextResponse) else response.body.decode("utf-8", "replace")
        sitemaps = [u for u in sitemap_urls_from_robots(text.encode("utf-8"), base_url=response.url)
                    if site.allows(u) or self._same_origin(u, response.url)]
        if not sitemaps:
            sitemaps = [urljoin(response.meta["zc_origin"] + "/", "sitemap.xml")]
        return [r for r in (self._sitemap_request(u, site) for u in sitemaps) if r is not None]

    def on_probe_error(self, failure):
        """robots.txt, a sitemap or a feed that is missing: not an error of the crawl."""
        request = failure.request
        self.logger.debug("no %s at %s: %s", request.meta.get("zc_kind"), request.url, failure.value)
        if request.meta.get("zc_kind") == "robots":
            site = self.sites.get(request.meta.get("zc_site")) or next(iter(self.sites.values()))
            request = self._sitemap_request(request.meta["zc_origin"] + "/sitemap.xml", site)
            return [request] if request is not None else []
        return []

    def _sitemap_request(self, url: str, site: Site) -> scrapy.Request | None:
        state = self.discovery[site.name]
        if state.sitemaps >= MAX_SITEMAPS:
            return None
        state.sitemaps += 1
        return scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_probe_error,
                              meta={"zc_site": site.name, "zc_kind": "sitemap"})

    def parse_sitemap(self, response: Response) -> list:
        site = self.site_for(response)
        body = response.body
        if body[:2] == _GZIP_MAGIC:
            try:
                body = gzip.decompress(body)[:MAX_SITEMAP_BYTES]
            except (OSError, EOFError):
                return []
        try:
            sitemap = Sitemap(body)
        except Exception:  # noqa: BLE001 - not XML at all (an HTML 200 page for a missing sitemap)
            return []
        locs = [entry.get("loc") for entry in sitemap if entry.get("loc")]
        locs = [u for u in locs if site.allows(u) or self._same_origin(u, response.url)]
        self.crawler.stats.inc_value(f"zonecrawler/discovery/{site.name}/sitemap_urls", len(locs))
        if sitemap.type == "sitemapindex":
            return [r for r in (self._sitemap_request(u, site) for u in locs) if r is not None]
        if sitemap.type != "urlset":
            return []
        return list(self._article_requests(locs, site, origin="sitemap"))

    def parse_feed(self, response: Response) -> list:
        site = self.site_for(response)
        links = [u for u in feed_links(response.body, response.url) if site.allows(u) or self._same_origin(u, response.url)]
        self.crawler.stats.inc_value(f"zonecrawler/discovery/{site.name}/feed_urls", len(links))
        return list(self._article_requests(links, site, origin="feed"))
