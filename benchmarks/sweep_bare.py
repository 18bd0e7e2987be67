"""The ceiling for bench_sweep: a bare Scrapy spider crawling every sweep site politely, at high concurrency.

    python -m benchmarks.sweep_bare PORT SITES [--concurrency 10000]

It fetches each site's list page and the article links on it (found by a regex), with
zonecrawler's politeness (delay, requests per site, AutoThrottle, robots.txt) and download
settings, and does nothing else: no extraction, items, pipelines or store.  Its wall time is
what politeness alone costs.
"""

from __future__ import annotations

import argparse
import re
import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from benchmarks.sweepsite import site_host
from zonecrawler import settings as zc

POLITENESS = (
    "DOWNLOAD_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN", "AUTOTHROTTLE_ENABLED", "AUTOTHROTTLE_START_DELAY",
    "AUTOTHROTTLE_MAX_DELAY", "AUTOTHROTTLE_TARGET_CONCURRENCY", "ROBOTSTXT_OBEY",
)
DOWNLOADS = (
    "RETRY_ENABLED", "RETRY_TIMES", "RETRY_HTTP_CODES", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE",
    "REDIRECT_MAX_TIMES", "COOKIES_ENABLED", "TELNETCONSOLE_ENABLED", "USER_AGENT", "TWISTED_REACTOR",
)
_ARTICLE_HREF = re.compile(rb'href="(/news/\d+/\d+\.html)"')


class SweepBareSpider(scrapy.Spider):
    name = "sweep_bare"

    def __init__(self, port: int, sites: int, **kwargs):
        super().__init__(**kwargs)
        self.port, self.sites = int(port), int(sites)
        self.seen: set[str] = set()

    async def start(self):
        for k in range(self.sites):
            yield scrapy.Request(f"http://{site_host(k)}:{self.port}/", callback=self.parse)

    def parse(self, response):
        for href in _ARTICLE_HREF.findall(response.body):
            url = response.urljoin(href.decode())
            if url not in self.seen:
                self.seen.add(url)
                yield scrapy.Request(url, callback=self.parse_article)

    def parse_article(self, response):
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("port", type=int)
    parser.add_argument("sites", type=int)
    parser.add_argument("--concurrency", type=int, default=10_000)
    args = parser.parse_args(argv)
    settings = {name: getattr(zc, name) for name in POLITENESS + DOWNLOADS}
    settings.update(CONCURRENT_REQUESTS=args.concurrency, LOG_LEVEL="INFO")
    process = CrawlerProcess(settings)
    process.crawl(SweepBareSpider, port=args.port, sites=args.sites)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
