"""``--append`` after kills: a job appending to yesterday's file, SIGKILLed twice mid-crawl and run
again, publishes yesterday's lines unchanged followed by every new article exactly once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from urllib.parse import urlsplit

from tests.conftest import REPO
from tests.crawlkit import copy_mirror, crawl_cmd, expected_paths, read_jsonl, run, slow_server, wait_for_lines

YESTERDAY = [f'{{"id": "yesterday-{i}", "note": "delivered by an earlier run"}}\n' for i in range(3)]


def test_append_killed_twice_then_resumed_delivers_each_article_once_after_yesterdays_lines(tmp_path):
    site = copy_mirror(tmp_path)
    expected = expected_paths(site)
    out, jobdir, store = tmp_path / "articles.jsonl", tmp_path / "job", tmp_path / "store.sqlite"
    part = out.with_name(out.name + ".part")
    out.write_text("".join(YESTERDAY), "utf-8")
    with slow_server(site, delay=0.1) as server:
        cmd = crawl_cmd(server.base_url, tmp_path, out, "--append", "--jobdir", str(jobdir), store=store)
        seen = []
        for at_least in (3, 10):  # killed twice, the second time further in
            proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                seen.append(wait_for_lines(part, at_least, proc))
            finally:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            assert out.read_text("utf-8") == "".join(YESTERDAY), "a killed append run must leave the file as it was"
        assert seen[0] >= 3 and seen[-1] < len(expected), f"the kills must land mid-crawl: {seen}"
        final = run(cmd)
        assert final.returncode == 0, final.stderr[-3000:]
        lines = out.read_text("utf-8").splitlines(keepends=True)
        assert lines[:len(YESTERDAY)] == YESTERDAY
        records = read_jsonl(out)[len(YESTERDAY):]
        paths = [urlsplit(r["url"]).path for r in records]
        assert sorted(paths) == sorted(expected), "every article exactly once after yesterday's lines"
        assert len({r["id"] for r in records}) == len(records)
        with sqlite3.connect(store) as db:
            assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(expected)
        # Another append run finds nothing new and appends nothing.
        again = run(cmd)
        assert again.returncode == 0, again.stderr[-3000:]
        assert out.read_text("utf-8") == "".join(lines)
    assert not part.exists()
