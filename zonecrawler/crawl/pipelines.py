"""Item pipelines: normalize items into records, enforce the schema, drop duplicates.

Order (see ``ITEM_PIPELINES``): RecordPipeline (normalize) -> SchemaValidationPipeline
(validate) -> DeduplicationPipeline (deduplicate, within the run and against the store;
the ledger stages accepted records for the store).  Pipelines never fetch or parse HTML.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy.exceptions import DropItem

from zonecrawler.crawl.items import SCALAR_FIELDS
from zonecrawler.extract.article import Extraction
from zonecrawler.normalize.zones import load_gazetteer
from zonecrawler.record import build_record, validation_errors

logger = logging.getLogger(__name__)


def extraction_from_item(item) -> Extraction:
    """Rebuild the extractor's result from a spider item."""
    data = dict(item)
    ex = Extraction(url=data["url"])
    for name in SCALAR_FIELDS:
        setattr(ex, name, data.get(name))
    ex.breadcrumb = list(data.get("breadcrumb") or [])
    ex.attachments = list(data.get("attachments") or [])
    ex.provenance = dict(data.get("provenance") or {})
    return ex


class RecordPipeline:
    """Normalize a spider item into a schema record (dates, zone, source split, ids, hashes)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        # Load the zone gazetteer (and any $ZONECRAWLER_GAZETTEER files) before the first page:
        # a malformed file stops the crawl here, with one error naming file and line, instead of
        # failing every record after all the downloads; and the loaded tables are start-up
        # objects, which zonecrawler.crawl.gctuning freezes out of garbage collection.
        load_gazetteer()

    def process_item(self, item):
        site = getattr(self.crawler.spider, "sites", {}).get(item.get("site"))
        return build_record(extraction_from_item(item), site=site)


class SchemaValidationPipeline:
    """Drop records that break the JSON Schema; log the reason, count it, optionally keep them aside."""

    def __init__(self, stats, rejects_path: str | None):
        self.stats = stats
        self.rejects_path = Path(rejects_path) if rejects_path else None
        self._rejects = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats, crawler.settings.get("ZONECRAWLER_REJECTS_FILE"))

    def close_spider(self):
        if self._rejects is not None:
            self._rejects.close()

    def process_item(self, record):
        errors = validation_errors(record)
        if not errors:
            self.stats.inc_value("zonecrawler/records_valid")
            return record
        for error in errors:
            field = error.split(":", 1)[0].split("/", 1)[0]
            self.stats.inc_value(f"zonecrawler/rejected/{field}")
        self.stats.inc_value("zonecrawler/rejected")
        if self.rejects_path is not None:
            if self._rejects is None:
                self.rejects_path.parent.mkdir(parents=True, exist_ok=True)
                self._rejects = self.rejects_path.open("a", encoding="utf-8")
            self._rejects.write(json.dumps({"errors": errors, "record": record}, ensure_ascii=False) + "\n")
            self._rejects.flush()
        raise DropItem(f"schema violation for {record.get('url')}: {'; '.join(errors)}")


class DeduplicationPipeline:
    """Emit each article once: one record per canonical URL and per content, in this run and across runs.

    The one de-duplication stage.  Its state lives in the crawl's ledger
    (:mod:`zonecrawler.storage.ledger`), which the incremental download filter shares: compact
    digests of the URLs and content hashes this run claimed, plus the article store of
    earlier runs.  Dropped here: a URL this job already wrote; a URL an earlier run
    delivered with the same content (with ``ZONECRAWLER_EMIT_CHANGED``, new content is
    emitted again as "changed"); the same content under another URL (recorded as an
    alias URL of the kept article).  A record that passes is claimed at once, so a
    concurrent copy can never slip through before the first one is written.
    """

    def __init__(self, crawler):
        from zonecrawler.storage.ledger import ledger_for

        self.ledger = ledger_for(crawler)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, record):
        canonical, digest = record["canonical_url"], record["content_hash"]
        site = record.get("site") or "?"
        if self.ledger.emitted_in_job(canonical):
            self.stats.inc_value("zonecrawler/duplicates/url")
            raise DropItem(f"already written by this job: {record['url']}", log_level="DEBUG")
        row = self.ledger.stored(canonical)
        changed = False
        if row is not None:
            if row["content_hash"] == digest or not self.ledger.emit_changed:
                self.stats.inc_value("zonecrawler/incremental/unchanged")
                self.stats.inc_value(f"zonecrawler/known_skipped/{site}")
                raise DropItem(f"known article, unchanged: {record['url']}", log_level="DEBUG")
            changed = True
        kept = self.ledger.owner_of(digest, canonical) if record.get("body") else None
        if kept is not None:
            self.ledger.add_alias(record, kept)
            self.stats.inc_value("zonecrawler/duplicates/content")
            where = "stored" if kept.get("earlier_run") else "in_run"
            self.stats.inc_value(f"zonecrawler/duplicates/{where}/{site}")
            example = f"zonecrawler/duplicates/example/{site}"
            if where == "stored" and self.stats.get_value(example) is None:
                self.stats.set_value(example, {"url": record["url"], "stored_url": kept["url"]})
            logger.debug("same article as %s, recorded as another URL of it: %s", kept["url"], record["url"])
            raise DropItem(f"same content as {kept['url']}: {record['url']}", log_level="DEBUG")
        self.ledger.claim(record)  # staged for the store; committed once the output is published
        status = "changed" if changed else "new"
        self.stats.inc_value(f"zonecrawler/incremental/{status}")
        self.stats.inc_value(f"zonecrawler/{status}/{site}")
        return record
