"""Re-extraction: rebuild records from the raw page archive without crawling.

``zonecrawler reextract ARCHIVE -o out.jsonl`` runs every archived page through the
spider's own ``parse_article`` and the item pipelines, outside a running crawl, and
writes the records atomically (e.g. after a selector fix).

With ``workers`` > 0 each page's extraction and its record and schema stages run in a pool
of worker processes (several pages in flight); de-duplication and writing stay in the
command's process and take the results in archive order, so the output is the same with
any number of workers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit


logger = logging.getLogger(__name__)


class _Counts(dict):
    """The slice of Scrapy's stats API the spider and pipelines use, without a running crawler."""

    def inc_value(self, key, count=1, start=0):
        self[key] = self.get(key, start) + count

    def set_value(self, key, value):
        self[key] = value

    def get_value(self, key, default=None):
        return self.get(key, default)


_TAKES_SPIDER: dict[type, bool] = {}


def _process(stage, item, spider):
    """Call a pipeline's ``process_item`` with or without the (deprecated) spider argument."""
    takes_spider = _TAKES_SPIDER.get(type(stage))
    if takes_spider is None:  # inspect.signature costs ~1 ms: once per pipeline class
        takes_spider = _TAKES_SPIDER[type(stage)] = "spider" in inspect.signature(stage.process_item).parameters
    return stage.process_item(item, spider) if takes_spider else stage.process_item(item)


async def _drain(results) -> list:
    """Everything a spider callback (plain, coroutine or async generator) returns."""
    if inspect.iscoroutine(results):
        return list(await results or ())
    if not hasattr(results, "__aiter__"):
        return list(results or ())
    return [item async for item in results]


def default_reextract_workers() -> int:
    """One worker per core on a machine with more than one."""
    cores = os.cpu_count() or 1
    return cores if cores >= 2 else 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _crawler_stand_in():
    """The slice of a crawler the spider and pipelines read: project settings (no store, no rejects file) and stats."""
    from types import SimpleNamespace

    from zonecrawler.crawl.runner import project_settings

    crawler = SimpleNamespace(settings=project_settings(), stats=_Counts())
    crawler.settings.set("ZONECRAWLER_REJECTS_FILE", None, priority="cmdline")
    crawler.settings.set("ZONECRAWLER_STORE", None, priority="cmdline")  # per-run de-duplication only
    return crawler


class PageRebuilder:
    """One archived page -> its validated records: the spider's ``parse_article``, then the record and schema stages.

    Runs in the command's process or in a worker process; what it returns is all the main
    process needs (records, and the reasons of rejected ones), so de-duplication and writing
    stay in one place and in archive order.
    """

    def __init__(self, site: str | None):
        from zonecrawler.crawl.pipelines import RecordPipeline, SchemaValidationPipeline

        self.site = site
        self.crawler = _crawler_stand_in()
        self.chain = [cls.from_crawler(self.crawler) for cls in (RecordPipeline, SchemaValidationPipeline)]
        self.spiders: dict = {}
        self.loop = asyncio.new_event_loop()

    def _spider_for(self, meta: dict):
        from zonecrawler.crawl.spiders.sites import SiteSpider

        name = meta.get("site") or ""
        # A page fetched from a mirror is named by the site's own URL, as in the crawl.
        mirror = _origin(meta["url"]) if _origin(meta.get("canonical_url") or meta["url"]) != _origin(meta["url"]) else None
        if (name, mirror) not in self.spiders:
            spider = self.spiders[name, mirror] = SiteSpider(site=name, base_url=mirror)
            spider.crawler = self.crawler
        return self.spiders[name, mirror]

    def rebuild(self, meta_path: Path) -> tuple[dict, list[tuple[str, object]]] | None:
        """``(metadata, [("record", dict) | ("rejected", reason), ...])``, or None for a page not to rebuild."""
        from scrapy.exceptions import DropItem
        from scrapy.http import HtmlResponse, Request

        from zonecrawler.storage.archive import read_entry

        entry = read_entry(meta_path, self.site)
        if entry is None:
            return None
        meta, body = entry
        spider = self.crawler.spider = self._spider_for(meta)
        headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
        request = Request(meta["url"], meta={"zc_site": meta.get("site") or "", "zc_kind": "article"})
        response = HtmlResponse(meta["url"], body=body, headers=headers, request=request, status=meta.get("status", 200))
        out: list[tuple[str, object]] = []
        for result in self.loop.run_until_complete(_drain(spider.parse_article(response))):
            if isinstance(result, Request):
                continue
            try:
                for stage in self.chain:
                    result = _process(stage, result, spider)
            except DropItem as exc:
                out.append(("rejected", str(exc)))
                continue
            out.append(("record", dict(result)))
        return meta, out


_worker_rebuilder: PageRebuilder | None = None


def _init_worker(site: str | None) -> None:
    global _worker_rebuilder
    _worker_rebuilder = PageRebuilder(site)


def _rebuild_in_worker(meta_path: Path):
    return _worker_rebuilder.rebuild(meta_path)


def reextract(root: str | Path, output: str | Path, site: str | None = None, workers: int = 0) -> dict:
    """Rebuild records from archived pages into ``output`` (JSON Lines, written atomically); returns counts.

    Pages go through the spider's own ``parse_article`` and the same pipelines as a crawl
    (record, schema, per-run dedup); ``crawled_at`` is the time the page was fetched.
    With ``workers`` > 0, extraction and the record and schema stages run in that many
    worker processes; de-duplication and writing stay here, in archive order, so the output
    is the same with any number of workers.
    """
    import multiprocessing

    from scrapy.exceptions import DropItem

    from zonecrawler.crawl.pipelines import DeduplicationPipeline
    from zonecrawler.normalize.zones import load_gazetteer
    from zonecrawler.storage.archive import archive_entries
    from zonecrawler.storage.ledger import ledger_for

    root, output = Path(root), Path(output)
    if not root.is_dir():
        raise FileNotFoundError(f"archive folder not found: {root}")
    load_gazetteer()  # a malformed $ZONECRAWLER_GAZETTEER file raises here, before any output is started
    crawler = _crawler_stand_in()
    dedup = DeduplicationPipeline.from_crawler(crawler)
    counts = {"pages": 0, "records": 0, "rejected": 0, "duplicates": 0}
    entries = archive_entries(root)
    tmp = output.with_name(output.name + ".part")
    output.parent.mkdir(parents=True, exist_ok=True)
    pool = None
    if workers > 0 and len(entries) > 1:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        pool = multiprocessing.get_context(method).Pool(workers, initializer=_init_worker, initargs=(site,))
        rebuilt = pool.imap(_rebuild_in_worker, entries, chunksize=8)
    else:
        rebuilder = PageRebuilder(site)
        rebuilt = map(rebuilder.rebuild, entries)
    try:
        with tmp.open("wb") as out:
            for done in rebuilt:
                if done is None:
                    continue
                meta, results = done
                counts["pages"] += 1
                for kind, result in results:
                    if kind == "rejected":
                        counts["rejected" if str(result).startswith("schema violation") else "duplicates"] += 1
                        logger.info("%s", result)
                        continue
                    try:
                        record = dict(dedup.process_item(result))
                    except DropItem as exc:
                        counts["duplicates"] += 1
                        logger.info("%s", exc)
                        continue
                    record["crawled_at"] = meta.get("fetched_at") or record["crawled_at"]
                    out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
                    counts["records"] += 1
            out.flush()
            os.fsync(out.fileno())
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    os.replace(tmp, output)
    ledger_for(crawler).close()
    return counts
