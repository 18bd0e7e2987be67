"""Scrapy items: what a spider hands to the pipelines (raw extracted fields of one page)."""

from __future__ import annotations

import scrapy

from zonecrawler.extract.article import Extraction

# The single-valued fields an item copies from an Extraction (and RecordPipeline copies back).
SCALAR_FIELDS = ("title", "date", "source", "author", "editor", "zone", "body", "encoding")


class ArticleItem(scrapy.Item):
    """Raw fields of one article page; ``RecordPipeline`` turns them into a record."""

    url = scrapy.Field()
    site = scrapy.Field()
    title = scrapy.Field()
    date = scrapy.Field()
    source = scrapy.Field()
    author = scrapy.Field()
    editor = scrapy.Field()
    zone = scrapy.Field()
    body = scrapy.Field()
    breadcrumb = scrapy.Field()
    attachments = scrapy.Field()
    provenance = scrapy.Field()
    encoding = scrapy.Field()

    @classmethod
    def from_extraction(cls, extraction: Extraction, url: str, site: str) -> ArticleItem:
        """The item for one extracted page.  Fields the page lacked are left out (as an ItemLoader would)."""
        item = cls(url=url, site=site)
        for name in SCALAR_FIELDS:
            value = getattr(extraction, name)
            if value not in (None, ""):
                item[name] = value
        item["breadcrumb"] = list(extraction.breadcrumb)
        item["attachments"] = list(extraction.attachments)
        if extraction.provenance:
            item["provenance"] = dict(extraction.provenance)
        return item
