"""Atomic output: the JSON Lines file downstream reads only ever appears complete."""

from __future__ import annotations

import subprocess
from types import SimpleNamespace

from tests.conftest import REPO, run_scrapy
from tests.crawlkit import FileWatcher, copy_mirror, expected_paths, read_jsonl, slow_server, wait_for_lines
from zonecrawler.crawl.feeds import AtomicFileFeedStorage


def test_scrapy_crawl_output_appears_only_complete(tmp_path):
    """Plain ``scrapy crawl -O``: NAME.part grows during the crawl, NAME appears once, whole."""
    site = copy_mirror(tmp_path)
    out = tmp_path / "articles.jsonl"
    part = tmp_path / "articles.jsonl.part"
    with slow_server(site, delay=0.05) as server, FileWatcher(out) as watcher, FileWatcher(part) as part_watcher:
        proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={server.base_url}", "-O", str(out)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    assert len(records) == len(expected_paths(site))
    assert not part.exists()
    assert part_watcher.views > 0, "the crawl should have been seen writing NAME.part"
    assert watcher.bad == [], watcher.bad[:3]
    # Every view of NAME a reader could get was the finished file.
    assert watcher.max_lines == len(records)


def test_killed_crawl_leaves_the_previous_output_untouched(tmp_path):
    site = copy_mirror(tmp_path)
    out = tmp_path / "articles.jsonl"
    previous = b'{"id": "0000000000000001", "note": "yesterday"}\n'
    out.write_bytes(previous)
    part = tmp_path / "articles.jsonl.part"
    part.write_bytes(b'{"stale": "from a crash"}\n{"torn"')  # a stale part without JOBDIR is started afresh
    with slow_server(site, delay=0.1) as server, FileWatcher(out) as watcher:
        proc = subprocess.Popen(
            [__import__("sys").executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={server.base_url}",
             "-O", str(out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_lines(part, 3, proc)
            assert b"stale" not in part.read_bytes()
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert out.read_bytes() == previous
    assert watcher.bad == []


def _storage(path, overwrite: bool) -> AtomicFileFeedStorage:
    return AtomicFileFeedStorage(str(path), feed_options={"overwrite": overwrite, "format": "jsonlines"})


def test_append_mode_publishes_old_plus_new_in_one_rename(tmp_path):
    out = tmp_path / "feed.jsonl"
    out.write_bytes(b'{"n": 1}\n')
    storage = _storage(out, overwrite=False)
    fh = storage.open(SimpleNamespace())
    fh.write(b'{"n": 2}\n')
    assert out.read_bytes() == b'{"n": 1}\n'  # unchanged until the feed closes
    storage.store(fh)
    assert out.read_bytes() == b'{"n": 1}\n{"n": 2}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["feed.jsonl"]


def test_overwrite_mode_replaces(tmp_path):
    out = tmp_path / "sub" / "feed.jsonl"
    storage = _storage(out, overwrite=True)
    fh = storage.open(SimpleNamespace())
    fh.write(b'{"n": 3}\n')
    assert not out.exists() and (tmp_path / "sub" / "feed.jsonl.part").exists()
    storage.store(fh)
    assert out.read_bytes() == b'{"n": 3}\n'
