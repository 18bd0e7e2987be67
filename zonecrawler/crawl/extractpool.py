"""Extraction off the crawl's event loop: worker processes the spider awaits.

Extraction is pure CPU work (1.5–3 ms an article page, several ms a list page of 50
links).  Run in the reactor it delays every download in flight; in a worker process it
runs on another core.  Workers do both jobs: ``await pool.extract(...)`` for an article
page, ``await pool.parse_listing(...)`` for a list page.  The crawl process
starts no threads for this: each worker is a child process joined to it by a socket
pair, and an asyncio protocol on the crawl's own event loop sends pages and reads
results (length-prefixed pickles, see :mod:`zonecrawler.crawl.extractworker`).  A worker
exits on its own when the crawl process goes away, even by SIGKILL (its socket
reaches end-of-file).

With ``ZONECRAWLER_EXTRACT_WORKERS = 0`` pages are extracted in the crawl process.
If a worker dies, its unfinished pages are extracted in the crawl process and the
crawl goes on with the workers that are left (or in-process): no page is lost.
Results are the same either way.

A watchdog guards against a worker that stops answering (stopped by a signal, stuck in
C code): a worker with pages in hand that has answered nothing for the per-page time
limit plus a grace period (:func:`watchdog_seconds`) is killed and replaced.  The page
it was working on is sent once more, to the new worker; if that one does not answer in
time either, the page fails with :class:`~zonecrawler.extract.limits.ExtractionTimeout`.
The pages queued behind it go to the new worker as they were.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import pickle
import socket
import subprocess
import sys
import time
from typing import NamedTuple

from zonecrawler.crawl.extractworker import FRAME, pack
from zonecrawler.extract.article import Extraction, extract_article
from zonecrawler.extract.discovery import PageAnalysis, analyze_page
from zonecrawler.extract.limits import DEFAULT_TIME_LIMIT, ExtractionTimeout
from zonecrawler.extract.listing import Listing, classify_links, parse_listing
from zonecrawler.siteconfig import Site

logger = logging.getLogger(__name__)
_CLOSE_WAIT_SECONDS = 5.0


class ArticlePage(NamedTuple):
    """What the spider needs from an article page: its fields, and the article links it shows."""

    extraction: Extraction
    article_links: list[str]


def extract_page(url: str, body: bytes, site: Site | None, http_charset: str | None) -> ArticlePage:
    """The job a worker (or the crawl process) does per article page; pure.

    The page's links are classified here by the site's patterns; ``extraction.links`` is
    emptied (nothing downstream needs the raw list, and it would only be pickled back).
    """
    extraction = extract_article(url, body, site=site, http_charset=http_charset)
    links = classify_links(url, [(link, "") for link in extraction.links], site).articles if site else []
    extraction.links = []
    return ArticlePage(extraction, links)


def analyze(url: str, body: bytes, site: Site | None, http_charset: str | None) -> PageAnalysis:
    """The job per page of a site crawled without patterns: role, fields, discovered links; pure."""
    return analyze_page(url, body, site, http_charset)


# What a worker can be asked to do: pure functions of (url, body, site, http_charset).
JOBS = {"article": extract_page, "list": parse_listing, "page": analyze}


def default_workers() -> int:
    """One worker when the machine has a core to spare for it, else none."""
    return 1 if (os.cpu_count() or 1) >= 2 else 0


def watchdog_seconds(time_limit: float) -> float:
    """How long a busy worker may stay silent before the watchdog replaces it: the per-page
    time limit plus a grace period (half the limit, 1 to 5 s) for the worker's own limit to answer first."""
    return time_limit + min(5.0, max(1.0, time_limit / 2))


def time_limit_from_setting(value) -> float:
    """``ZONECRAWLER_EXTRACT_TIMEOUT`` as seconds (a positive number)."""
    if value is None or value == "":
        return DEFAULT_TIME_LIMIT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if not seconds > 0:
        raise ValueError(f"ZONECRAWLER_EXTRACT_TIMEOUT must be a number of seconds above 0, not {value!r}")
    return seconds


def workers_from_setting(value) -> int:
    """``ZONECRAWLER_EXTRACT_WORKERS`` as a count: ``"auto"`` (or unset) -> :func:`default_workers`."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "auto")):
        return default_workers()
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if count < 0 or isinstance(value, float) and value != count:
        raise ValueError(f"ZONECRAWLER_EXTRACT_WORKERS must be 'auto' or a whole number >= 0, not {value!r}")
    return count


class _Job:
    __slots__ = ("future", "kind", "url", "body", "site", "http_charset", "timed_out")

    def __init__(self, future: asyncio.Future, kind: str, url: str, body: bytes, site: Site | None,
                 http_charset: str | None):
        self.future, self.kind, self.url, self.body, self.site, self.http_charset = (
            future, kind, url, body, site, http_charset)
        self.timed_out = 0  # how many workers were replaced while working on this page

    def run_here(self) -> None:
        """Do the job in this process (the worker that had it is gone)."""
        if self.future.done():
            return
        try:
            self.future.set_result(JOBS[self.kind](self.url, self.body, self.site, self.http_charset))
        except Exception as exc:  # the same error the spider would get in-process
            self.future.set_exception(exc)


class _WorkerLink(asyncio.Protocol):
    """The crawl's end of one worker's socket: frames out, results in, futures resolved."""

    def __init__(self, pool: ExtractionPool, process: subprocess.Popen, sock: socket.socket):
        self.pool, self.process, self.sock = pool, process, sock
        self.loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.pending: dict[int, _Job] = {}  # in the order sent: the worker does them in that order
        self.sites_sent: set[int] = set()
        self.last_progress = time.monotonic()  # last reply, or the job that ended an idle spell
        self.replaced = False  # killed by the watchdog: its pages are handed on, not redone here
        self._buffer = bytearray()

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self, message: tuple) -> None:
        self.transport.write(pack(message))

    def data_received(self, data: bytes) -> None:
        self.last_progress = time.monotonic()
        self._buffer += data
        while len(self._buffer) >= FRAME.size:
            (size,) = FRAME.unpack_from(self._buffer)
            end = FRAME.size + size
            if len(self._buffer) < end:
                return
            job_id, ok, value = pickle.loads(memoryview(self._buffer)[FRAME.size:end])
            del self._buffer[:end]
            job = self.pending.pop(job_id, None)
            if job is None or job.future.done():
                continue
            if ok:
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def connection_lost(self, exc) -> None:
        self.pool._lost(self)


class ExtractionPool:
    """``await pool.extract(url, body, site, charset)`` -> :class:`ArticlePage`;
    ``await pool.parse_listing(url, body, site, charset)`` -> :class:`Listing`.

    Workers start on the first page, on the running event loop; ``close()`` stops them.
    """

    def __init__(self, workers: int, time_limit: float = DEFAULT_TIME_LIMIT):
        self.size = max(0, workers)
        self.time_limit = time_limit
        self.watchdog_after = watchdog_seconds(time_limit)
        self._links: list[_WorkerLink] = []
        self._starting: asyncio.Future | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._respawning: asyncio.Future | None = None  # a replacement worker on its way
        self.workers_replaced = 0
        self._closing = False
        self._ids = itertools.count()
        self._site_keys: dict[int, int] = {}
        self._sites: list[Site] = []  # keeps every Site sent to workers alive, so its id() stays its own
        self.worker_peak_rss: list[int] = []  # bytes, one per worker stopped by close()
        self.worker_cpu_seconds: list[float] = []  # user+system, one per worker stopped by close()

    @property
    def in_process(self) -> bool:
        """True when pages are (now) extracted in the crawl process."""
        return self.size == 0 or (self._starting is not None and self._starting.done() and not self._links)

    @property
    def worker_pids(self) -> list[int]:
        return [link.process.pid for link in self._links]

    async def extract(self, url: str, body: bytes, site: Site | None, http_charset: str | None) -> ArticlePage:
        """An article page's fields and the article links it shows (:func:`extract_page`)."""
        return await self._run("article", url, body, site, http_charset)

    async def parse_listing(self, url: str, body: bytes, site: Site, http_charset: str | None) -> Listing:
        """A list page's article, list and next-page links (:func:`~zonecrawler.extract.listing.parse_listing`)."""
        return await self._run("list", url, body, site, http_charset)

    async def analyze(self, url: str, body: bytes, site: Site | None, http_charset: str | None) -> PageAnalysis:
        """A page's role, fields and links found without patterns (:func:`~zonecrawler.extract.discovery.analyze_page`)."""
        return await self._run("page", url, body, site, http_charset)

    async def _run(self, kind: str, url: str, body: bytes, site: Site | None, http_charset: str | None):
        if self.size and not self._closing:
            if self._starting is None:
                self._starting = asyncio.ensure_future(self._start())
            await self._starting
            if self._respawning is not None:
                await asyncio.shield(self._respawning)
        if not self._links:
            return JOBS[kind](url, body, site, http_charset)
        job = _Job(asyncio.get_running_loop().create_future(), kind, url, body, site, http_charset)
        self._dispatch(job)
        return await job.future

    def _dispatch(self, job: _Job) -> None:
        """Send a job to the least busy worker (or do it here when none is left)."""
        if not self._links:
            job.run_here()
            return
        link = min(self._links, key=lambda candidate: len(candidate.pending))
        site_key = self._site_key(link, job.site)
        job_id = next(self._ids)
        if not link.pending:
            link.last_progress = time.monotonic()  # the worker was idle: its clock starts now
        link.pending[job_id] = job
        link.send(("job", job_id, job.kind, job.url, job.body, site_key, job.http_charset))

    def _site_key(self, link: _WorkerLink, site: Site | None) -> int | None:
        """Sites go to each worker once; jobs name them by a small key."""
        if site is None:
            return None
        key = self._site_keys.get(id(site))
        if key is None:
            key = self._site_keys[id(site)] = len(self._sites)
            self._sites.append(site)
        if key not in link.sites_sent:
            link.send(("site", key, site))
            link.sites_sent.add(key)
        return key

    async def _start(self) -> None:
        for _ in range(self.size):
            link = await self._start_one()
            if link is None:
                break
            self._links.append(link)
        if self._links:
            logger.info("extracting pages in %d worker process(es): pids %s", len(self._links), self.worker_pids)
            self._arm_watchdog()

    async def _start_one(self) -> _WorkerLink | None:
        """Start one worker process joined by a socket pair; None when it cannot be started."""
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "zonecrawler.crawl.extractworker", str(theirs.fileno())],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
            )
        except OSError as exc:
            ours.close()
            logger.error("cannot start an extraction worker (%s); extracting in the crawl process", exc)
            return None
        finally:
            theirs.close()
        link = _WorkerLink(self, process, ours)
        await asyncio.get_running_loop().create_connection(lambda: link, sock=ours)
        return link

    # --- the watchdog ------------------------------------------------------------------------
    def _arm_watchdog(self) -> None:
        if self._closing or not self._links:
            return
        interval = min(1.0, self.watchdog_after / 4)
        self._watchdog = asyncio.get_running_loop().call_later(interval, self._check_workers)

    def _check_workers(self) -> None:
        """Replace every worker that has had pages in hand and answered nothing for too long."""
        self._watchdog = None
        now = time.monotonic()
        for link in list(self._links):
            if link.pending and now - link.last_progress > self.watchdog_after:
                self._replace(link, now - link.last_progress)
        self._arm_watchdog()

    def _replace(self, link: _WorkerLink, silent_for: float) -> None:
        """Kill a wedged worker, start another, and hand it the pages the old one held."""
        self._links.remove(link)
        link.replaced = True
        self.workers_replaced += 1
        pending, link.pending = link.pending, {}
        jobs = list(pending.values())
        head = jobs[0] if jobs else None
        logger.error(
            "extraction worker %d answered nothing for %.1f s (per-page limit %.1f s) while extracting %s; "
            "killing it and starting another (%d page(s) handed on)",
            link.process.pid, silent_for, self.time_limit, head.url if head else "?", len(jobs),
        )
        try:
            link.process.kill()  # SIGKILL ends a stopped process too
        except OSError:
            pass
        if link.transport is not None:
            link.transport.abort()
        link.process.wait()
        if head is not None:
            head.timed_out += 1
            if head.timed_out > 1:  # a second worker wedged on the same page: it is the page
                jobs.remove(head)
                if not head.future.done():
                    head.future.set_exception(ExtractionTimeout(
                        f"{head.url}: no extraction worker answered within {self.time_limit:g} s "
                        f"(twice; the page is given up)"))
        previous = self._respawning
        self._respawning = asyncio.ensure_future(self._respawn(jobs, previous))

    async def _respawn(self, jobs: list[_Job], previous: asyncio.Future | None) -> None:
        if previous is not None:
            await asyncio.shield(previous)
        replacement = None if self._closing else await self._start_one()
        if replacement is not None:
            if self._closing:
                _stop([replacement])
            else:
                self._links.append(replacement)
                logger.info("extraction worker %d started in place of the one replaced", replacement.process.pid)
                if self._watchdog is None:
                    self._arm_watchdog()
        if self._respawning is asyncio.current_task():
            self._respawning = None
        for job in jobs:
            self._dispatch(job)

    def _lost(self, link: _WorkerLink) -> None:
        """A worker's socket closed: redo its unfinished pages here, go on without it."""
        if link.replaced:
            return  # the watchdog killed it and handed its pages on
        if link in self._links:
            self._links.remove(link)
        if not self._closing:
            code = link.process.poll()
            logger.error(
                "extraction worker %d exited (code %s); extracting its %d unfinished page(s) in the crawl process, "
                "%d worker(s) left", link.process.pid, code, len(link.pending), len(self._links),
            )
        pending, link.pending = link.pending, {}
        for job in pending.values():
            job.run_here()

    def close(self) -> None:
        """Stop the workers (they see end-of-file and exit); safe to call twice or with no loop running."""
        self._closing = True
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        links, self._links = self._links, []
        self.worker_peak_rss += [_peak_rss(link.process.pid) for link in links]
        self.worker_cpu_seconds += [_cpu_seconds(link.process.pid) for link in links]
        _stop(links)


def _stop(links: list[_WorkerLink]) -> None:
    """Close the workers' sockets (they see end-of-file and exit) and reap them."""
    for link in links:
        try:
            link.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    for link in links:
        _reap(link.process)
        if link.transport is not None and not link.loop.is_closed():
            link.transport.abort()
        else:
            link.sock.close()


def _peak_rss(pid: int) -> int:
    """A live worker's peak resident memory in bytes (``VmHWM``; 0 where /proc is missing).

    Not ``wait4``'s ``ru_maxrss``: that keeps the high-water mark of the crawl process the
    worker was forked from before it exec'd.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """A live worker's user+system CPU time so far (0.0 where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _reap(process: subprocess.Popen) -> None:
    """Wait for a worker to exit; kill it after a grace period."""
    try:
        process.wait(timeout=_CLOSE_WAIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
