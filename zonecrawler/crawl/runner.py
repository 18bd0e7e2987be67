"""Running a crawl in this process: zonecrawler's Scrapy settings and one CrawlerProcess.

Used by the ``zonecrawler`` commands (``demo``, ``crawl``) and by re-extraction.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_settings(overrides: dict | None = None):
    """zonecrawler's Scrapy settings, whatever the working directory."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "zonecrawler.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


OUTPUT_FORMATS = {".jsonl": "jsonlines", ".jl": "jsonlines", ".jsonlines": "jsonlines", ".csv": "csv"}


def output_format(path: Path) -> str:
    """The feed format for an output file: JSON Lines (``.jsonl``, ``.jl``) or the CSV article table (``.csv``).

    Raises ``ValueError`` for any other name: a crawl never writes one format under another's name.
    """
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: the output must end in .jsonl (JSON Lines) or .csv (one row per article, "
                         f"UTF-8 with BOM); got {Path(path).suffix or 'no extension'!r}")
    return fmt


def run_crawl(spider: str, output: Path | None, spider_args: dict, overrides: dict | None = None,
              append: bool = False):
    """Run one spider in this process, writing ``output`` (format from its extension); returns the finished crawler.

    Raises ``KeyError`` for an unknown spider name,
    :class:`~zonecrawler.normalize.zones.GazetteerError` for a malformed ``$ZONECRAWLER_GAZETTEER``
    file and :class:`~zonecrawler.storage.locks.LockHeld` when another crawl holds the job dir,
    the store or the output, before anything is crawled.
    """
    from scrapy.crawler import CrawlerProcess

    from zonecrawler.normalize.zones import load_gazetteer

    load_gazetteer()
    overrides = dict(overrides or {})
    overrides.setdefault("ZONECRAWLER_LOCK_RAISE", True)  # a held lock comes back here as LockHeld
    if output is not None:
        overrides["FEEDS"] = {str(output): {"format": output_format(output), "overwrite": not append, "encoding": "utf-8"}}
    process = CrawlerProcess(project_settings(overrides))
    crawler = process.create_crawler(spider)
    failures = []

    def bootstrap_failed(failure):
        failures.append(failure)

    process.crawl(crawler, **spider_args).addErrback(bootstrap_failed)
    process.start()
    from zonecrawler.storage.locks import LockHeld

    for failure in failures:
        if failure.check(LockHeld):
            raise failure.value
    for failure in failures:
        failure.raiseException()
    return crawler
