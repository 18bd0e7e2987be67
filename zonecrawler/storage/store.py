"""The article store: which articles earlier runs already delivered (SQLite, one file).

``articles`` holds one row per canonical URL that reached a published output
(id, url, canonical_url, site, content_hash, first_seen, last_seen).  ``aliases``
records other URLs whose page had the same content_hash as a stored article
(the same story republished elsewhere): only the first one is emitted.

Writes are staged by the caller (a crawl stages them in a file of its own) and committed
only once the output holding those records is complete (see :mod:`zonecrawler.storage.ledger`),
so a crawl that dies never marks as "known" an article nobody received.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

DEFAULT_STORE = ".zonecrawler/store.sqlite"

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


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class ArticleStore:
    """Known articles and their republished copies, in a WAL-mode SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.commit()

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
        when = when or _now()
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
