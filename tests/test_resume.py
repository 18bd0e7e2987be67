"""Resume: a crawl killed with SIGKILL (or paused with Ctrl-C) and restarted with the same JOBDIR
ends with every article exactly once in the published output."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
from collections import Counter
from urllib.parse import urlsplit

from scrapy.settings import Settings

from tests.conftest import REPO
from tests.crawlkit import (
    FileWatcher,
    article_hits,
    copy_mirror,
    crawl_cmd,
    expected_paths,
    read_jsonl,
    run,
    slow_server,
    summary_of,
    wait_for_lines,
)
from zonecrawler.crawl.extensions import JobDirGuard
from zonecrawler.storage.files import recover_jsonlines
from zonecrawler.storage.jobdir import MARKER


def _start(cmd):
    return subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_sigkilled_then_paused_crawl_resumes_to_every_article_exactly_once(tmp_path):
    site = copy_mirror(tmp_path)
    expected = expected_paths(site)
    out = tmp_path / "articles.jsonl"
    part = tmp_path / "articles.jsonl.part"
    jobdir = tmp_path / "job"
    with slow_server(site, delay=0.1) as server, FileWatcher(out) as watcher:
        cmd = crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir))

        # 1. SIGKILL once a few records are written.
        proc = _start(cmd)
        try:
            seen = wait_for_lines(part, 4, proc)
        finally:
            proc.kill()
            proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        assert 4 <= seen < len(expected), "the kill must land mid-crawl"
        assert not out.exists(), "a killed crawl must not publish its output"
        assert (jobdir / MARKER).exists()
        # A kill during a write leaves a torn last line; simulate one.
        with part.open("ab") as fh:
            fh.write(b'{"id": "torn-by-kill", "url": "http://127.0.0.1/news/20')
        killed_lines = part.read_bytes().count(b"\n")

        # 2. Resume, then pause it with Ctrl-C (SIGINT: Scrapy shuts down cleanly).
        server.hits.clear()
        proc = _start(cmd)
        try:
            wait_for_lines(part, killed_lines + 4, proc)
        finally:
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=60)
        assert "did not shut down cleanly" in stderr
        refetched = set(article_hits(server))
        # (the pause can land after the last article: then the output is already published)
        written_before = {urlsplit(r["url"]).path for r in read_jsonl(part if part.exists() else out)[:killed_lines]}
        assert not refetched & written_before, "articles already in the partial output were downloaded again"
        paused = proc.returncode
        if not out.exists():  # the pause landed before the crawl finished (the usual case)
            assert part.exists() and not (jobdir / MARKER).exists()

            # 3. Resume again and finish.
            proc = run(cmd)
            assert proc.returncode == 0, proc.stderr[-3000:]
        else:
            assert paused == 0

    records = read_jsonl(out)
    counts = Counter(urlsplit(r["url"]).path for r in records)
    assert set(counts) == expected
    assert max(counts.values()) == 1, [p for p, n in counts.items() if n > 1]
    assert not part.exists()
    assert watcher.bad == [], watcher.bad[:3]
    summary = summary_of(out)
    assert summary["status"] == "ok"
    assert summary["totals"]["recovered_from_partial_output"] > 0
    # The store learned every article only once the output was published.
    import sqlite3

    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(expected)


def test_recover_jsonlines_cuts_a_torn_tail(tmp_path):
    part = tmp_path / "x.jsonl.part"
    good = [{"id": "a", "n": 1}, {"id": "b", "n": "二"}]
    data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in good)
    part.write_bytes(data + b'{"id": "c", "n"')
    assert recover_jsonlines(part) == good
    assert part.read_bytes() == data
    assert recover_jsonlines(part) == good  # idempotent


class _Stats(dict):
    def set_value(self, key, value):
        self[key] = value


class _Signals:
    def connect(self, *args, **kwargs):
        pass


class _Crawler:
    stats = _Stats()
    signals = _Signals()
    settings = Settings()


def test_jobdir_guard_discards_scheduler_state_only_after_a_kill(tmp_path):
    jobdir = tmp_path / "job"
    (jobdir / "requests.queue").mkdir(parents=True)
    (jobdir / "requests.queue" / "p0").write_text("x")
    (jobdir / "requests.seen").write_text("fp\n")
    (jobdir / "spider.state").write_bytes(pickle.dumps({"state": 1}))
    # A clean pause: the queue is kept, the seen-set (with requests lost in flight) is not.
    JobDirGuard(str(jobdir), _Crawler()).spider_closed(None, "shutdown")
    assert (jobdir / "requests.queue").exists() and (jobdir / "spider.state").exists()
    assert not (jobdir / "requests.seen").exists() and not (jobdir / MARKER).exists()
    # A kill: the marker survives, and the next start discards everything.
    (jobdir / "requests.seen").write_text("fp\n")
    JobDirGuard(str(jobdir), _Crawler())
    assert (jobdir / MARKER).exists()
    JobDirGuard(str(jobdir), _Crawler())
    assert not any((jobdir / n).exists() for n in ("requests.queue", "requests.seen", "spider.state"))
    assert os.path.exists(jobdir / MARKER)
