"""The baseline for bench_crawl: a bare Scrapy spider that only downloads the pages a full crawl fetches.

    python -m benchmarks.bare_spider BASE_URL ARTICLES [--same-engine]

No parsing, no items, no pipelines or zonecrawler extensions: the same URL set as a full crawl
of the synthetic site, requested from the start, with zonecrawler's download settings
(concurrency, retries, size limits, robots.txt) as they apply to a loopback crawl, and
Scrapy's defaults for everything else.

``--same-engine`` also gives it zonecrawler's engine tuning, which speeds up any Scrapy
crawl: ``CONCURRENT_ITEMS`` and the garbage-collector extension (``zonecrawler.crawl.gctuning``).
Against that baseline the ratio measures only what zonecrawler's own work costs.
"""

from __future__ import annotations

import argparse
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
# zonecrawler's tuning of the engine itself (not of downloads), for --same-engine
SAME_ENGINE = ("CONCURRENT_ITEMS", "ZONECRAWLER_GC_FREEZE", "ZONECRAWLER_GC_THRESHOLD")


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("articles", type=int)
    parser.add_argument("--same-engine", action="store_true", help="also zonecrawler's engine tuning")
    args = parser.parse_args(argv)
    settings = {name: getattr(zc, name) for name in SAME_AS_ZONECRAWLER}
    if args.same_engine:
        settings.update({name: getattr(zc, name) for name in SAME_ENGINE})
        settings["EXTENSIONS"] = {"zonecrawler.crawl.gctuning.GcTuning": zc.EXTENSIONS["zonecrawler.crawl.gctuning.GcTuning"]}
    # what SiteSpider.from_crawler sets for a loopback base_url
    settings.update(DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, LOG_LEVEL="INFO")
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, base_url=args.base_url, articles=args.articles)
    process.start()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
