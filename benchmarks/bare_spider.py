"""The baseline for bench_crawl: a bare Scrapy spider that only downloads the pages a full crawl fetches.

    python -m benchmarks.bare_spider BASE_URL ARTICLES

No parsing, no items, no pipelines or zonecrawler extensions: the same URL set as a full crawl
of the synthetic site, requested from the start, with zonecrawler's download settings
(concurrency, retries, size limits, robots.txt) as they apply to a loopback crawl.
"""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess

from benchmarks.synthsite import all_urls
from zonecrawler import settings as zc

SAME_AS_ZONECRAWLER = (
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "RETRY_ENABLED", "RETRY_TIMES", "RETRY_HTTP_CODES",
    "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "REDIRECT_MAX_TIMES", "COOKIES_ENABLED",
    "TELNETCONSOLE_ENABLED", "ROBOTSTXT_OBEY", "USER_AGENT", "TWISTED_REACTOR",
)


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, base_url: str, articles: int, **kwargs):
        super().__init__(**kwargs)
        self.base_url, self.articles = base_url, int(articles)

    async def start(self):
        for url in all_urls(self.base_url, self.articles):
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response):
        return None


def main(argv: list[str]) -> int:
    base_url, articles = argv[0], int(argv[1])
    settings = {name: getattr(zc, name) for name in SAME_AS_ZONECRAWLER}
    # what SiteSpider.from_crawler sets for a loopback base_url
    settings.update(DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, LOG_LEVEL="INFO")
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, base_url=base_url, articles=articles)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
