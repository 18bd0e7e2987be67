"""Raw page archive: keep each fetched article's HTML so records can be rebuilt without crawling.

:class:`ArchiveMiddleware` (downloader middleware, on when ``ZONECRAWLER_ARCHIVE_DIR`` is set)
saves every successful article response as ``DIR/SITE/ID.html.gz`` (the body exactly as
received, gzip-compressed) beside ``DIR/SITE/ID.json`` (url, site, content_type, status,
fetched_at).  ``ID`` is the record id, so a page fetched again replaces the old copy.

:func:`reextract` runs the archived pages through the spider's own ``parse_article`` and
the item pipelines (``zonecrawler reextract ARCHIVE -o out.jsonl``), e.g. after a
selector fix, and writes the records atomically.
"""

from __future__ import annotations

import asyncio
import gzip
import inspect
import json
import logging
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from scrapy.http import TextResponse

from zonecrawler.normalize.urls import record_id

logger = logging.getLogger(__name__)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def save_page(root: Path, site: str, url: str, body: bytes, content_type: str | None, status: int = 200,
              fetched_at: str | None = None) -> str:
    """Archive one page; returns its record id."""
    rid = record_id(url)
    folder = root / (site or "_unknown")
    folder.mkdir(parents=True, exist_ok=True)
    meta = {
        "id": rid, "url": url, "site": site, "content_type": content_type, "status": status,
        "fetched_at": fetched_at or datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "bytes": len(body),
    }
    _atomic_write(folder / f"{rid}.html.gz", gzip.compress(body, mtime=0))
    _atomic_write(folder / f"{rid}.json", json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
    return rid


def iter_archive(root: Path, site: str | None = None) -> Iterator[tuple[dict, bytes]]:
    """(metadata, html bytes) of every archived page, sorted by site and id."""
    for meta_path in sorted(Path(root).glob("*/*.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        if site and meta.get("site") != site:
            continue
        page = meta_path.with_name(meta_path.name[: -len(".json")] + ".html.gz")
        if not page.exists():
            logger.warning("archive entry %s has no page %s; skipped", meta_path, page.name)
            continue
        yield meta, gzip.decompress(page.read_bytes())


class ArchiveMiddleware:
    """Downloader middleware: save article responses (after redirects and decompression)."""

    def __init__(self, root: str, stats):
        self.root = Path(root)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy.exceptions import NotConfigured

        root = crawler.settings.get("ZONECRAWLER_ARCHIVE_DIR")
        if not root:
            raise NotConfigured
        return cls(root, crawler.stats)

    def process_response(self, request, response, spider=None):
        if request.meta.get("zc_kind") == "article" and response.status == 200 and isinstance(response, TextResponse):
            ctype = response.headers.get("Content-Type")
            save_page(self.root, request.meta.get("zc_site") or "", response.url, response.body,
                      ctype.decode("latin-1") if ctype else None, response.status)
            self.stats.inc_value("zonecrawler/archive/saved")
        return response


class _Counts(dict):
    """The slice of Scrapy's stats API the spider and pipelines use, without a running crawler."""

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count

    def set_value(self, key, value):
        self[key] = value

    def get_value(self, key, default=None):
        return self.get(key, default)


def _process(stage, item, spider):
    """Call a pipeline's ``process_item`` with or without the (deprecated) spider argument."""
    if "spider" in inspect.signature(stage.process_item).parameters:
        return stage.process_item(item, spider)
    return stage.process_item(item)


def _drain(results) -> list:
    """Everything a spider callback (plain, coroutine or async generator) returns, outside a running crawl."""
    if inspect.iscoroutine(results):
        return list(asyncio.run(results) or ())
    if not hasattr(results, "__aiter__"):
        return list(results or ())

    async def collect():
        return [item async for item in results]

    return asyncio.run(collect())


def reextract(root: str | Path, output: str | Path, site: str | None = None) -> dict:
    """Rebuild records from archived pages into ``output`` (JSON Lines, written atomically); returns counts.

    Pages go through the spider's own ``parse_article`` and the same pipelines as a crawl
    (record, schema, per-run dedup); ``crawled_at`` is the time the page was fetched.
    """
    from types import SimpleNamespace

    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request

    from zonecrawler.cli import project_settings
    from zonecrawler.ledger import ledger_for
    from zonecrawler.normalize.zones import load_gazetteer
    from zonecrawler.pipelines import DeduplicationPipeline, RecordPipeline, SchemaValidationPipeline
    from zonecrawler.spiders.sites import SiteSpider

    root, output = Path(root), Path(output)
    if not root.is_dir():
        raise FileNotFoundError(f"archive folder not found: {root}")
    load_gazetteer()  # a malformed $ZONECRAWLER_GAZETTEER file raises here, before any output is started
    stats = _Counts()
    crawler = SimpleNamespace(settings=project_settings(), stats=stats)
    crawler.settings.set("ZONECRAWLER_REJECTS_FILE", None, priority="cmdline")
    crawler.settings.set("ZONECRAWLER_STORE", None, priority="cmdline")  # per-run de-duplication only
    chain = [cls.from_crawler(crawler) for cls in (RecordPipeline, SchemaValidationPipeline, DeduplicationPipeline)]
    spiders: dict[str, SiteSpider] = {}
    counts = {"pages": 0, "records": 0, "rejected": 0, "duplicates": 0}
    tmp = output.with_name(output.name + ".part")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as out:
        for meta, body in iter_archive(root, site):
            counts["pages"] += 1
            name = meta.get("site") or ""
            if name not in spiders:
                spiders[name] = SiteSpider(site=name)
                spiders[name].crawler = crawler
            spider = crawler.spider = spiders[name]
            headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
            request = Request(meta["url"], meta={"zc_site": name, "zc_kind": "article"})
            response = HtmlResponse(meta["url"], body=body, headers=headers, request=request, status=meta.get("status", 200))
            for result in _drain(spider.parse_article(response)):
                if isinstance(result, Request):
                    continue
                try:
                    for stage in chain:
                        result = _process(stage, result, spider)
                except DropItem as exc:
                    counts["rejected" if str(exc).startswith("schema violation") else "duplicates"] += 1
                    logger.info("%s", exc)
                    continue
                record = dict(result)
                record["crawled_at"] = meta.get("fetched_at") or record["crawled_at"]
                out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                counts["records"] += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, output)
    ledger_for(crawler).close()
    return counts
