"""Responses whose declared charset is no text encoding: give Scrapy a charset it can decode.

A page may declare ``charset=base64`` (HTTP header) or ``<meta charset=hex>``: Python has
codecs by those names (and ``zlib``, ``rot13`` …) that are not text encodings, so Scrapy's
``response.text`` raises ``LookupError`` — in ``MetaRefreshMiddleware``, before the spider sees
the page, which was given up.  :class:`PageCharsetMiddleware` (after decompression, before
``MetaRefreshMiddleware`` in ``DOWNLOADER_MIDDLEWARES``) replaces such a response by one with the
charset :func:`zonecrawler.extract.decode.decode_html` finds in the body.  Extraction itself
never trusts a declaration (``decode_html`` ignores charsets that are no page charset).
"""

from __future__ import annotations

import logging

from scrapy.http import TextResponse

from zonecrawler.extract.decode import decode_html, page_codec

logger = logging.getLogger(__name__)


class PageCharsetMiddleware:
    """Downloader middleware: a text response's encoding is always one that decodes text."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_response(self, request, response, spider=None):
        if not isinstance(response, TextResponse) or page_codec(response.encoding) is not None:
            return response
        _, codec = decode_html(response.body)
        logger.info("%s declares charset %r, which is no text encoding; read as %s", response.url, response.encoding, codec)
        self.stats.inc_value("zonecrawler/charset_not_text")
        return response.replace(encoding=codec)
