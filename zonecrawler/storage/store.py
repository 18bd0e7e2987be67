"""The article store: which articles earlier runs already delivered (SQLite, one file).

``articles`` holds one row per canonical URL that reached a published output
(id, url, canonical_url, site, content_hash, first_seen, last_seen).  ``aliases``
records other URLs whose page had the same content_hash as a stored article
(the same story republished elsewhere): only the first one is emitted.

Writes are staged by the caller (a crawl stages them in a file of its own) and committed
only once the output holding those records is complete (see :mod:`zonecrawler.storage.ledger`),
so a crawl that dies never marks as "known" an article nobody received.

Damaged stores are refused, never silently treated as empty: opening an existing file runs
``PRAGMA quick_check`` and checks the schema version (``PRAGMA user_version``); a file that
is empty, not SQLite, a directory, damaged, or of an unknown version raises
:class:`StoreError` with one line saying so.  A new store is built under a temporary name
and renamed into place, so an existing store file always has its schema: only a path that
does not exist starts empty.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

from zonecrawler.storage.files import fsync_dir

DEFAULT_STORE = ".zonecrawler/store.sqlite"
SCHEMA_VERSION = 1  # PRAGMA user_version of a store this version writes
_TABLES = {"articles", "aliases"}


class StoreError(Exception):
    """The article store cannot be used (damaged, not a store, unwritable); the message is one line."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    site TEXT,
    content_hash TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_site ON articles(site);
CREATE TABLE IF NOT EXISTS aliases (
    canonical_url TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    site TEXT,
    content_hash TEXT NOT NULL,
    kept_id TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS aliases_hash ON aliases(content_hash);
"""


def _connect(name: str) -> sqlite3.Connection:
    db = sqlite3.connect(name, timeout=30)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _create(db: sqlite3.Connection) -> None:
    db.executescript(_SCHEMA)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    db.commit()


def _build_new(path: Path) -> None:
    """Create an empty store at ``path`` atomically: built under a temporary name, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.new-{os.getpid()}")
    for leftover in path.parent.glob(f"{path.name}.new-*"):  # left by a run killed while building the store
        leftover.unlink(missing_ok=True)
    db = sqlite3.connect(str(tmp))
    try:
        db.execute("PRAGMA journal_mode=DELETE")
        _create(db)
    finally:
        db.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _check(db: sqlite3.Connection, path: Path) -> None:
    """Refuse a damaged store or one of another schema version (raises StoreError)."""
    problems = [row[0] for row in db.execute("PRAGMA quick_check(20)")]
    if problems != ["ok"]:
        lines = [line.strip() for text in problems for line in text.splitlines() if line.strip() and "***" not in line]
        raise StoreError(f"article store {path} is damaged (quick_check: {'; '.join(lines[:2])}); "
                         "restore it from a backup, or delete it to deliver every article again")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if version == 0 and _TABLES <= tables:
        _create(db)  # a store written before schema versions existed: same tables, now numbered
    elif version == 0:
        raise StoreError(f"article store {path} is an SQLite file without the store's tables "
                         f"({', '.join(sorted(tables)) or 'no tables'}); not a zonecrawler store")
    elif version != SCHEMA_VERSION or not _TABLES <= tables:
        raise StoreError(f"article store {path} has schema version {version}; this zonecrawler reads "
                         f"version {SCHEMA_VERSION}")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class ArticleStore:
    """Known articles and their republished copies, in a WAL-mode SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            if str(path) == ":memory:":
                self.db = _connect(str(path))
                _create(self.db)
                return
            if not os.path.lexists(self.path):
                _build_new(self.path)
            elif self.path.is_dir():
                raise StoreError(f"article store {self.path} is a directory, not a store file")
            elif self.path.stat().st_size == 0:
                raise StoreError(
                    f"article store {self.path} is empty (0 bytes): an existing store is never empty, so it was "
                    "truncated or replaced; restore it, or delete it to deliver every article again")
            self.db = _connect(str(self.path))
            _check(self.db, self.path)
        except sqlite3.Error as exc:
            raise StoreError(f"article store {self.path} cannot be used: {exc}") from None
        except OSError as exc:
            raise StoreError(f"article store {self.path} cannot be opened: {exc}") from None

    def close(self) -> None:
        self.db.close()

    # --- reads -------------------------------------------------------------
    def get(self, canonical_url: str) -> dict | None:
        """The stored row for a canonical URL (an article or an alias), or None."""
        row = self.db.execute(
            "SELECT id, url, canonical_url, site, content_hash, first_seen, last_seen FROM articles WHERE canonical_url=?1 "
            "UNION ALL "
            "SELECT kept_id, url, canonical_url, site, content_hash, first_seen, last_seen FROM aliases WHERE canonical_url=?1 "
            "LIMIT 1",
            (canonical_url,),
        ).fetchone()
        if row is None:
            return None
        return dict(zip(("id", "url", "canonical_url", "site", "content_hash", "first_seen", "last_seen"), row))

    def knows(self, canonical_url: str) -> bool:
        return self.get(canonical_url) is not None

    def owner_of_hash(self, content_hash: str) -> dict | None:
        """The stored article with this content_hash, if any."""
        row = self.db.execute(
            "SELECT id, url, canonical_url FROM articles WHERE content_hash=? ORDER BY first_seen LIMIT 1", (content_hash,)
        ).fetchone()
        return dict(zip(("id", "url", "canonical_url"), row)) if row else None

    def aliases_of(self, article_id: str) -> list[str]:
        """Other URLs recorded for the article ``article_id``."""
        return [r[0] for r in self.db.execute("SELECT url FROM aliases WHERE kept_id=? ORDER BY url", (article_id,))]

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return self.db.execute("SELECT COUNT(*) FROM articles WHERE site=?", (site,)).fetchone()[0]

    # --- writes ------------------------------------------------------------
    def commit_records(self, records: Iterable[dict], aliases: Iterable[dict] = (), when: str | None = None) -> int:
        """Upsert delivered records and alias URLs in one transaction; returns the number of records."""
        try:
            return self._commit(records, aliases, when or _now())
        except sqlite3.Error as exc:
            raise StoreError(f"article store {self.path}: cannot record the delivered articles: {exc}") from None

    def _commit(self, records: Iterable[dict], aliases: Iterable[dict], when: str) -> int:
        n = 0
        with self.db:
            for r in records:
                n += 1
                self.db.execute(
                    "INSERT INTO articles (id, url, canonical_url, site, content_hash, first_seen, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(canonical_url) DO UPDATE SET url=excluded.url, content_hash=excluded.content_hash,"
                    " last_seen=excluded.last_seen",
                    (r["id"], r["url"], r["canonical_url"], r.get("site"), r.get("content_hash"), when, when),
                )
            for a in aliases:
                self.db.execute(
                    "INSERT INTO aliases (canonical_url, url, site, content_hash, kept_id, first_seen, last_seen)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT(canonical_url) DO UPDATE SET last_seen=excluded.last_seen, kept_id=excluded.kept_id",
                    (a["canonical_url"], a["url"], a.get("site"), a["content_hash"], a["kept_id"], when, when),
                )
        return n
