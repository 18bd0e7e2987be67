"""Overlapping runs: one crawl at a time per job dir, article store and output.

A second ``zonecrawler crawl`` (cron overrunning its slot) that finds any of them locked
exits at once with exit code 75 and one ``error:`` line naming the holder's pid, and
touches nothing: the live run then delivers every article exactly once.  Locks are
``flock``s, so a killed holder leaves none behind.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import INVESTCHN_SITE, REPO
from tests.crawlkit import (
    copy_mirror,
    crawl_cmd,
    expected_paths,
    read_jsonl,
    run,
    summary_of,
    wait_for_lines,
)
from zonecrawler.cli.mirror import MirrorHandler, MirrorServer
from zonecrawler.siteconfig import get_site
from zonecrawler.storage.locks import LOCKED_EXIT_CODE, LockHeld, acquire, lock_file_for

HOLDER = """
import sys, time
from zonecrawler.storage.locks import acquire
acquire(sys.argv[1], "test", sys.argv[2])
print("locked", flush=True)
time.sleep(120)
"""


class Holder:
    """Another process holding the lock on ``path`` (killed by the test)."""

    def __init__(self, path: Path, kind: str = "file"):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), kind], cwd=REPO,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"
        self.pid = self.proc.pid

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error" in line.lower() or "Traceback" in line]


class GatedHandler(MirrorHandler):
    """Serves the first few article pages, then holds every other one until ``server.gate`` is set."""

    def do_GET(self):  # noqa: N802
        if get_site("investchn").is_article(urlsplit(self.path).path):
            with self.server.lock:
                self.server.articles_served += 1
                held = self.server.articles_served > 3
            if held:
                self.server.gate.wait(timeout=90)
        super().do_GET()


def gated_server(root: Path) -> MirrorServer:
    server = MirrorServer(root, handler=GatedHandler)
    server.gate, server.lock, server.articles_served = threading.Event(), threading.Lock(), 0
    return server


def test_second_overlapping_run_exits_at_once_and_the_first_delivers_everything(tmp_path):
    site = copy_mirror(tmp_path)
    expected = expected_paths(site)
    out, jobdir, store = tmp_path / "articles.jsonl", tmp_path / "job", tmp_path / "store.sqlite"
    part = out.with_name(out.name + ".part")
    with gated_server(site) as server:
        # The first run cannot finish before the gate opens, however slow the machine is.
        cmd = crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir), store=store)
        first = subprocess.Popen(cmd + ["-s", "DOWNLOAD_TIMEOUT=120"], cwd=REPO,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for_lines(part, 3, first) >= 3, "the first run must be mid-crawl"
            second = run(cmd + ["--log-level", "WARNING"])
            assert first.poll() is None, "the first run was still going while the second one ran"
            server.gate.set()
            _, first_err = first.communicate(timeout=120)
        finally:
            server.gate.set()
            if first.poll() is None:
                first.kill()
                first.communicate(timeout=30)
    assert second.returncode == LOCKED_EXIT_CODE, second.stderr[-3000:]
    lines = _error_lines(second.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: ") and f"pid {first.pid}" in lines[0], second.stderr
    assert second.stdout == "", "the second run prints no summary: it did not crawl"
    # The live run was left alone: it published every article once and recorded them all.
    assert first.returncode == 0, first_err[-3000:]
    records = read_jsonl(out)
    assert sorted(urlsplit(r["url"]).path for r in records) == sorted(expected)
    assert len({r["id"] for r in records}) == len(records)
    assert summary_of(out)["status"] == "ok"
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(expected)
    assert "did not shut down cleanly" not in first_err


@pytest.mark.parametrize("shared", ["output", "store", "jobdir"])
def test_each_locked_path_stops_a_crawl_before_it_touches_anything(tmp_path, shared):
    out, store, jobdir = tmp_path / "articles.jsonl", tmp_path / "store.sqlite", tmp_path / "job"
    out.write_text('{"id": "yesterday"}\n', "utf-8")
    jobdir.mkdir()
    (jobdir / "zonecrawler.running").write_text("pid 1 started (the live run)\n", "utf-8")
    (jobdir / "requests.seen").write_text("live run's state\n", "utf-8")
    target, kind = {"output": (out, "file"), "store": (store, "file"), "jobdir": (jobdir, "jobdir")}[shared]
    holder = Holder(target, kind)
    try:
        with MirrorServer(INVESTCHN_SITE) as server:
            proc = run(crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir), store=store)
                       + ["--log-level", "WARNING"])
            assert not server.hits, "nothing may be fetched"
    finally:
        holder.kill()
    assert proc.returncode == LOCKED_EXIT_CODE, proc.stderr[-3000:]
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip().splitlines()[-1]]
    assert f"pid {holder.pid}" in proc.stderr and str(target) in proc.stderr
    assert out.read_text("utf-8") == '{"id": "yesterday"}\n'
    assert not out.with_name(out.name + ".part").exists()
    assert (jobdir / "requests.seen").read_text("utf-8") == "live run's state\n", "the live run's queue must survive"
    assert (jobdir / "zonecrawler.running").exists()
    assert not store.exists()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path):
    out = tmp_path / "articles.jsonl"
    holder = Holder(out)
    with pytest.raises(LockHeld) as held:
        acquire(out, "output")
    assert held.value.pid == holder.pid
    holder.proc.send_signal(signal.SIGKILL)
    holder.proc.wait(timeout=10)
    assert lock_file_for(out, "file").exists()  # the file stays; the kernel dropped the flock
    lock = acquire(out, "output")
    assert lock_file_for(out, "file").read_text("ascii").strip() == str(os.getpid())
    assert acquire(out, "output") is lock, "this process may ask again for a lock it holds"
    lock.release()


def test_demo_and_scrapy_crawl_stop_on_a_held_lock(tmp_path):
    out = tmp_path / "articles.jsonl"
    holder = Holder(out)
    try:
        demo = subprocess.run([sys.executable, "-m", "zonecrawler.cli", "demo", "-o", str(out), "--archive", ""],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        with MirrorServer(INVESTCHN_SITE) as server:
            scrapy = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={server.base_url}",
                 "-O", str(out), "-s", "LOG_LEVEL=WARNING"],
                cwd=REPO, capture_output=True, text=True, timeout=120)
    finally:
        holder.kill()
    assert demo.returncode == LOCKED_EXIT_CODE, demo.stderr[-3000:]
    assert [line for line in demo.stderr.splitlines() if line.startswith("error: ")] == \
        [line for line in _error_lines(demo.stderr)]
    assert f"pid {holder.pid}" in demo.stderr and "wrote" not in demo.stdout
    assert scrapy.returncode == LOCKED_EXIT_CODE, scrapy.stderr[-3000:]
    assert len(_error_lines(scrapy.stderr)) == 1 and f"pid {holder.pid}" in scrapy.stderr
    assert not out.exists()


def test_lock_file_locations(tmp_path):
    assert lock_file_for(tmp_path / "job", "jobdir") == tmp_path / "job" / "zonecrawler.lock"
    assert lock_file_for(tmp_path / "store.sqlite", "file") == tmp_path / "store.sqlite.lock"
    assert lock_file_for(tmp_path / "out.jsonl", "file") == tmp_path / "out.jsonl.lock"
