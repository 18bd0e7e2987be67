"""Item pipelines: normalize items into records, enforce the schema, drop duplicates.

Order (see ``ITEM_PIPELINES``): RecordPipeline -> SchemaValidationPipeline ->
DeduplicationPipeline.  Pipelines never fetch or parse HTML.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy.exceptions import DropItem

from zonecrawler.extract.article import Extraction
from zonecrawler.record import build_record, validation_errors

logger = logging.getLogger(__name__)
_EXTRACTION_FIELDS = ("title", "date", "source", "author", "editor", "zone", "body", "encoding")


def extraction_from_item(item) -> Extraction:
    """Rebuild the extractor's result from a spider item."""
    data = dict(item)
    ex = Extraction(url=data["url"])
    for name in _EXTRACTION_FIELDS:
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
    """Within a run: one record per canonical URL, and one per content (same article on several URLs)."""

    def __init__(self, stats):
        self.stats = stats
        self.ids: set[str] = set()
        self.by_content: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_item(self, record):
        if record["id"] in self.ids:
            self.stats.inc_value("zonecrawler/duplicates/url")
            raise DropItem(f"duplicate URL {record['canonical_url']}")
        self.ids.add(record["id"])
        first = self.by_content.get(record["content_hash"])
        if first is not None and record["body"]:
            self.stats.inc_value("zonecrawler/duplicates/content")
            logger.info("same content as %s, not emitted again: %s", first, record["url"])
            raise DropItem(f"duplicate content of {first}: {record['url']}")
        self.by_content[record["content_hash"]] = record["url"]
        return record
