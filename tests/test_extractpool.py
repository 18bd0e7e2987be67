"""Extraction in worker processes: same results as in-process, and no orphans when the crawl is killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

from tests.conftest import FIXTURES, REPO
from zonecrawler.extract.article import extract_article
from zonecrawler.extractpool import ExtractionPool
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
    assert remote == extract_article(URL, SEED.read_bytes(), site=site)


def test_in_process_pool_needs_no_workers():
    pool = ExtractionPool(0)
    assert pool.in_process
    result = asyncio.run(pool.extract(URL, SEED.read_bytes(), None, None))
    assert result.date == "2022-02-17"


_CHILD = """
import asyncio, multiprocessing, sys
from zonecrawler.extractpool import ExtractionPool
pool = ExtractionPool(1)
asyncio.run(pool.extract("http://x/", b"<p>x</p>", None, None))
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
sys.stdin.read()
"""


def test_workers_exit_when_the_crawl_process_is_killed():
    proc = subprocess.Popen([sys.executable, "-c", _CHILD], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert workers
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
