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

Failures: :meth:`Ledger.fail` collects every failure to read or write the crawl's state and
outputs (the store, a feed file, the archive) as one line each; any of them fails the crawl
(the health summary lists them), and the crawl layer stops the crawl at the first one
(``on_failure``).  A crawl that failed publishes nothing and commits nothing
(:meth:`Ledger.publishable`).  Publishing and committing are one recoverable step through the
publish intent (:mod:`zonecrawler.storage.intent`), replayed by :meth:`Ledger.start`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from zonecrawler.storage import intent
from zonecrawler.storage.jobdir import job_finished
from zonecrawler.storage.store import DEFAULT_STORE, ArticleStore, StoreError

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
        self.unreadable_lines = 0  # lines of a resumed partial output that were not records (dropped)
        self.close_reason: str | None = None
        self.open_feeds: set[str] = set()
        self.published_feeds: set[str] = set()
        self.committed = False
        self.site_history = {}  # site -> articles the store knew before this run
        # Recent store answers: the download filter asks about an article's URL, and the dedup
        # stage asks again moments later.  The store changes only when the run commits.
        self._recent_rows: dict[str, dict | None] = {}
        self.failures: list[str] = []  # one line per failure to read or write state or outputs
        self.on_failure = None  # called once, with the first failure (the crawl layer stops the crawl)
        self.judge = None  # returns the crawl's failures so far (the health verdict), set by the crawl layer
        self.intent_path = intent.intent_path(self.jobdir, self.store_path)
        # Distributed crawls share one queue: a request taken is done for every process, so an
        # unhealthy process still publishes what it has (withholding it would lose those articles).
        # Local feed files publish through AtomicFileFeedStorage, which tells the ledger; the store
        # waits for them even when none is open yet at close (an empty feed is opened last).
        self.expect_feeds = any(urlsplit(str(uri)).scheme in ("", "file") for uri in (settings.get("FEEDS") or {}))
        self.distributed = bool(settings.get("REDIS_URL") or settings.get("ZONECRAWLER_REDIS_URL"))
        self._intent_written = False

    @property
    def store(self) -> ArticleStore | None:
        """The article store, opened on first use (None when ``ZONECRAWLER_STORE`` is empty or unusable)."""
        if self._store is None and self.store_path and not self.failures:
            try:
                self._store = ArticleStore(self.store_path)
            except StoreError as exc:
                self.fail(str(exc))
        return self._store

    def start(self) -> None:
        """Open (and check) the store and finish a publish a killed run left half done; failures go to :meth:`fail`."""
        if self.failures:
            return  # e.g. a lock could not be taken: touch nothing
        if self.store_path and self.store is None:
            return
        try:
            n = intent.replay(self.intent_path, self._commit_rows)
        except StoreError as exc:
            self.fail(f"{exc} (articles published by the interrupted previous run, listed in {self.intent_path}; "
                      "nothing is crawled until they are recorded)")
            return
        except (OSError, ValueError) as exc:
            self.fail(f"publish intent {self.intent_path} cannot be read: {exc}")
            return
        if n:
            self.replayed = n

    replayed = 0

    def _commit_rows(self, records, aliases) -> None:
        if self.store is None:
            if self.store_path:
                raise StoreError(self.failures[-1] if self.failures else f"article store {self.store_path} unusable")
            return
        self.store.commit_records(records, aliases)

    def fail(self, message: str) -> None:
        """Record a failure that fails the crawl (logged once as an ERROR line); the first one stops the crawl."""
        if message in self.failures:
            return
        self.failures.append(message)
        logger.error("%s", message)
        if len(self.failures) == 1 and self.on_failure is not None:
            self.on_failure(message)

    def publishable(self) -> bool:
        """May the outputs be published (and the store committed)?  Not when the crawl failed."""
        if self.failures:
            return False
        if self.distributed:
            return True
        verdict = self.judge() if self.judge is not None else []
        return not verdict

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

    def before_publish(self, final: str, source: str, part: str) -> None:
        """Make the coming rename of ``source`` to ``final`` recoverable (raises OSError when it cannot be)."""
        if self.intent_path is None or self.close_reason is None:
            return  # a batch file published mid-crawl: committed with the rest when the crawl ends
        if not self._intent_written:
            records = self._staging.emitted_records() if self._staging is not None and self.store is not None else ()
            aliases = self._staging.alias_rows() if self._staging is not None and self.store is not None else ()
            intent.write_rows(self.intent_path, records, aliases)
            self._intent_written = True
        intent.add_publishing(self.intent_path, Path(final), Path(source), Path(part))

    def feed_published(self, path: str) -> None:
        self.published_feeds.add(path)
        self.maybe_commit()

    def maybe_commit(self) -> None:
        """Write this job's records to the store once the crawl ended and every output is published."""
        if self.committed or self.close_reason is None:
            return
        if not self.open_feeds <= self.published_feeds:
            return
        if self.expect_feeds and not self.open_feeds and not self.resumable_close() and self.publishable():
            return  # the feed opens (and publishes) after the spider closed: commit then
        # A paused job commits nothing: its resumed run re-reads the partial output. But an
        # output that did get published is delivered, and the store must know its records, or
        # a later run would deliver them again.
        if self.resumable_close() and not self.open_feeds:
            return
        if not self.open_feeds and not self.publishable():
            self.committed = True  # no output was published, and a failed crawl commits nothing
            self.close()
            return
        self.committed = True
        if self.store is None or self._staging is None:
            self._intent_done()
            self.close()
            return
        try:
            n = self.store.commit_records(self._staging.emitted_records(), self._staging.alias_rows())
        except StoreError as exc:
            where = f"; they are recorded from {self.intent_path} when the next run starts" if self._intent_written else ""
            self.fail(f"{exc}{where}")
            self.close()
            return
        logger.debug("store %s: recorded %d articles", self.store.path, n)
        self._intent_done()
        self.close()

    def _finished_job(self) -> None:
        if self.published_feeds and not self.resumable_close():
            job_finished(self.jobdir)

    def _intent_done(self) -> None:
        self._finished_job()
        if self._intent_written:
            try:
                intent.remove(self.intent_path)
            except OSError as exc:  # replaying it again later only re-commits the same rows
                logger.warning("could not remove the publish intent %s: %s", self.intent_path, exc)
            self._intent_written = False

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
