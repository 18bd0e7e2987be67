"""The record exporter writes exactly what Scrapy's JsonLinesItemExporter writes."""

from __future__ import annotations

import io
import json

import pytest
import scrapy
from scrapy.exporters import JsonLinesItemExporter

from zonecrawler.crawl.exporters import RecordJsonLinesExporter

RECORD = {
    "schema_version": "1.0", "title": "南京六合经济开发区签约", "date": "2022-02-17", "zone": None,
    "breadcrumb": ["首页", "开发区新闻"], "attachments": [{"name": "附件1.pdf", "url": "http://x/a.pdf"}],
    "char_count": 12, "_provenance": {"title": "selectors"}, "quote": 'a "b" \\ \u2028 \x01',
}


class _Item(scrapy.Item):
    title = scrapy.Field(serializer=str.upper)


def _export(cls, items, **options) -> bytes:
    out = io.BytesIO()
    exporter = cls(out, **options)
    exporter.start_exporting()
    for item in items:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize("options", [{"encoding": "utf-8"}, {}, {"encoding": "utf-8", "indent": 2},
                                     {"encoding": "utf-8", "fields_to_export": ["title", "date"]}])
def test_same_bytes_as_scrapy(options):
    items = [RECORD, dict(RECORD, title="第二条"), _Item(title="abc")]
    assert _export(RecordJsonLinesExporter, items, **options) == _export(JsonLinesItemExporter, items, **options)


def test_utf8_feeds_keep_chinese_readable():
    line = _export(RecordJsonLinesExporter, [RECORD], encoding="utf-8").decode("utf-8")
    assert "南京六合经济开发区签约" in line and json.loads(line) == RECORD
