"""The crawl's log formatter: Scrapy's messages, minus per-item lines that ``LOG_LEVEL`` would filter out.

Scrapy builds a ``Scraped from …`` (and, for duplicates, a ``Dropped: …``) DEBUG log record
for every item even when ``LOG_LEVEL`` is INFO, and its handler then throws the record
away.  Below the configured level this formatter returns ``None`` instead, which Scrapy
documents as "do not log"; at ``LOG_LEVEL=DEBUG`` every line is logged as before.
"""

from __future__ import annotations

import logging

from scrapy.logformatter import LogFormatter


def _level(value) -> int:
    if isinstance(value, int):
        return value
    level = logging.getLevelName(str(value).upper())
    return level if isinstance(level, int) else logging.DEBUG


class ItemLogFormatter(LogFormatter):
    """``LOG_FORMATTER`` for zonecrawler crawls."""

    def __init__(self, level: int = logging.DEBUG):
        self.level = level

    @classmethod
    def from_crawler(cls, crawler):
        return cls(_level(crawler.settings.get("LOG_LEVEL", "DEBUG")))

    def scraped(self, item, response, spider):
        if self.level > logging.DEBUG:
            return None
        return super().scraped(item, response, spider)

    def dropped(self, item, exception, response, spider):
        result = super().dropped(item, exception, response, spider)
        return result if result["level"] >= self.level else None
