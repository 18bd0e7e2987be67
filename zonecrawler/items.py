"""Scrapy items: what a spider hands to the pipelines (raw extracted fields of one page)."""

from __future__ import annotations

import scrapy
from itemloaders.processors import Identity, TakeFirst
from scrapy.loader import ItemLoader


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
    breadcrumb = scrapy.Field(output_processor=Identity())
    attachments = scrapy.Field(output_processor=Identity())
    provenance = scrapy.Field()
    encoding = scrapy.Field()


class ArticleLoader(ItemLoader):
    """Single values by default; list fields keep every value."""

    default_item_class = ArticleItem
    default_output_processor = TakeFirst()
