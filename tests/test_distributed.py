"""Distributed crawling (scrapy-redis): several ``scrapy crawl`` processes share one Redis queue.

Every test starts its own redis-server on 127.0.0.1 (``tests/redis_fixtures.py``) and serves the
investchn fixture mirror slowly (a short pause per page) so that the processes overlap.

"Exactly once" is checked on the union of all outputs: each article path of the mirror appears
in exactly one complete line (one ending in a newline) of exactly one output.  A process killed
with SIGKILL keeps the lines it had written; a record's id is marked done in Redis only after
its line is on disk (feeds are unbuffered in distributed mode), so the work a killed process
had not finished is re-done by the others and what it had finished is not written again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import INVESTCHN_SITE, REPO
from tests.redis_fixtures import redis_server  # noqa: F401 - pytest fixture
from zonecrawler.cli.mirror import MirrorHandler, MirrorServer
from zonecrawler.goldens import article_urls
from zonecrawler.siteconfig import get_site

MIRROR = INVESTCHN_SITE
SPIDER = "investchn"


def _slow_handler(delay: float):
    class SlowHandler(MirrorHandler):
        def do_GET(self):  # noqa: N802
            time.sleep(delay)
            super().do_GET()

    return SlowHandler


class Worker:
    """One ``python -m scrapy crawl`` process in distributed mode."""

    def __init__(self, name: str, base_url: str, redis_url: str, tmp: Path, extra: list[str] = ()):
        self.name = name
        self.out = tmp / f"{name}.jsonl"
        self.log = tmp / f"{name}.log"
        args = [
            sys.executable, "-m", "scrapy", "crawl", SPIDER, "-a", f"base_url={base_url}", "-O", str(self.out),
            "-s", f"ZONECRAWLER_REDIS_WORKER_ID={name}",
            "-s", "ZONECRAWLER_REDIS_IDLE_CLOSE=1.5",
            "-s", "ZONECRAWLER_REDIS_HEARTBEAT_TTL=3",
            # Take work from the shared queue two requests at a time instead of hoarding 16.
            "-s", "CONCURRENT_REQUESTS=2",
            # The incremental store is per process in distributed mode (see README).
            "-s", f"ZONECRAWLER_STORE={tmp / (name + '-store.sqlite')}",
            "-s", "LOG_LEVEL=INFO",
            *extra,
        ]
        env = {**os.environ, "ZONECRAWLER_REDIS_URL": redis_url}
        env.pop("ZONECRAWLER_BASE_URL", None)
        self._logfile = self.log.open("w")
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=self._logfile, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 90) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            pytest.fail(f"{self.name} did not finish within {timeout}s:\n{self.log_text()[-3000:]}")
        finally:
            self._logfile.close()

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._logfile.close()

    def log_text(self) -> str:
        return self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""

    def records(self) -> list[dict]:
        """The complete lines of the output (a killed process may leave a truncated last line)."""
        # A finished crawl renames NAME.part to NAME; a killed one leaves NAME.part (zonecrawler.crawl.feeds).
        path = self.out if self.out.exists() else self.out.with_name(self.out.name + ".part")
        if not path.exists():
            return []
        data = path.read_bytes()
        lines = data.split(b"\n")[:-1]  # the part after the last newline is not a complete line
        return [json.loads(line) for line in lines if line.strip()]


def _expected_paths(base_url: str) -> list[str]:
    urls = article_urls(MIRROR, base_url, get_site(SPIDER).is_article)
    assert len(urls) >= 20, "the fixture mirror should hold 20+ articles"
    return sorted(urlsplit(u).path for u in urls)


def _assert_exactly_once(workers: list[Worker], expected: list[str]) -> Counter:
    counts = Counter(urlsplit(r["url"]).path for w in workers for r in w.records())
    duplicated = sorted(p for p, n in counts.items() if n > 1)
    missing = sorted(set(expected) - set(counts))
    extra = sorted(set(counts) - set(expected))
    logs = "\n".join(f"--- {w.name}\n{w.log_text()[-2500:]}" for w in workers)
    assert not duplicated and not missing and not extra, (
        f"duplicated={duplicated} missing={missing} unexpected={extra}\n{logs}"
    )
    ids = [r["id"] for w in workers for r in w.records()]
    assert len(ids) == len(set(ids))
    return counts


def _redis(url: str):
    import redis

    return redis.Redis.from_url(url)


def test_two_processes_share_the_crawl(redis_server, tmp_path):  # noqa: F811
    with MirrorServer(MIRROR, handler=_slow_handler(0.15)) as mirror:
        workers = [Worker(f"w{i}", mirror.base_url, redis_server, tmp_path) for i in (1, 2)]
        codes = [w.wait() for w in workers]
        expected = _expected_paths(mirror.base_url)
        for w, code in zip(workers, codes):
            assert code == 0, w.log_text()[-3000:]
        _assert_exactly_once(workers, expected)
        # Both processes did part of the work.
        for w in workers:
            assert "zonecrawler.crawl.distributed.EmittedFilterPipeline" in w.log_text()
            assert w.records(), f"{w.name} wrote nothing:\n{w.log_text()[-3000:]}"
        # The queue is drained, nothing is in flight, every record id is marked written.
        client = _redis(redis_server)
        assert client.zcard(f"zonecrawler:{SPIDER}:requests") == 0
        assert not client.keys(f"zonecrawler:{SPIDER}:inflight:*")
        assert client.scard(f"zonecrawler:{SPIDER}:emitted") == len(expected)
        # A later round walks the lists again but fetches no known article:
        # the shared article seen-set is the cross-run memory.
        hits_before = len(mirror.hits)
        again = Worker("w3", mirror.base_url, redis_server, tmp_path)
        assert again.wait() == 0, again.log_text()[-3000:]
        assert "started a new round" in again.log_text()
        assert again.records() == []
        new_hits = mirror.hits[hits_before:]
        assert new_hits and not [h for h in new_hits if h in expected]


def _gated_slow_handler(delay: float, gate: threading.Event):
    """Slow pages; while ``gate`` is clear, pages wait for it (bounded) — the round cannot end meanwhile."""

    class GatedHandler(MirrorHandler):
        def do_GET(self):  # noqa: N802
            gate.wait(timeout=60)
            time.sleep(delay)
            super().do_GET()

    return GatedHandler


def test_killed_process_loses_no_article(redis_server, tmp_path):  # noqa: F811
    client = _redis(redis_server)
    gate = threading.Event()
    gate.set()
    with MirrorServer(MIRROR, handler=_gated_slow_handler(0.3, gate)) as mirror:
        expected = _expected_paths(mirror.base_url)
        survivor = Worker("survivor", mirror.base_url, redis_server, tmp_path)
        victim = Worker("victim", mirror.base_url, redis_server, tmp_path)
        # Kill the victim once it has written something and holds requests in flight.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if victim.proc.poll() is not None:
                pytest.fail(f"victim finished before it could be killed:\n{victim.log_text()[-3000:]}")
            if victim.records() and client.hlen(f"zonecrawler:{SPIDER}:inflight:victim"):
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"victim never had output and work in flight:\n{victim.log_text()[-3000:]}")
        gate.clear()  # hold the survivor's pages until the replacement has joined, however slow its start
        victim.kill()
        in_flight_at_kill = client.hlen(f"zonecrawler:{SPIDER}:inflight:victim")
        assert in_flight_at_kill > 0
        # A replacement joins the running crawl (no new round: the survivor's round goes on).
        replacement = Worker("replacement", mirror.base_url, redis_server, tmp_path)
        deadline = time.monotonic() + 60
        while not client.sismember(f"zonecrawler:{SPIDER}:workers", "replacement") and time.monotonic() < deadline:
            if replacement.proc.poll() is not None:
                break
            time.sleep(0.05)
        gate.set()
        assert survivor.wait() == 0, survivor.log_text()[-3000:]
        assert replacement.wait() == 0, replacement.log_text()[-3000:]
    workers = [survivor, victim, replacement]
    _assert_exactly_once(workers, expected)
    assert victim.records(), "the killed process's lines count towards the union"
    assert not victim.out.exists(), "a killed crawl never publishes NAME, only NAME.part"
    assert "started a new round" not in replacement.log_text()
    # The victim's in-flight requests were re-queued by the survivor or the replacement.
    logs = survivor.log_text() + replacement.log_text()
    assert "worker victim is gone: re-queued" in logs
    assert client.hlen(f"zonecrawler:{SPIDER}:inflight:victim") == 0


def test_start_urls_pushed_to_redis(redis_server, tmp_path):  # noqa: F811
    """With seeding off, a worker crawls only what is pushed to zonecrawler:<spider>:start_urls."""
    client = _redis(redis_server)
    with MirrorServer(MIRROR) as mirror:
        seed = f"{mirror.base_url}/news/202202/171001.html"
        client.rpush(f"zonecrawler:{SPIDER}:start_urls", json.dumps({"url": seed, "meta": {"zc_kind": "article"}}))
        worker = Worker("pushed", mirror.base_url, redis_server, tmp_path, extra=["-s", "ZONECRAWLER_REDIS_SEED=0"])
        assert worker.wait() == 0, worker.log_text()[-3000:]
        hits = list(mirror.hits)
    urls = [r["url"] for r in worker.records()]
    assert seed in urls
    assert "started a new round" not in worker.log_text()
    # No config start URL (list page) was fetched: only the pushed article and what it links to.
    assert not [h for h in hits if h.startswith(("/kfqxw/", "/tzxw/"))]
    assert client.llen(f"zonecrawler:{SPIDER}:start_urls") == 0


def test_a_new_request_is_marked_seen_and_queued_in_one_step(redis_server):  # noqa: F811
    """The enqueue script: seen-set and queue change together, or (already seen) not at all."""
    from zonecrawler.crawl.distributed import _ENQUEUE

    client = _redis(redis_server)
    client.flushdb()
    enqueue = client.register_script(_ENQUEUE)
    keys = ["t:seen", "t:queue"]
    assert enqueue(keys=keys, args=[1, "fp1", -5, b"request-1"]) == 1
    assert client.sismember("t:seen", "fp1") and client.zscore("t:queue", b"request-1") == -5
    assert enqueue(keys=keys, args=[1, "fp1", 0, b"request-1-again"]) == 0  # seen: nothing queued
    assert client.zcard("t:queue") == 1
    assert enqueue(keys=keys, args=[0, "fp1", 0, b"dont-filter"]) == 1  # dont_filter skips the seen-set
    assert client.zcard("t:queue") == 2 and client.scard("t:seen") == 1
