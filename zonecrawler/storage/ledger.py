"""The crawl ledger: one object per crawl that knows what is already delivered and what this job emitted.

Three sources of "known":
  * the :class:`~zonecrawler.storage.store.ArticleStore` — articles earlier, completed runs delivered
    (ignored when ``ZONECRAWLER_FULL`` is set);
  * the job's partial output — records a killed or paused run with the same ``JOBDIR``
    already wrote (read back by :mod:`zonecrawler.crawl.feeds` before the crawl starts);
  * this process — records emitted so far.

Only the store decides "stop paginating" (a page of articles this job emitted is not
old news); all three decide "don't download / don't emit again".  Records reach the
store only once the output holding them is published (:meth:`Ledger.maybe_commit`).

Memory: the ledger is the crawl's one owner of per-run de-duplication.  In memory it keeps
only two sets of 60-bit integer digests (canonical URLs and content hashes of the records
this job claimed); the rows themselves (id, url, site, content_hash, and the alias URLs)
are staged in a private, already unlinked SQLite file (:class:`Staging`) and streamed into
the store in one transaction when every output is published.  A digest hit is always confirmed against the
staged row, so a digest collision can never drop an article.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from pathlib import Path

from zonecrawler.storage.store import DEFAULT_STORE, ArticleStore

logger = logging.getLogger(__name__)
RESUMABLE_REASONS = {"shutdown", "cancelled"}
_KEEP = ("id", "url", "canonical_url", "site", "content_hash")


def digest60(text: str) -> int:
    """A 60-bit key for a URL or content hash (a 32-byte int object instead of a ~90-byte str)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") >> 4


_STAGING_SCHEMA = """
CREATE TABLE job (
    canonical_url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    url TEXT NOT NULL,
    site TEXT,
    content_hash TEXT,
    has_body INTEGER NOT NULL,
    emitted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX job_hash ON job(content_hash) WHERE has_body;
CREATE TABLE aliases (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    site TEXT,
    content_hash TEXT NOT NULL,
    kept_id TEXT NOT NULL
);
"""


class Staging:
    """This job's claimed records and alias URLs, on disk until they are committed to the store.

    A private SQLite file next to the store (or in the temp folder when there is no store),
    unlinked as soon as it is open: no journal, no fsync, and nothing left behind however the
    crawl ends (a killed crawl's rows vanish with its process; a resumed job re-reads its
    partial output).  Rows are ``emitted`` once the record reached the outputs
    (``item_scraped``, or read back from a resumed partial output); only those are committed.
    """

    BATCH = 500  # writes per SQLite transaction

    def __init__(self, folder: str | Path | None = None):
        folder = Path(folder) if folder else Path(tempfile.gettempdir())
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix="zonecrawler-run-", suffix=".sqlite", dir=folder)
        os.close(fd)
        try:
            self.db = sqlite3.connect(name, isolation_level="DEFERRED")
            self.db.execute("PRAGMA journal_mode=OFF")  # no side files: the open handle is all there is
            self.db.execute("PRAGMA synchronous=OFF")
            self.db.execute("PRAGMA temp_store=MEMORY")
            self.db.execute("PRAGMA cache_size=-1024")  # 1 MiB page cache
            self.db.executescript(_STAGING_SCHEMA)
            self.db.commit()
        finally:
            os.unlink(name)
        self._pending = 0

    def _wrote(self) -> None:
        self._pending += 1
        if self._pending >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.db.commit()
            self._pending = 0

    def add(self, record: dict, emitted: bool) -> None:
        """Stage a record (or mark an already staged one emitted)."""
        self.db.execute(
            "INSERT INTO job (canonical_url, id, url, site, content_hash, has_body, emitted) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(canonical_url) DO UPDATE SET emitted=max(emitted, excluded.emitted)",
            (record["canonical_url"], record.get("id"), record.get("url"), record.get("site"),
             record.get("content_hash"), 1 if record.get("body") else 0, 1 if emitted else 0),
        )
        self._wrote()

    def mark_emitted(self, canonical_url: str) -> bool:
        """Mark a staged record as written to the outputs; False when it was never staged."""
        n = self.db.execute("UPDATE job SET emitted=1 WHERE canonical_url=?", (canonical_url,)).rowcount
        self._wrote()
        return n > 0

    def has_url(self, canonical_url: str) -> bool:
        return self.db.execute("SELECT 1 FROM job WHERE canonical_url=?", (canonical_url,)).fetchone() is not None

    def owner_of(self, content_hash: str) -> dict | None:
        """The first staged record with a body and this content hash."""
        row = self.db.execute(
            "SELECT id, url, canonical_url, site, content_hash FROM job WHERE content_hash=? AND has_body"
            " ORDER BY rowid LIMIT 1", (content_hash,)
        ).fetchone()
        return dict(zip(_KEEP, row)) if row else None

    def add_alias(self, alias: dict) -> None:
        self.db.execute(
            "INSERT INTO aliases (canonical_url, url, site, content_hash, kept_id) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT(canonical_url) DO UPDATE SET kept_id=excluded.kept_id",
            (alias["canonical_url"], alias["url"], alias.get("site"), alias["content_hash"], alias["kept_id"]),
        )
        self._wrote()

    def emitted_records(self):
        """The emitted records, in the order they were staged (streamed, not loaded at once)."""
        self.flush()
        for row in self.db.execute("SELECT id, url, canonical_url, site, content_hash FROM job WHERE emitted ORDER BY rowid"):
            yield dict(zip(_KEEP, row))

    def alias_rows(self):
        self.flush()
        for row in self.db.execute("SELECT canonical_url, url, site, content_hash, kept_id FROM aliases ORDER BY rowid"):
            yield dict(zip(("canonical_url", "url", "site", "content_hash", "kept_id"), row))

    def close(self) -> None:
        """Close the staging file (its space is freed: it is already unlinked)."""
        self.db.close()


_RECENT_ROWS = 2048


class Ledger:
    """Shared run state; get it with :func:`ledger_for`."""

    def __init__(self, settings):
        self.full = settings.getbool("ZONECRAWLER_FULL")
        self.emit_changed = settings.getbool("ZONECRAWLER_EMIT_CHANGED")
        self.stop_on_known_page = settings.getbool("ZONECRAWLER_STOP_ON_KNOWN_PAGE", True)
        self.jobdir = settings.get("JOBDIR") or None
        self.store_path = settings.get("ZONECRAWLER_STORE", DEFAULT_STORE) or None
        self._store: ArticleStore | None = None
        self._staging: Staging | None = None
        self.job_urls: set[int] = set()  # digest60(canonical_url) of records this job claimed (incl. recovered)
        self.job_hashes: set[int] = set()  # digest60(content_hash) of claimed records that have a body
        self.claimed = 0
        self.recovered = 0
        self.close_reason: str | None = None
        self.open_feeds: set[str] = set()
        self.published_feeds: set[str] = set()
        self.committed = False
        self.site_history = {}  # site -> articles the store knew before this run
        # Recent store answers: the download filter asks about an article's URL, and the dedup
        # stage asks again moments later.  The store changes only when the run commits.
        self._recent_rows: dict[str, dict | None] = {}

    @property
    def store(self) -> ArticleStore | None:
        """The article store, opened on first use (None when ``ZONECRAWLER_STORE`` is empty)."""
        if self._store is None and self.store_path:
            self._store = ArticleStore(self.store_path)
        return self._store

    @property
    def staging(self) -> Staging:
        """This job's staged rows, created on first use (next to the store, or in the temp folder)."""
        if self._staging is None:
            folder = Path(self.store_path).parent if self.store_path and self.store_path != ":memory:" else None
            self._staging = Staging(folder)
        return self._staging

    # --- questions -----------------------------------------------------------
    def stored(self, canonical_url: str) -> dict | None:
        """The store's row for a URL, unless the store is off or ignored (full crawl)."""
        if self.full or self.store is None:
            return None
        try:
            return self._recent_rows[canonical_url]
        except KeyError:
            pass
        if len(self._recent_rows) >= _RECENT_ROWS:
            self._recent_rows.clear()
        row = self._recent_rows[canonical_url] = self.store.get(canonical_url)
        return row

    def known_before(self, canonical_url: str) -> bool:
        return self.stored(canonical_url) is not None

    def emitted_in_job(self, canonical_url: str) -> bool:
        """Did this job already claim (emit, or is about to emit) a record for this URL?"""
        return digest60(canonical_url) in self.job_urls and self.staging.has_url(canonical_url)

    def job_owner_of(self, content_hash: str) -> dict | None:
        """The record (with a body) this job claimed with this content hash, if any."""
        if digest60(content_hash) not in self.job_hashes:
            return None
        return self.staging.owner_of(content_hash)

    def owner_of(self, content_hash: str, canonical_url: str) -> dict | None:
        """An already delivered article (this job, or earlier runs) with the same content but another URL.

        A row from the store (an earlier run) carries ``"earlier_run": True``.
        """
        kept = self.job_owner_of(content_hash)
        if kept is None and not self.full and self.store is not None:
            kept = self.store.owner_of_hash(content_hash)
            if kept is not None:
                kept["earlier_run"] = True  # delivered by an earlier run (a site that moved looks like this)
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
    def _remember(self, record: dict, emitted: bool) -> None:
        self.job_urls.add(digest60(record["canonical_url"]))
        if record.get("body") and record.get("content_hash"):
            self.job_hashes.add(digest60(record["content_hash"]))
        self.staging.add(record, emitted)

    def claim(self, record: dict) -> None:
        """The de-duplication stage accepted ``record``: later copies (same URL or content) are duplicates."""
        self.claimed += 1
        self._remember(record, emitted=False)

    def add_emitted(self, record: dict) -> None:
        """A record that is (or already was, for recovered ones) written to the output."""
        if digest60(record["canonical_url"]) in self.job_urls and self.staging.mark_emitted(record["canonical_url"]):
            return
        self._remember(record, emitted=True)

    def add_alias(self, record: dict, kept: dict) -> None:
        self.staging.add_alias({
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
        if self.committed or self.close_reason is None:
            return
        if not self.open_feeds <= self.published_feeds:
            return
        # A paused job commits nothing: its resumed run re-reads the partial output. But an
        # output that did get published is delivered, and the store must know its records, or
        # a later run would deliver them again.
        if self.resumable_close() and not self.open_feeds:
            return
        self.committed = True
        if self.store is None or self._staging is None:
            self.close()
            return
        n = self.store.commit_records(self._staging.emitted_records(), self._staging.alias_rows())
        logger.debug("store %s: recorded %d articles", self.store.path, n)
        self.close()

    def close(self) -> None:
        """Drop the staged rows and close the store (which checkpoints its WAL into one self-contained file)."""
        if self._staging is not None:
            self._staging.close()
            self._staging = None
        if self._store is not None:
            self._store.close()
            self._store = None
        self._recent_rows.clear()


def ledger_for(crawler) -> Ledger:
    """The crawl's ledger, created on first use."""
    ledger = getattr(crawler, "_zc_ledger", None)
    if ledger is None:
        ledger = crawler._zc_ledger = Ledger(crawler.settings)
    return ledger
