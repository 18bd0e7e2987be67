"""Offsite filtering by origin: Scrapy's host check, plus the port.

Scrapy's ``OffsiteMiddleware`` compares host names only, so a link or a redirect to the
site's host on another port (another server, often an admin or test instance) passed as
the site's own.  :class:`SiteOffsiteMiddleware` (in its place in ``DOWNLOADER_MIDDLEWARES``)
also asks the request's site whether the port is one of its own
(:meth:`zonecrawler.siteconfig.Site.allows`: the start URLs' ports plus 80 and 443; a
``base_url`` mirror's port only).
"""

from __future__ import annotations

import logging

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.utils.httpobj import urlparse_cached

logger = logging.getLogger(__name__)


class SiteOffsiteMiddleware(OffsiteMiddleware):
    """Filters requests off the allowed domains (Scrapy) or off the site's ports (here)."""

    def should_follow(self, request, spider) -> bool:
        if not super().should_follow(request, spider):
            return False
        sites = getattr(spider, "sites", None) or {}
        site = sites.get(request.meta.get("zc_site"))
        if not sites or any(s.allows(request.url) for s in ([site] if site else sites.values())):
            return True
        netloc = urlparse_cached(request).netloc
        if netloc not in self.domains_seen:
            self.domains_seen.add(netloc)
            logger.debug("Filtered request to another port of the site, %r: %s", netloc, request)
        self.stats.inc_value("offsite/other_port")
        return False
