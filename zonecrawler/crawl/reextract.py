"""Re-extraction: rebuild records from the raw page archive without crawling.

``zonecrawler reextract ARCHIVE -o out.jsonl`` runs every archived page through the
spider's own ``parse_article`` and the item pipelines, outside a running crawl, and
writes the records atomically (e.g. after a selector fix).

With ``workers`` > 0 the pages are extracted in that many worker processes (the crawl's own
:class:`~zonecrawler.crawl.extractpool.ExtractionPool`), several pages in flight at once;
records still pass the pipelines, and reach the output, in archive order, so the output is
the same with any number of workers.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from zonecrawler.storage.archive import iter_archive

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
    """One worker per core on a machine with more than one (the main process mostly waits)."""
    cores = os.cpu_count() or 1
    return cores if cores >= 2 else 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def reextract(root: str | Path, output: str | Path, site: str | None = None, workers: int = 0) -> dict:
    """Rebuild records from archived pages into ``output`` (JSON Lines, written atomically); returns counts.

    Pages go through the spider's own ``parse_article`` and the same pipelines as a crawl
    (record, schema, per-run dedup); ``crawled_at`` is the time the page was fetched.
    ``workers`` extraction processes (0: extract here) work on up to ``4 * workers`` pages at once.
    """
    from types import SimpleNamespace

    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request

    from zonecrawler.crawl.extractpool import ExtractionPool
    from zonecrawler.crawl.pipelines import DeduplicationPipeline, RecordPipeline, SchemaValidationPipeline
    from zonecrawler.crawl.runner import project_settings
    from zonecrawler.crawl.spiders.sites import SiteSpider
    from zonecrawler.normalize.zones import load_gazetteer
    from zonecrawler.storage.ledger import ledger_for

    root, output = Path(root), Path(output)
    if not root.is_dir():
        raise FileNotFoundError(f"archive folder not found: {root}")
    load_gazetteer()  # a malformed $ZONECRAWLER_GAZETTEER file raises here, before any output is started
    stats = _Counts()
    crawler = SimpleNamespace(settings=project_settings(), stats=stats)
    crawler.settings.set("ZONECRAWLER_REJECTS_FILE", None, priority="cmdline")
    crawler.settings.set("ZONECRAWLER_STORE", None, priority="cmdline")  # per-run de-duplication only
    chain = [cls.from_crawler(crawler) for cls in (RecordPipeline, SchemaValidationPipeline, DeduplicationPipeline)]
    pool = ExtractionPool(workers)
    spiders: dict[tuple[str, str | None], SiteSpider] = {}
    counts = {"pages": 0, "records": 0, "rejected": 0, "duplicates": 0}
    tmp = output.with_name(output.name + ".part")
    output.parent.mkdir(parents=True, exist_ok=True)

    def spider_for(meta: dict) -> SiteSpider:
        name = meta.get("site") or ""
        # A page fetched from a mirror is named by the site's own URL, as in the crawl.
        mirror = _origin(meta["url"]) if _origin(meta.get("canonical_url") or meta["url"]) != _origin(meta["url"]) else None
        if (name, mirror) not in spiders:
            spider = spiders[name, mirror] = SiteSpider(site=name, base_url=mirror)
            spider.crawler = crawler
            spider.extraction_pool = pool
        return spiders[name, mirror]

    def write(out, meta: dict, spider: SiteSpider, results: list) -> None:
        crawler.spider = spider
        for result in results:
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

    async def run(out) -> None:
        try:
            await extract_in_order(out)
        finally:
            pool.close()  # on the loop the workers were started on

    async def extract_in_order(out) -> None:
        in_flight: deque = deque()  # (meta, spider, task), in archive order
        window = max(1, 4 * pool.size)
        for meta, body in iter_archive(root, site):
            counts["pages"] += 1
            spider = spider_for(meta)
            headers = {"Content-Type": meta["content_type"]} if meta.get("content_type") else {}
            request = Request(meta["url"], meta={"zc_site": meta.get("site") or "", "zc_kind": "article"})
            response = HtmlResponse(meta["url"], body=body, headers=headers, request=request, status=meta.get("status", 200))
            crawler.spider = spider
            in_flight.append((meta, spider, asyncio.ensure_future(_drain(spider.parse_article(response)))))
            if len(in_flight) >= window:
                meta_done, spider_done, task = in_flight.popleft()
                write(out, meta_done, spider_done, await task)
        while in_flight:
            meta_done, spider_done, task = in_flight.popleft()
            write(out, meta_done, spider_done, await task)

    with tmp.open("wb") as out:
        asyncio.run(run(out))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, output)
    ledger_for(crawler).close()
    return counts
