"""Incremental crawling: skip article pages already delivered, stop paginating at old news, emit once.

* :class:`IncrementalMiddleware` (downloader middleware) drops article requests
  (``meta["zc_kind"] == "article"``) whose canonical URL the store knows or this job
  already wrote — they are never downloaded.  List pages are always fetched.
  ``ZONECRAWLER_FULL`` ignores the store; ``ZONECRAWLER_EMIT_CHANGED`` re-fetches
  known articles so that changed ones (same URL, new content_hash) are emitted again.
* :func:`stop_paginating` tells the spider to stop following a list's pagination when
  every article on the page was delivered by an earlier run (``ZONECRAWLER_STOP_ON_KNOWN_PAGE``).
* :class:`~zonecrawler.crawl.pipelines.DeduplicationPipeline` (the one de-duplication stage)
  drops records already delivered (same canonical URL and hash, or the same content
  under another URL — that URL is recorded as an alias), counts new / changed per site,
  and claims emitted records in the ledger.
"""

from __future__ import annotations

import logging
import posixpath
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from zonecrawler.normalize.urls import canonicalize_url
from zonecrawler.storage.ledger import ledger_for

logger = logging.getLogger(__name__)


def canonical_for(crawler, url: str, site_name: str | None) -> str:
    """The canonical URL naming ``url`` in records and the store (a mirror crawl's URLs get the site's own origin)."""
    site = (getattr(crawler.spider, "sites", None) or {}).get(site_name)
    return site.canonical_url(url) if site is not None else canonicalize_url(url)


class IncrementalMiddleware:
    """Downloader middleware: never download an article page that is already delivered."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.ledger = ledger_for(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        if request.meta.get("zc_kind") != "article":
            return None
        site = request.meta.get("zc_site") or "?"
        canonical = canonical_for(self.crawler, request.url, site)
        if self.ledger.emitted_in_job(canonical):
            self.stats.inc_value("zonecrawler/incremental/skipped_in_job")
            self.stats.inc_value(f"zonecrawler/known_skipped/{site}")
            logger.debug("already written by this job, not fetched: %s", request.url)
            raise IgnoreRequest(f"already in this job's output: {request.url}")
        row = self.ledger.stored(canonical)
        if row is None:
            return None
        if self.ledger.emit_changed:
            request.meta["zc_known_hash"] = row["content_hash"]
            self.stats.inc_value("zonecrawler/incremental/refetched_known")
            return None
        self.stats.inc_value("zonecrawler/incremental/skipped_known")
        self.stats.inc_value(f"zonecrawler/known_skipped/{site}")
        logger.debug("known since %s, not fetched: %s", row["first_seen"], request.url)
        raise IgnoreRequest(f"known article: {request.url}")


def _list_dir(url: str) -> str:
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def stop_paginating(crawler, page_url: str, article_urls: list[str], site=None) -> bool:
    """True when every article on this list page was delivered by an earlier run (and the feature is on)."""
    ledger = ledger_for(crawler)
    if not ledger.stop_on_known_page or ledger.full or ledger.store is None or not article_urls:
        return False
    canonical = site.canonical_url if site is not None else canonicalize_url
    return all(ledger.known_before(canonical(u)) for u in article_urls)


def is_pagination(page_url: str, link: str, next_pages: list[str]) -> bool:
    """Is ``link`` another page of the same list as ``page_url`` (not a sub-list or another section)?"""
    if link in next_pages:
        return True
    return urlsplit(link).netloc == urlsplit(page_url).netloc and _list_dir(link) == _list_dir(page_url)


def __getattr__(name):
    # Older settings name the de-duplication stage ``zonecrawler.crawl.incremental.IncrementalPipeline``.
    if name == "IncrementalPipeline":
        from zonecrawler.crawl.pipelines import DeduplicationPipeline

        return DeduplicationPipeline
    raise AttributeError(name)
