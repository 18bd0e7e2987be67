"""Extraction off the crawl's event loop: a small process pool the spider awaits.

Extraction is pure CPU work (~3 ms a page).  Run in the reactor it stalls every
download in flight; in a worker process it overlaps with them.  With
``ZONECRAWLER_EXTRACT_WORKERS = 0`` (or when a worker dies) pages are extracted
in-process as before, with the same results.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from zonecrawler.extract.article import Extraction, extract_article
from zonecrawler.siteconfig import Site

logger = logging.getLogger(__name__)
_ORPHAN_CHECK_SECONDS = 0.5


def _exit_with_parent(parent_pid: int) -> None:
    """End this worker soon after the crawl process dies (even by SIGKILL): no orphans for cron."""
    while os.getppid() == parent_pid:
        time.sleep(_ORPHAN_CHECK_SECONDS)
    os._exit(0)


def _start_worker(parent_pid: int) -> None:
    """Worker start-up: watch the parent, then import the extractor's heavy modules once."""
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True, name="orphan-watch").start()
    extract_article("http://localhost/", b"<html><body><p>warm up</p></body></html>")


class ExtractionPool:
    """``await pool.extract(url, body, site, charset)`` -> :class:`Extraction`."""

    def __init__(self, workers: int):
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            # "spawn": a clean interpreter, never a fork of a running reactor.
            self._executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )

    @property
    def in_process(self) -> bool:
        return self._executor is None

    async def extract(self, url: str, body: bytes, site: Site | None, http_charset: str | None) -> Extraction:
        if self._executor is not None:
            try:
                future = self._executor.submit(extract_article, url, body, site=site, http_charset=http_charset)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                logger.error("extraction worker died; extracting in the crawl process from now on")
                self._executor = None
        return extract_article(url, body, site=site, http_charset=http_charset)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
