"""Re-extraction: rebuild records from the raw page archive without crawling.

``zonecrawler reextract ARCHIVE -o out.jsonl`` runs every archived page through the
spider's own ``parse_article`` and the item pipelines, outside a running crawl, and
writes the records atomically (e.g. after a selector fix).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def reextract(root: str | Path, output: str | Path, site: str | None = None) -> dict:
    """Rebuild records from archived pages into ``output`` (JSON Lines, written atomically); returns counts.

    Pages go through the spider's own ``parse_article`` and the same pipelines as a crawl
    (record, schema, per-run dedup); ``crawled_at`` is the time the page was fetched.
    """
    from types import SimpleNamespace

    from scrapy.exceptions import DropItem
    from scrapy.http import HtmlResponse, Request

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
    spiders: dict[tuple[str, str | None], SiteSpider] = {}
    counts = {"pages": 0, "records": 0, "rejected": 0, "duplicates": 0}
    tmp = output.with_name(output.name + ".part")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as out:
        for meta, body in iter_archive(root, site):
            counts["pages"] += 1
            name = meta.get("site") or ""
            # A page fetched from a mirror is named by the site's own URL, as in the crawl.
            mirror = _origin(meta["url"]) if _origin(meta.get("canonical_url") or meta["url"]) != _origin(meta["url"]) else None
            if (name, mirror) not in spiders:
                spiders[name, mirror] = SiteSpider(site=name, base_url=mirror)
                spiders[name, mirror].crawler = crawler
            spider = crawler.spider = spiders[name, mirror]
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
