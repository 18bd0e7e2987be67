"""Scrapy extensions for the run's bookkeeping: the crawl's locks, the ledger's signals and the JOBDIR guard.

* :class:`CrawlLocks` takes the exclusive locks on the job dir, the article store and every
  local output before anything reads them (see :mod:`zonecrawler.storage.locks`); a crawl
  that finds one taken stops at once with :class:`~zonecrawler.storage.locks.LockHeld`.

* :class:`LedgerExtension` tells the crawl's :class:`~zonecrawler.storage.ledger.Ledger` which
  records were written and why the crawl closed, so the store is committed once every
  output is published.
* :class:`JobDirGuard` detects a killed previous run in ``JOBDIR`` and discards its
  untrustworthy scheduler state (see :mod:`zonecrawler.storage.jobdir`).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured

from zonecrawler.storage.jobdir import MARKER, discard_scheduler_state
from zonecrawler.storage.ledger import ledger_for
from zonecrawler.storage.locks import LOCKED_EXIT_CODE, LockHeld, acquire, release_all

logger = logging.getLogger(__name__)


def local_feed_paths(settings) -> list[Path]:
    """Local files the crawl's feeds write (plain paths and ``file://`` URIs)."""
    from urllib.parse import unquote, urlsplit

    paths = []
    for uri in settings.getdict("FEEDS") or {}:
        uri = str(uri)
        parts = urlsplit(uri)
        if parts.scheme == "file":
            uri = unquote(parts.path)
        elif parts.scheme and len(parts.scheme) > 1:  # s3://, ftp://, … (a one-letter scheme is a drive)
            continue
        path = Path(uri)
        if "%(" in str(path.parent):  # a per-run folder (%(name)s/…): each run writes its own files
            continue
        paths.append(path)
    return paths


class CrawlLocks:
    """Exclusive locks on the job dir, the store and each local output, held until the engine stops.

    Built first among zonecrawler's extensions (after the spider, whose arguments decide the
    store), so a second crawl stops before the JOBDIR guard, the ledger or a feed looks at
    the first crawl's files.  ``scrapy crawl`` that finds a lock taken logs one ERROR line
    and exits with :data:`~zonecrawler.storage.locks.LOCKED_EXIT_CODE`; the ``zonecrawler``
    commands (``ZONECRAWLER_LOCK_RAISE``) get the :class:`LockHeld` exception instead.
    """

    def __init__(self, crawler):
        settings = crawler.settings
        wanted = []
        if settings.get("JOBDIR"):
            wanted.append((settings.get("JOBDIR"), "job dir", "jobdir"))
        store = settings.get("ZONECRAWLER_STORE")
        if store and store != ":memory:":
            wanted.append((store, "article store", "file"))
        wanted += [(path, "output", "file") for path in local_feed_paths(settings)]
        self.locks = []
        try:
            for path, what, kind in wanted:
                self.locks.append(acquire(path, what, kind))
        except LockHeld as exc:
            release_all(self.locks)
            if settings.getbool("ZONECRAWLER_LOCK_RAISE"):
                raise
            logger.error("%s", exc)
            logging.shutdown()
            os._exit(LOCKED_EXIT_CODE)  # nothing of this crawl is open yet: no traceback, no cleanup to do
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def engine_stopped(self):
        release_all(self.locks)
        self.locks = []


class LedgerExtension:
    """Records why the crawl closed and commits the store when no atomic feed does it."""

    def __init__(self, crawler):
        self.ledger = ledger_for(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        if str(getattr(spider, "full", "") or "").lower() in ("1", "true", "yes", "on"):
            self.ledger.full = True  # `scrapy crawl SPIDER -a full=1`

    def item_scraped(self, item, response=None, spider=None):
        if isinstance(item, dict) and item.get("canonical_url"):
            self.ledger.add_emitted(item)

    def spider_closed(self, spider, reason):
        self.ledger.close_reason = reason
        if self.ledger.resumable_close():
            logger.info("crawl paused (%s); resume with the same JOBDIR %s", reason, Path(self.ledger.jobdir))
        # Feeds opened by now commit when they are published; otherwise commit here.
        self.ledger.maybe_commit()

    def engine_stopped(self):
        # Feeds are published (and the store committed) before this; a paused crawl's or an
        # unpublished feed's staged rows are dropped: a resumed job re-reads its partial output.
        self.ledger.close()


class JobDirGuard:
    """Detect a killed previous run in ``JOBDIR`` and reset its untrustworthy scheduler state."""

    def __init__(self, jobdir: str, crawler):
        self.jobdir = Path(jobdir)
        self.marker = self.jobdir / MARKER
        self.jobdir.mkdir(parents=True, exist_ok=True)
        if self.marker.exists():
            removed = discard_scheduler_state(self.jobdir)
            crawler.stats.set_value("zonecrawler/resume/after_kill", 1)
            logger.warning(
                "the previous crawl in %s did not shut down cleanly (%s); discarded %s and re-walking "
                "the lists; articles already written are not fetched again",
                self.jobdir, self.marker.read_text("utf-8").strip() or "killed", ", ".join(removed) or "nothing",
            )
        elif (self.jobdir / "requests.seen").exists():
            discard_scheduler_state(self.jobdir, ("requests.seen",))
            crawler.stats.set_value("zonecrawler/resume/after_pause", 1)
            logger.info("resuming the paused crawl in %s (re-walking the lists for requests lost in flight)", self.jobdir)
        self.marker.write_text(f"pid {os.getpid()} started {datetime.now(timezone.utc).isoformat(timespec='seconds')}\n",
                               "utf-8")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured
        return cls(jobdir, crawler)

    def spider_closed(self, spider, reason):
        # The scheduler has saved its state by now (the engine closes it before this signal).
        self.marker.unlink(missing_ok=True)
