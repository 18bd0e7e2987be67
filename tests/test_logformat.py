"""Per-item log lines: built at LOG_LEVEL=DEBUG, skipped (not built and dropped) above it."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from zonecrawler.crawl.logformat import ItemLogFormatter

RESPONSE = HtmlResponse("http://127.0.0.1/news/1.html", body=b"<p>x</p>")
ITEM = {"title": "t"}


def _formatter(level):
    return ItemLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))


def _spider(level="INFO"):
    return SimpleNamespace(crawler=get_crawler(settings_dict={"LOG_LEVEL": level}))


def test_debug_crawls_log_every_item():
    fmt = _formatter("DEBUG")
    assert fmt.scraped(ITEM, RESPONSE, _spider("DEBUG"))["level"] == logging.DEBUG
    assert fmt.dropped(ITEM, DropItem("dup", log_level="DEBUG"), RESPONSE, _spider("DEBUG"))["level"] == logging.DEBUG


def test_info_crawls_skip_debug_item_lines_but_keep_warnings():
    fmt = _formatter("INFO")
    assert fmt.scraped(ITEM, RESPONSE, _spider()) is None
    assert fmt.dropped(ITEM, DropItem("dup", log_level="DEBUG"), RESPONSE, _spider()) is None
    kept = fmt.dropped(ITEM, DropItem("schema violation"), RESPONSE, _spider())  # Scrapy's default: WARNING
    assert kept is not None and kept["level"] >= logging.INFO


def test_numeric_and_odd_levels():
    assert _formatter(logging.WARNING).level == logging.WARNING
    assert _formatter("nonsense").level == logging.DEBUG  # unknown: log everything rather than hide lines
