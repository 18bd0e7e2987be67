"""Damaged state is refused or repaired, never silently accepted (issue 11, item 6).

* an article store that is empty (0 bytes), not SQLite, a directory, or has a damaged b-tree page:
  the crawl refuses it with one ``error:`` line, exit 1, before fetching anything, and the
  previously published output stays as it was;
* a saved queue that cannot be read (``requests.queue/active.json``, a queue file): discarded with a
  warning, the lists are re-walked, the job finishes with every article exactly once;
* unreadable lines in a resumed ``.part`` (not JSON, or not a record): skipped and counted.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from collections import Counter
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from tests.crawlkit import (
    CRAWL_TIMEOUT,
    copy_mirror,
    crawl_cmd,
    expected_paths,
    read_jsonl,
    run,
    slow_server,
    summary_of,
    wait_for_lines,
)
from zonecrawler.cli.mirror import MirrorServer
from zonecrawler.storage.store import ArticleStore

PREVIOUS = b'{"id": "0000000000000001", "note": "yesterday"}\n'


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    site = copy_mirror(tmp_path_factory.mktemp("mirror"))
    with MirrorServer(site) as server:
        server.expected = expected_paths(site)
        yield server


def _garble_btree_page(path):
    """A store of several pages whose second page (a b-tree page, not the header) is overwritten."""
    store = ArticleStore(path)
    store.commit_records({"id": f"{i:016x}", "url": f"https://example.org/news/{i}.html",
                          "canonical_url": f"https://example.org/news/{i}.html", "site": "x",
                          "content_hash": f"{i:032x}"} for i in range(400))
    store.close()
    with sqlite3.connect(path) as db:
        page = db.execute("PRAGMA page_size").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    assert pages > 4
    with open(path, "r+b") as fh:
        fh.seek(page * 2 + 8)
        fh.write(b"\xff\x00\x13garbage\x77" * 40)


@pytest.mark.parametrize("damage", ["empty", "garbled", "text", "directory", "btree"])
def test_a_damaged_store_is_refused_with_one_line_and_nothing_is_published(mirror, tmp_path, damage):
    store = tmp_path / "st.sqlite"
    if damage == "empty":
        store.write_bytes(b"")
    elif damage == "garbled":
        store.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    elif damage == "text":
        store.write_text("id,url\n1,http://example.org/\n")
    elif damage == "directory":
        store.mkdir()
    else:
        _garble_btree_page(store)
    out = tmp_path / "articles.jsonl"
    out.write_bytes(PREVIOUS)
    proc = run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", store=store))
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and str(store) in errors[0], proc.stderr[-3000:]
    assert out.read_bytes() == PREVIOUS
    summary = summary_of(out)
    assert summary["totals"]["pages_fetched"] == 0, "nothing is fetched with a store that cannot be used"
    assert summary["state_errors"] == [errors[0][len("error: "):]]
    if damage == "empty":
        assert "empty (0 bytes)" in errors[0]
        assert store.read_bytes() == b"", "the empty store must not be silently re-created"
    if damage == "btree":
        assert "quick_check" in errors[0]


def test_a_new_store_starts_empty_and_fills(mirror, tmp_path):
    store = tmp_path / "new" / "st.sqlite"
    out = tmp_path / "articles.jsonl"
    proc = run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    # no temporary file left behind (the lock file is the crawl lock's)
    assert [p.name for p in store.parent.iterdir() if not p.name.endswith(".lock")] == ["st.sqlite"]
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(mirror.expected)
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def _paused_job(tmp_path):
    """A job paused (Ctrl-C) early, so its saved queue holds requests; returns (site, cmd pieces)."""
    site = copy_mirror(tmp_path)
    out = tmp_path / "articles.jsonl"
    jobdir = tmp_path / "job"
    with slow_server(site, delay=0.25) as server:
        cmd = crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir))
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_lines(out.with_name(out.name + ".part"), 1, proc)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
    queues = [p for p in (jobdir / "requests.queue").rglob("*") if p.is_file() and p.name != "active.json"]
    assert queues and any(p.stat().st_size > 8 for p in queues), "the pause must leave requests in the saved queue"
    return site, out, jobdir, queues


@pytest.mark.parametrize("damage", ["active.json", "queue file"])
def test_an_unreadable_saved_queue_is_discarded_and_the_job_finishes(tmp_path, damage):
    site, out, jobdir, queues = _paused_job(tmp_path)
    if damage == "active.json":
        (jobdir / "requests.queue" / "active.json").write_text('{"127.0.0.1": [0')
    else:
        for q in queues:
            data = q.read_bytes()
            q.write_bytes(data[: len(data) // 2] + b"\x80\x04garbage" * 8 + data[len(data) // 2:])
    with MirrorServer(site) as server:
        proc = subprocess.run(crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir)), cwd=REPO,
                              capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "cannot be read" in proc.stderr and "re-walking the lists" in proc.stderr
    counts = Counter(urlsplit(r["url"]).path for r in read_jsonl(out))
    assert set(counts) == expected_paths(site) and max(counts.values()) == 1


def test_unreadable_lines_of_a_resumed_partial_output_are_skipped_and_counted(mirror, tmp_path):
    out = tmp_path / "articles.jsonl"
    part = tmp_path / "articles.jsonl.part"
    jobdir = tmp_path / "job"
    cmd = crawl_cmd(mirror.base_url, tmp_path, out, "--jobdir", str(jobdir), "--log-level", "WARNING")
    # A first run that published, to borrow two real records for the "interrupted" partial output.
    first = tmp_path / "first.jsonl"
    proc = run(crawl_cmd(mirror.base_url, tmp_path, first, "--store", "", "--log-level", "WARNING"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    good = first.read_bytes().splitlines(keepends=True)[:2]
    part.write_bytes(good[0] + b'{"canonical_url": 5}\n' + b"not json at all\n" + good[1] + b'{"id": "torn')
    jobdir.mkdir()
    (jobdir / "zonecrawler.running").write_text("pid 1 started earlier\n")  # as a killed run leaves it
    proc = run(cmd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "skipped 2 unreadable lines" in proc.stderr
    records = read_jsonl(out)
    assert all(isinstance(r.get("canonical_url"), str) for r in records)
    counts = Counter(r["id"] for r in records)
    assert len(counts) == len(mirror.expected) and max(counts.values()) == 1
    totals = summary_of(out)["totals"]
    assert totals["unreadable_partial_lines"] == 2 and totals["recovered_from_partial_output"] == 2
    assert json.loads(good[0])["id"] in counts
