"""Scrapy extensions for the run's bookkeeping: the crawl's locks, the ledger's signals and the JOBDIR guard.

* :class:`CrawlLocks` takes the exclusive locks on the job dir, the article store and every
  local output before anything reads them (see :mod:`zonecrawler.storage.locks`); a crawl
  that finds one taken stops at once with :class:`~zonecrawler.storage.locks.LockHeld`.

* :class:`LedgerExtension` checks the article store and finishes an interrupted publish before
  anything else starts (:meth:`~zonecrawler.storage.ledger.Ledger.start`; a damaged store or a
  failed replay closes the spider before any request, reason ``io_error``), stops the crawl at
  the first failure to write state or output, and tells the crawl's
  :class:`~zonecrawler.storage.ledger.Ledger` which records were written and why the crawl
  closed, so the store is committed once every output is published.
* :class:`JobDirGuard` detects a killed previous run in ``JOBDIR`` and discards its
  untrustworthy scheduler state (see :mod:`zonecrawler.storage.jobdir`); a saved queue or
  spider state that cannot be read back (:func:`saved_state_problem`) is discarded the same
  way, with a warning, instead of failing or hanging every later run.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import CloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from zonecrawler.storage.jobdir import MARKER, discard_scheduler_state
from zonecrawler.storage.ledger import ledger_for
from zonecrawler.storage.locks import LOCKED_EXIT_CODE, LockHeld, acquire, release_all

logger = logging.getLogger(__name__)
IO_ERROR = "io_error"  # close reason: state or output could not be read or written


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
                try:
                    self.locks.append(acquire(path, what, kind))
                except OSError as exc:  # the lock file cannot be created: an unwritable path, reported as such
                    ledger_for(crawler).fail(f"{what} {path}: cannot create its lock file {exc.filename or path}: "
                                             f"{exc.strerror or exc}" + (f" [errno {exc.errno}]" if exc.errno else ""))
                    break
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
        self.crawler = crawler
        self.ledger = ledger_for(crawler)
        # Before the feed storages read back a partial output: finish what a killed run left half published.
        self.ledger.start()
        self.ledger.on_failure = self._stop
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _stop(self, message: str) -> None:
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and getattr(engine, "spider", None) is not None:
            deferred_from_coro(engine.close_spider_async(reason=IO_ERROR))

    def spider_opened(self, spider):
        if self.ledger.failures:
            raise CloseSpider(IO_ERROR)
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
        elif (problem := saved_state_problem(self.jobdir, crawler)) is not None:
            removed = discard_scheduler_state(self.jobdir)
            crawler.stats.set_value("zonecrawler/resume/unreadable_state", 1)
            logger.warning("the saved crawl state in %s cannot be read (%s); discarded %s and re-walking the lists; "
                           "articles already written are not fetched again", self.jobdir, problem,
                           ", ".join(removed) or "nothing")
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


def saved_state_problem(jobdir: Path, crawler) -> str | None:
    """Why Scrapy could not read back the queue or spider state saved in ``jobdir`` (None: it can).

    The queue is read on a copy, with the crawl's own disk queue class, request by request,
    so a damaged index (``active.json``), a damaged queue file or an unpicklable request
    is found before the scheduler trips over it.
    """
    from scrapy.utils.misc import build_from_crawler, load_object
    from scrapy.utils.request import request_from_dict

    state = jobdir / "spider.state"
    if state.exists():
        try:
            with state.open("rb") as fh:
                pickle.load(fh)
        except Exception as exc:  # any unpickling error: the file is not what Scrapy wrote
            return f"spider.state: {type(exc).__name__}: {exc}"
    queue = jobdir / "requests.queue"
    if not queue.exists():
        return None
    active = queue / "active.json"
    if active.exists():
        try:
            json.loads(active.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            return f"requests.queue/active.json: {exc}"
    dqclass = load_object(crawler.settings["SCHEDULER_DISK_QUEUE"])
    with tempfile.TemporaryDirectory(prefix="zonecrawler-queue-check-") as tmp:
        copy = Path(tmp) / "q"
        shutil.copytree(queue, copy)
        for path in _disk_queues(copy):
            name = path.relative_to(copy)
            try:
                dq = build_from_crawler(dqclass, crawler, key=str(path))
                try:
                    for _ in range(1_000_000):
                        obj = dq.pop()
                        if obj is None:
                            break
                        if isinstance(obj, dict):
                            request_from_dict(obj, spider=crawler.spider)
                finally:
                    dq.close()
            except Exception as exc:  # whatever the queue class raises on bytes it did not write
                return f"requests.queue/{name}: {type(exc).__name__}: {exc}"
    return None


def _disk_queues(root: Path):
    """Saved disk queues under ``root``: LIFO queues are files named by their priority, FIFO ones folders with info.json."""
    for path in sorted(root.rglob("*")):
        if path.is_dir() and (path / "info.json").exists():
            yield path
        elif path.is_file() and path.name.lstrip("-").isdigit() and not (path.parent / "info.json").exists():
            yield path
