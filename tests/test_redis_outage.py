"""Redis outages in distributed mode: nothing is dropped, no request is acknowledged, every worker exits.

A real redis-server on 127.0.0.1 is shut down (``SHUTDOWN SAVE``) while two workers are mid-crawl,
then started again on the same port with its saved data.  Workers retry Redis with backoff,
keep their requests in flight, and finish the crawl once Redis is back: every article is in
exactly one complete line of the outputs.  When Redis stays away longer than
``ZONECRAWLER_REDIS_OUTAGE_TIMEOUT`` a worker closes with a failure status (and exits); what
it held is re-done by the next worker.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.redis_fixtures import RedisProcess, redis_process  # noqa: F401 - pytest fixture
from tests.test_distributed import MIRROR, Worker, _assert_exactly_once, _expected_paths, _slow_handler
from zonecrawler.cli.mirror import MirrorServer


def _summary(worker: Worker) -> dict:
    return json.loads(worker.summary.read_text("utf-8"))


def _worker(name, base_url, redis_url, tmp_path, *extra) -> Worker:
    summary = tmp_path / f"{name}.summary.json"
    worker = Worker(name, base_url, redis_url, tmp_path, extra=["-s", f"ZONECRAWLER_SUMMARY_FILE={summary}", *extra])
    worker.summary = summary
    return worker


def _wait_mid_crawl(workers, minimum: int = 2, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(w.proc.poll() is not None for w in workers):
            pytest.fail("a worker finished before the outage:\n" + workers[0].log_text()[-3000:])
        if sum(len(w.records()) for w in workers) >= minimum:
            return
        time.sleep(0.05)
    pytest.fail("the workers wrote nothing:\n" + workers[0].log_text()[-3000:])


def test_redis_stopped_and_restarted_mid_crawl_loses_nothing(redis_process: RedisProcess, tmp_path):  # noqa: F811
    with MirrorServer(MIRROR, handler=_slow_handler(0.4)) as mirror:
        expected = _expected_paths(mirror.base_url)
        workers = [_worker(f"w{i}", mirror.base_url, redis_process.url, tmp_path) for i in (1, 2)]
        _wait_mid_crawl(workers)
        redis_process.stop()
        time.sleep(4)  # the workers hit the outage: pipelines, acks, enqueues, pops all fail meanwhile
        written_during_outage = sum(len(w.records()) for w in workers)
        redis_process.start()
        codes = [w.wait(timeout=120) for w in workers]
    for w, code in zip(workers, codes):
        assert code == 0, w.log_text()[-3000:]
    _assert_exactly_once(workers, expected)
    assert written_during_outage < len(expected), "the outage must land mid-crawl"
    logs = "".join(w.log_text() for w in workers)
    assert "Redis unreachable" in logs  # the outage was noticed and waited out ...
    for w in workers:
        assert _summary(w)["finish_reason"] == "finished", w.log_text()[-3000:]


def test_redis_that_stays_away_fails_the_worker_and_the_next_run_delivers_the_rest(
        redis_process: RedisProcess, tmp_path):  # noqa: F811
    with MirrorServer(MIRROR, handler=_slow_handler(0.4)) as mirror:
        expected = _expected_paths(mirror.base_url)
        first = _worker("first", mirror.base_url, redis_process.url, tmp_path,
                        "-s", "ZONECRAWLER_REDIS_OUTAGE_TIMEOUT=3")
        _wait_mid_crawl([first])
        redis_process.stop()
        assert first.wait(timeout=90) == 0, first.log_text()[-3000:]  # it exits, Redis or not
        summary = _summary(first)
        assert summary["status"] == "fail" and summary["finish_reason"] == "redis_unavailable", summary
        assert any("Redis" in f for f in summary["failures"]), summary["failures"]
        # Redis comes back (with its data); the next worker re-does what the failed one held.
        redis_process.start()
        second = _worker("second", mirror.base_url, redis_process.url, tmp_path)
        assert second.wait(timeout=120) == 0, second.log_text()[-3000:]
    _assert_exactly_once([first, second], expected)
    assert _summary(second)["status"] in ("ok", "warning"), _summary(second)
