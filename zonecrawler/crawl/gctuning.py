"""Garbage-collector tuning for a long crawl: fewer, cheaper collections in the crawl process.

A crawl allocates tens of thousands of short-lived objects a second (requests, responses,
Deferreds, asyncio tasks), so CPython's collector runs thousands of times a crawl.  Each
full collection walks every object alive: the imported modules, the gazetteer, the site
registry, Scrapy's components — ~100,000 objects that live as long as the process.
:class:`GcTuning` (an extension, on by default) does two things when the engine starts:

* ``gc.freeze()`` after one collection (``ZONECRAWLER_GC_FREEZE``): everything alive after
  start-up moves to the permanent generation, which collections skip;
* ``ZONECRAWLER_GC_THRESHOLD`` sets the youngest generation's threshold (Python's default
  is 700 allocations): fewer young collections, each still cheap.

Both are undone when the engine stops, so a process that runs several crawls, or the
test suite, gets Python's defaults back.  Reference counting frees almost everything a
crawl allocates at once, whatever these settings say; they only change how often the
cycle collector looks for garbage cycles.
"""

from __future__ import annotations

import gc
import logging

from scrapy import signals

logger = logging.getLogger(__name__)


def threshold_from_setting(value) -> int | None:
    """``ZONECRAWLER_GC_THRESHOLD`` as an allocation count, or None for Python's default."""
    if value in (None, "", 0, "0"):
        return None
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 1 or isinstance(value, float) and value != count:
        raise ValueError(f"ZONECRAWLER_GC_THRESHOLD must be a whole number of allocations >= 1 "
                         f"(or 0 for Python's default), not {value!r}")
    return count


class GcTuning:
    """Freeze start-up objects and raise the young-generation threshold while the engine runs."""

    def __init__(self, freeze: bool, threshold: int | None):
        self.freeze = freeze
        self.threshold = threshold
        self._saved_threshold: tuple[int, int, int] | None = None
        self._frozen = False

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        extension = cls(settings.getbool("ZONECRAWLER_GC_FREEZE", True),
                        threshold_from_setting(settings.get("ZONECRAWLER_GC_THRESHOLD")))
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        crawler.signals.connect(extension.engine_stopped, signal=signals.engine_stopped)
        return extension

    def engine_started(self) -> None:
        if self.freeze:
            gc.collect()
            gc.freeze()
            self._frozen = True
        if self.threshold is not None:
            self._saved_threshold = gc.get_threshold()
            gc.set_threshold(self.threshold, *self._saved_threshold[1:])
        logger.debug("garbage collector: %d start-up objects frozen, thresholds %s",
                     gc.get_freeze_count(), gc.get_threshold())

    def engine_stopped(self) -> None:
        if self._saved_threshold is not None:
            gc.set_threshold(*self._saved_threshold)
            self._saved_threshold = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
