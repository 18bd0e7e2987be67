"""robots.txt requests with a short timeout, and one clear line when robots.txt cannot be fetched.

Scrapy's ``RobotsTxtMiddleware`` fetches a host's robots.txt before the host's first page and
holds every request to the host until it has an answer.  With the crawl's ``DOWNLOAD_TIMEOUT``
(30 s) and ``RETRY_TIMES`` (3), a robots.txt that never answers held the crawl for two minutes.
:class:`RobotsTxtTimeoutMiddleware` gives robots.txt requests ``ZONECRAWLER_ROBOTSTXT_TIMEOUT``
seconds (default 5, never more than ``DOWNLOAD_TIMEOUT``) and ``ZONECRAWLER_ROBOTSTXT_RETRIES``
retries (default 1).  When robots.txt still cannot be fetched, the crawl proceeds as Scrapy
does in that case — as if robots.txt allowed everything — after one WARNING line (instead of
Scrapy's ERROR with a traceback).
"""

from __future__ import annotations

import logging

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
DEFAULT_RETRIES = 1


def _is_robots_request(request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and urlparse_cached(request).path == "/robots.txt"


class RobotsTxtTimeoutMiddleware:
    """Downloader middleware (before DownloadTimeoutMiddleware, after RetryMiddleware for exceptions)."""

    def __init__(self, timeout: float, retries: int):
        self.timeout = timeout
        self.retries = retries

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        timeout = settings.getfloat("ZONECRAWLER_ROBOTSTXT_TIMEOUT", DEFAULT_TIMEOUT)
        download_timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        if download_timeout:
            timeout = min(timeout, download_timeout)
        return cls(timeout, settings.getint("ZONECRAWLER_ROBOTSTXT_RETRIES", DEFAULT_RETRIES))

    def process_request(self, request, spider=None):
        if _is_robots_request(request):
            request.meta.setdefault("download_timeout", self.timeout)
            request.meta.setdefault("max_retry_times", self.retries)

    def process_exception(self, request, exception, spider=None):
        if not _is_robots_request(request) or isinstance(exception, IgnoreRequest):
            return None
        logger.warning("cannot fetch %s (%s: %s); crawling %s as if robots.txt allowed everything",
                       request.url, type(exception).__name__, exception, urlparse_cached(request).netloc)
        # RobotsTxtMiddleware treats a robots.txt that could not be fetched as "allow all", quietly when ignored.
        raise IgnoreRequest(f"robots.txt unavailable: {exception}")
