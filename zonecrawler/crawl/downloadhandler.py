"""HTTP(S) download handler: Scrapy's HTTP/1.1 handler with bounded response headers.

``DOWNLOAD_MAXSIZE`` bounds a response's body, not its headers: a server that sends header
lines without end grows the crawl by gigabytes before the download timeout.  Scrapy's
handler reads headers with Twisted's HTTP client parser (``_LenientHTTPClientParser``, one
``lineReceived`` call per header line, each line at most 16 KB).  This handler counts those
lines and their bytes and gives the response up as soon as either bound is passed:

* ``ZONECRAWLER_MAX_RESPONSE_HEADERS`` (default 500 header lines, continuations included);
* ``ZONECRAWLER_MAX_RESPONSE_HEADER_BYTES`` (default 256 KB, status line included).

The download then fails with :class:`ResponseHeadersTooLarge` (a ``DownloadCancelledError``,
like a body over ``DOWNLOAD_MAXSIZE``: final, not retried) and a WARNING line naming the URL.
Registered for ``http`` and ``https`` in ``DOWNLOAD_HANDLERS`` (``zonecrawler/settings.py``).
"""

from __future__ import annotations

import functools
import logging

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from scrapy.exceptions import DownloadCancelledError, DownloadFailedError
from twisted.web._newclient import HEADER, STATUS

logger = logging.getLogger(__name__)

DEFAULT_MAX_HEADERS = 500
DEFAULT_MAX_HEADER_BYTES = 256 * 1024


class ResponseHeadersTooLarge(DownloadCancelledError):
    """The response's header section passed a bound; the message says which."""


class _BoundedHeaderParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser, counting header lines and bytes as they arrive."""

    def lineReceived(self, line: bytes) -> None:  # noqa: N802 - Twisted naming
        if self.state in (STATUS, HEADER):
            self._zc_lines += 1
            self._zc_bytes += len(line) + 1
            max_lines, max_bytes = self._zc_limits
            if self._zc_lines > max_lines + 1:  # + the status line
                raise ResponseHeadersTooLarge(f"more than {max_lines} response header lines")
            if self._zc_bytes > max_bytes:
                raise ResponseHeadersTooLarge(f"response headers larger than {max_bytes} bytes")
        super().lineReceived(line)


class _BoundedHeaderProtocol(_LenientHTTP11ClientProtocol):
    """A connection whose response parsers are :class:`_BoundedHeaderParser`."""

    def __init__(self, quiescentCallback, limits: tuple[int, int]):  # noqa: N803 - Twisted naming
        super().__init__(quiescentCallback)
        self._zc_limits = limits

    def request(self, request):
        d = super().request(request)
        # Scrapy's protocol swaps the class of the parser HTTP11ClientProtocol.request() made
        # for its lenient one; the bounded parser is that class plus three counters.
        parser = self._parser
        parser.__class__ = _BoundedHeaderParser
        parser._zc_limits, parser._zc_lines, parser._zc_bytes = self._zc_limits, 0, 0
        return d


class _BoundedHeaderFactory(_LenientHTTP11ClientFactory):
    def __init__(self, quiescentCallback, metadata, limits: tuple[int, int]):  # noqa: N803
        super().__init__(quiescentCallback, metadata)
        self._zc_limits = limits

    def buildProtocol(self, addr):  # noqa: N802
        return _BoundedHeaderProtocol(self._quiescentCallback, self._zc_limits)


class BoundedHeadersDownloadHandler(HTTP11DownloadHandler):
    """``HTTP11DownloadHandler`` whose connections give up on oversized response headers."""

    def __init__(self, crawler):
        super().__init__(crawler)
        settings = crawler.settings
        limits = (settings.getint("ZONECRAWLER_MAX_RESPONSE_HEADERS", DEFAULT_MAX_HEADERS),
                  settings.getint("ZONECRAWLER_MAX_RESPONSE_HEADER_BYTES", DEFAULT_MAX_HEADER_BYTES))
        self._pool._factory = functools.partial(_BoundedHeaderFactory, limits=limits)

    async def download_request(self, request):
        try:
            return await super().download_request(request)
        except DownloadFailedError as exc:
            bound = _headers_too_large(exc)
            if bound is None:
                raise
            message = f"Cancelling download of {request.url}: {bound}"
            logger.warning(message)
            raise ResponseHeadersTooLarge(message) from exc


def _headers_too_large(exc: BaseException) -> ResponseHeadersTooLarge | None:
    """The :class:`ResponseHeadersTooLarge` behind a failed download (Twisted wraps it in ResponseFailed)."""
    cause = exc.__cause__
    for reason in getattr(cause, "reasons", None) or ():
        if isinstance(getattr(reason, "value", None), ResponseHeadersTooLarge):
            return reason.value
    return None
