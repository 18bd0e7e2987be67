"""Downloader middleware that saves article responses to the raw page archive.

On when ``ZONECRAWLER_ARCHIVE_DIR`` is set; the archive's layout is owned by
:mod:`zonecrawler.storage.archive`.
"""

from __future__ import annotations

from pathlib import Path

from scrapy.http import TextResponse

from zonecrawler.storage.archive import save_page


class ArchiveMiddleware:
    """Downloader middleware: save article responses (after redirects and decompression)."""

    def __init__(self, root: str, stats):
        self.root = Path(root)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        root = crawler.settings.get("ZONECRAWLER_ARCHIVE_DIR")
        if not root:
            raise NotConfigured
        return cls(root, crawler.stats)

    def process_response(self, request, response, spider=None):
        if request.meta.get("zc_kind") == "article" and response.status == 200 and isinstance(response, TextResponse):
            ctype = response.headers.get("Content-Type")
            save_page(self.root, request.meta.get("zc_site") or "", response.url, response.body,
                      ctype.decode("latin-1") if ctype else None, response.status)
            self.stats.inc_value("zonecrawler/archive/saved")
        return response


