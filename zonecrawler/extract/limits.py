"""Bounds on the work one page may cost, and the errors that say a page was given up on.

A hostile or broken page must not cost unbounded time or memory.  When a bound is hit the
extractor raises a :class:`PageNotExtracted` subclass whose message names the bound; callers
(the crawl, the single-page command) turn it into one log or ``error:`` line and a count.
"""

from __future__ import annotations

# Wall-clock limit on extracting one page (seconds); see zonecrawler.crawl.extractpool.
DEFAULT_TIME_LIMIT = 20.0


class PageNotExtracted(Exception):
    """A page the extractor gave up on; ``reason`` is a short stat-friendly name for why."""

    reason = "not_extracted"


class ExtractionTimeout(PageNotExtracted):
    """Extracting the page took longer than the per-page time limit."""

    reason = "timeout"
