"""The crawl ledger: one object per crawl that knows what is already delivered and what this job emitted.

Three sources of "known":
  * the :class:`~zonecrawler.store.ArticleStore` — articles earlier, completed runs delivered
    (ignored when ``ZONECRAWLER_FULL`` is set);
  * the job's partial output — records a killed or paused run with the same ``JOBDIR``
    already wrote (read back by :mod:`zonecrawler.feeds` before the crawl starts);
  * this process — records emitted so far.

Only the store decides "stop paginating" (a page of articles this job emitted is not
old news); all three decide "don't download / don't emit again".  Records reach the
store only once the output holding them is published (:meth:`Ledger.maybe_commit`).
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals

from zonecrawler.store import DEFAULT_STORE, ArticleStore

logger = logging.getLogger(__name__)
RESUMABLE_REASONS = {"shutdown", "cancelled"}
_KEEP = ("id", "url", "canonical_url", "site", "content_hash")


class Ledger:
    """Shared run state; get it with :func:`ledger_for`."""

    def __init__(self, settings):
        self.full = settings.getbool("ZONECRAWLER_FULL")
        self.emit_changed = settings.getbool("ZONECRAWLER_EMIT_CHANGED")
        self.stop_on_known_page = settings.getbool("ZONECRAWLER_STOP_ON_KNOWN_PAGE", True)
        self.jobdir = settings.get("JOBDIR") or None
        self.store_path = settings.get("ZONECRAWLER_STORE", DEFAULT_STORE) or None
        self._store: ArticleStore | None = None
        self.job_urls: dict[str, str] = {}  # canonical_url -> id, emitted by this job (incl. recovered)
        self.job_hashes: dict[str, dict] = {}  # content_hash -> kept record (minimal)
        self.to_commit: list[dict] = []
        self.aliases: list[dict] = []
        self.recovered = 0
        self.close_reason: str | None = None
        self.open_feeds: set[str] = set()
        self.published_feeds: set[str] = set()
        self.committed = False
        self.site_history = {}  # site -> articles the store knew before this run

    @property
    def store(self) -> ArticleStore | None:
        """The article store, opened on first use (None when ``ZONECRAWLER_STORE`` is empty)."""
        if self._store is None and self.store_path:
            self._store = ArticleStore(self.store_path)
        return self._store

    # --- questions -----------------------------------------------------------
    def stored(self, canonical_url: str) -> dict | None:
        """The store's row for a URL, unless the store is off or ignored (full crawl)."""
        if self.full or self.store is None:
            return None
        return self.store.get(canonical_url)

    def known_before(self, canonical_url: str) -> bool:
        return self.stored(canonical_url) is not None

    def emitted_in_job(self, canonical_url: str) -> bool:
        return canonical_url in self.job_urls

    def owner_of(self, content_hash: str, canonical_url: str) -> dict | None:
        """An already delivered article (this job, or earlier runs) with the same content but another URL."""
        kept = self.job_hashes.get(content_hash)
        if kept is None and not self.full and self.store is not None:
            kept = self.store.owner_of_hash(content_hash)
        if kept is not None and kept["canonical_url"] != canonical_url:
            return kept
        return None

    def history(self, site: str) -> int:
        """How many articles of ``site`` the store held when the crawl started."""
        if site not in self.site_history:
            self.site_history[site] = self.store.count(site) if self.store is not None else 0
        return self.site_history[site]

    def resumable_close(self) -> bool:
        """True when the crawl is paused (JOBDIR + shutdown): keep partial output, publish nothing."""
        return bool(self.jobdir) and self.close_reason in RESUMABLE_REASONS

    # --- bookkeeping ---------------------------------------------------------
    def add_emitted(self, record: dict) -> None:
        """A record that is (or already was, for recovered ones) written to the output."""
        kept = {k: record.get(k) for k in _KEEP}
        self.job_urls[kept["canonical_url"]] = kept["id"]
        if record.get("body"):
            self.job_hashes.setdefault(kept["content_hash"], kept)
        self.to_commit.append(kept)

    def add_alias(self, record: dict, kept: dict) -> None:
        self.aliases.append({
            "canonical_url": record["canonical_url"], "url": record["url"], "site": record.get("site"),
            "content_hash": record["content_hash"], "kept_id": kept["id"],
        })

    def feed_opened(self, path: str) -> None:
        self.open_feeds.add(path)

    def feed_published(self, path: str) -> None:
        self.published_feeds.add(path)
        self.maybe_commit()

    def maybe_commit(self) -> None:
        """Write this job's records to the store once the crawl ended and every output is published."""
        if self.committed or self.close_reason is None or self.resumable_close():
            return
        if not self.open_feeds <= self.published_feeds:
            return
        self.committed = True
        if self.store is None:
            return
        n = self.store.commit_records(self.to_commit, self.aliases)
        logger.debug("store %s: recorded %d articles, %d alias URLs", self.store.path, n, len(self.aliases))
        self._store.close()  # checkpoints the WAL: the store is one self-contained file again
        self._store = None


def ledger_for(crawler) -> Ledger:
    """The crawl's ledger, created on first use."""
    ledger = getattr(crawler, "_zc_ledger", None)
    if ledger is None:
        ledger = crawler._zc_ledger = Ledger(crawler.settings)
    return ledger


class LedgerExtension:
    """Records why the crawl closed and commits the store when no atomic feed does it."""

    def __init__(self, crawler):
        self.ledger = ledger_for(crawler)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

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
