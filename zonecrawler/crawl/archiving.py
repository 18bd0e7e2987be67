"""Downloader middleware that saves article responses to the raw page archive.

On when ``ZONECRAWLER_ARCHIVE_DIR`` is set; the archive's layout is owned by
:mod:`zonecrawler.storage.archive`.  A page that cannot be saved (full disk, read-only
folder) fails the crawl with one line naming the path and the OS error, and stops it: a
crawl whose archive is incomplete publishes nothing.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.http import TextResponse

from zonecrawler.crawl.incremental import canonical_for
from zonecrawler.storage.archive import save_page
from zonecrawler.storage.ledger import ledger_for


class ArchiveMiddleware:
    """Downloader middleware: save article responses (after redirects and decompression)."""

    def __init__(self, root: str, crawler):
        self.root = Path(root)
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        root = crawler.settings.get("ZONECRAWLER_ARCHIVE_DIR")
        if not root:
            raise NotConfigured
        return cls(root, crawler)

    def process_response(self, request, response, spider=None):
        if request.meta.get("zc_kind") == "article" and response.status == 200 and isinstance(response, TextResponse):
            ctype = response.headers.get("Content-Type")
            site = request.meta.get("zc_site") or ""
            try:
                save_page(self.root, site, response.url, response.body, ctype.decode("latin-1") if ctype else None,
                          response.status, canonical_url=canonical_for(self.crawler, response.url, site))
            except OSError as exc:
                self.stats.inc_value("zonecrawler/archive/failed")
                ledger_for(self.crawler).fail(
                    f"archive {self.root}: cannot write {exc.filename or self.root}: {exc.strerror or exc}"
                    + (f" [errno {exc.errno}]" if exc.errno else ""))
                return response
            self.stats.inc_value("zonecrawler/archive/saved")
        return response


