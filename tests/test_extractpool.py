"""Extraction in worker processes: same results as in-process, and no orphans when the crawl is killed."""

from __future__ import annotations

import asyncio
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import FIXTURES, REPO
from zonecrawler.crawl.extractpool import ExtractionPool, default_workers, extract_page, workers_from_setting
from zonecrawler.extract.article import extract_article
from zonecrawler.extract.listing import parse_listing
from zonecrawler.siteconfig import get_site

SEED = FIXTURES / "investchn" / "site" / "news" / "202202" / "171001.html"
URL = "https://www.investchn.com/news/202202/171001.html"


def test_worker_results_equal_in_process_results():
    site = get_site("investchn")
    pool = ExtractionPool(1)
    try:
        remote = asyncio.run(pool.extract(URL, SEED.read_bytes(), site, None))
        assert not pool.in_process  # the worker did the job, no fallback happened
    finally:
        pool.close()
    assert remote == extract_page(URL, SEED.read_bytes(), site, None)
    assert remote.extraction.title == extract_article(URL, SEED.read_bytes(), site=site).title
    assert remote.article_links  # 上一条/下一条 and related articles, classified by the site's patterns


def test_list_pages_parsed_by_a_worker_equal_in_process_results():
    site = get_site("investchn")
    list_url = "https://www.investchn.com/kfqxw/"
    body = (FIXTURES / "investchn" / "site" / "kfqxw" / "index.html").read_bytes()

    async def crawl():
        pool = ExtractionPool(1)
        try:
            listing = await pool.parse_listing(list_url, body, site, None)
            article = await pool.extract(URL, SEED.read_bytes(), site, None)  # both jobs share the worker
            return listing, article, pool.in_process
        finally:
            pool.close()

    listing, article, in_process = asyncio.run(crawl())
    assert not in_process
    assert listing == parse_listing(list_url, body, site)
    assert listing.articles and listing.lists  # article links, and pagination or sub-lists
    assert article == extract_page(URL, SEED.read_bytes(), site, None)


def test_many_pages_in_flight_across_workers_match_in_process_results():
    site = get_site("investchn")
    pages = sorted((FIXTURES / "investchn" / "site" / "news").rglob("*.html"))
    assert len(pages) >= 20

    async def crawl():
        pool = ExtractionPool(2)
        try:
            results = await asyncio.gather(*(pool.extract(URL, p.read_bytes(), site, None) for p in pages))
            return results, len(pool.worker_pids)
        finally:
            pool.close()

    results, workers = asyncio.run(crawl())
    assert workers == 2
    assert results == [extract_page(URL, p.read_bytes(), site, None) for p in pages]


def test_a_dead_worker_loses_no_page(caplog):
    """Kill the worker with pages in flight: those pages and later ones are extracted in-process."""
    site = get_site("investchn")
    body = SEED.read_bytes()
    list_url = "https://www.investchn.com/kfqxw/"
    list_body = (FIXTURES / "investchn" / "site" / "kfqxw" / "index.html").read_bytes()

    async def crawl():
        pool = ExtractionPool(1)
        try:
            await pool.extract(URL, body, site, None)  # worker up
            (pid,) = pool.worker_pids
            in_flight = [asyncio.ensure_future(pool.extract(URL, body, site, None)) for _ in range(20)]
            lists_in_flight = [asyncio.ensure_future(pool.parse_listing(list_url, list_body, site, None))
                               for _ in range(5)]
            await asyncio.sleep(0)  # the jobs are written to the worker's socket
            os.kill(pid, signal.SIGKILL)
            results = await asyncio.gather(*in_flight)
            listings = await asyncio.gather(*lists_in_flight)
            later = await pool.extract(URL, body, site, None)
            return results, listings, later, pool.in_process
        finally:
            pool.close()

    results, listings, later, in_process = asyncio.run(crawl())
    expected = extract_page(URL, body, site, None)
    assert results == [expected] * 20 and later == expected
    assert listings == [parse_listing(list_url, list_body, site)] * 5
    assert in_process
    assert "extraction worker" in caplog.text and "exited" in caplog.text


def test_an_error_in_the_worker_reaches_the_caller_as_in_process():
    """A page the extractor fails on raises the same exception with or without workers; the worker survives."""

    async def attempt(workers):
        pool = ExtractionPool(workers)
        try:
            with pytest.raises(AttributeError) as raised:
                await pool.extract(URL, None, None, None)  # not bytes or str: the extractor fails
            after = await pool.extract(URL, SEED.read_bytes(), None, None)
            return str(raised.value), after.extraction.date, len(pool.worker_pids)
        finally:
            pool.close()

    assert asyncio.run(attempt(1)) == asyncio.run(attempt(0))[:2] + (1,)


def test_in_process_pool_needs_no_workers():
    pool = ExtractionPool(0)
    assert pool.in_process
    result = asyncio.run(pool.extract(URL, SEED.read_bytes(), None, None))
    assert result.extraction.date == "2022-02-17"


_CHILD = """
import asyncio, sys
from zonecrawler.crawl.extractpool import ExtractionPool, default_workers, extract_page, workers_from_setting
pool = ExtractionPool(2)
asyncio.run(pool.extract("http://x/", b"<p>x</p>", None, None))
print(" ".join(str(pid) for pid in pool.worker_pids), flush=True)
sys.stdin.read()
"""


def test_workers_exit_when_the_crawl_process_is_killed():
    proc = subprocess.Popen([sys.executable, "-c", _CHILD], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.2)
        alive = [pid for pid in alive if _running(pid)]
    assert alive == [], "extraction workers outlived the killed crawl"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie has exited
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_workers_setting():
    assert workers_from_setting("auto") == workers_from_setting(None) == workers_from_setting("") == default_workers()
    assert default_workers() == (1 if (os.cpu_count() or 1) >= 2 else 0)
    assert workers_from_setting("3") == workers_from_setting(3) == 3
    assert workers_from_setting("0") == 0
    for bad in ("two", "-1", -2, 1.5):
        with pytest.raises(ValueError, match="ZONECRAWLER_EXTRACT_WORKERS must be 'auto' or a whole number"):
            workers_from_setting(bad)



def test_worker_exits_quietly_when_its_crawl_vanishes():
    """A killed crawl may reset the socket instead of closing it: the worker still exits 0, no traceback."""
    import socket

    from zonecrawler.crawl.extractworker import pack

    ours, theirs = socket.socketpair()
    worker = subprocess.Popen([sys.executable, "-m", "zonecrawler.crawl.extractworker", str(theirs.fileno())],
                              pass_fds=[theirs.fileno()], cwd=REPO, stderr=subprocess.PIPE, text=True)
    theirs.close()
    ours.sendall(pack(("job", 1, "article", URL, SEED.read_bytes(), None, None)))
    deadline = time.monotonic() + 30
    while not select.select([ours], [], [], 0.1)[0] and time.monotonic() < deadline:
        pass  # the reply is waiting, unread, when we close: the worker's next read is a reset
    ours.close()
    _, stderr = worker.communicate(timeout=30)
    assert worker.returncode == 0
    assert "Traceback" not in stderr


def test_a_frozen_worker_is_replaced_and_its_pages_finish(caplog):
    """SIGSTOP the worker with pages in hand: the watchdog kills it, starts another, and every page is extracted."""
    site = get_site("investchn")
    body = SEED.read_bytes()

    async def crawl():
        pool = ExtractionPool(1, time_limit=0.5)  # watchdog after 0.5 s + 1 s grace
        try:
            await pool.extract(URL, body, site, None)  # worker up
            (frozen,) = pool.worker_pids
            os.kill(frozen, signal.SIGSTOP)
            try:
                results = await asyncio.wait_for(
                    asyncio.gather(*(pool.extract(URL, body, site, None) for _ in range(5))), timeout=60)
            finally:
                _kill_quietly(frozen)
            return results, frozen, pool.worker_pids, pool.workers_replaced, pool.in_process
        finally:
            pool.close()

    results, frozen, pids, replaced, in_process = asyncio.run(crawl())
    assert results == [extract_page(URL, body, site, None)] * 5
    assert replaced == 1 and len(pids) == 1 and pids != [frozen] and not in_process
    assert not _running(frozen)
    assert f"extraction worker {frozen} answered nothing for" in caplog.text
    assert "killing it and starting another (5 page(s) handed on)" in caplog.text


def test_a_page_that_wedges_two_workers_fails_with_a_timeout(caplog):
    """The page every worker freezes on is given up after the second worker (ExtractionTimeout); the page behind it finishes."""
    from zonecrawler.extract.limits import ExtractionTimeout

    site = get_site("investchn")
    body = SEED.read_bytes()
    frozen: list[int] = []

    class FirstReplacementFreezes(ExtractionPool):
        async def _start_one(self):
            link = await super()._start_one()
            if self.workers_replaced == 1:  # stopped before it is handed any page
                os.kill(link.process.pid, signal.SIGSTOP)
                frozen.append(link.process.pid)
            return link

    async def crawl():
        pool = FirstReplacementFreezes(1, time_limit=0.5)
        try:
            await pool.extract(URL, body, site, None)
            (pid,) = pool.worker_pids
            os.kill(pid, signal.SIGSTOP)
            frozen.append(pid)
            wedged = asyncio.ensure_future(pool.extract(URL, body, site, None))
            behind = asyncio.ensure_future(pool.extract(URL, body, site, None))
            with pytest.raises(ExtractionTimeout, match="no extraction worker answered within 0.5 s"):
                await asyncio.wait_for(wedged, timeout=60)
            return await asyncio.wait_for(behind, timeout=60), pool.workers_replaced
        finally:
            for pid in frozen:
                _kill_quietly(pid)
            pool.close()

    later, replaced = asyncio.run(crawl())
    assert later == extract_page(URL, body, site, None)
    assert replaced == 2 and len(frozen) == 2
    assert caplog.text.count("answered nothing for") == 2


def _kill_quietly(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
