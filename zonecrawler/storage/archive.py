"""Raw page archive on disk: each fetched article's HTML, so records can be rebuilt without crawling.

Layout: ``DIR/SITE/ID.html.gz`` (the body exactly as received, gzip-compressed) beside
``DIR/SITE/ID.json`` (url, site, content_type, status, fetched_at; ``canonical_url`` when a
mirror crawl names the page by the site's own URL).  ``ID`` is the record id, so a page
fetched again replaces the old copy.  Written during a crawl by
:class:`~zonecrawler.crawl.archiving.ArchiveMiddleware`; read back by
:func:`~zonecrawler.crawl.reextract.reextract`.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from zonecrawler.normalize.urls import canonicalize_url, record_id

logger = logging.getLogger(__name__)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def save_page(root: Path, site: str, url: str, body: bytes, content_type: str | None, status: int = 200,
              fetched_at: str | None = None, canonical_url: str | None = None) -> str:
    """Archive one page; returns its record id.

    ``canonical_url`` names the page when it is not ``url``'s own (a mirror crawl: the site's
    own URL); it is kept in the metadata so re-extraction gives the crawl's ids.
    """
    rid = record_id(canonical_url or url)
    folder = root / (site or "_unknown")
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": rid, "url": url, "site": site, "content_type": content_type, "status": status,
        "fetched_at": fetched_at or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "bytes": len(body),
    }
    if canonical_url and canonical_url != canonicalize_url(url):
        meta["canonical_url"] = canonical_url
    _atomic_write(folder / f"{rid}.html.gz", gzip.compress(body, mtime=0))
    _atomic_write(folder / f"{rid}.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    return rid


def archive_entries(root: Path) -> list[Path]:
    """The metadata files of every archived page, sorted by site and id (the archive's order)."""
    return sorted(Path(root).glob("*/*.json"))


def read_entry(meta_path: Path, site: str | None = None) -> tuple[dict, bytes] | None:
    """(metadata, html bytes) of one archived page; None when it is another site's or has no page."""
    meta = json.loads(Path(meta_path).read_text("utf-8"))
    if site and meta.get("site") != site:
        return None
    page = meta_path.with_name(meta_path.name[: -len(".json")] + ".html.gz")
    if not page.exists():
        logger.warning("archive entry %s has no page %s; skipped", meta_path, page.name)
        return None
    return meta, gzip.decompress(page.read_bytes())


def iter_archive(root: Path, site: str | None = None) -> Iterator[tuple[dict, bytes]]:
    """(metadata, html bytes) of every archived page, sorted by site and id."""
    for meta_path in archive_entries(root):
        entry = read_entry(meta_path, site)
        if entry is not None:
            yield entry
