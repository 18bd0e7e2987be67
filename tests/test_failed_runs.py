"""A failed crawl publishes nothing; one file per run with feed URI parameters (issue 11, item 5).

* a run that exits 1 (the network is down, too many errors) leaves yesterday's file as it was, and
  the store does not learn its articles; with a job directory its records wait in ``NAME.part``
  and the next run publishes them with the rest;
* ``-o 'DIR/%(name)s-%(date)s.jsonl'`` / ``%(time)s``: one file per run, named by the run's start
  (with ``--jobdir``: the job's first start, so a killed and resumed job writes one file).
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from collections import Counter
from datetime import datetime, timezone
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO
from tests.crawlkit import (
    copy_mirror,
    crawl_cmd,
    expected_paths,
    failing_server,
    read_jsonl,
    run,
    slow_server,
    summary_of,
    wait_for_lines,
)
from zonecrawler.cli.mirror import MirrorServer


def _stored(store) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def test_a_run_with_the_network_down_keeps_yesterdays_file(tmp_path):
    site = copy_mirror(tmp_path)
    out = tmp_path / "articles.jsonl"
    store = tmp_path / "st.sqlite"
    with MirrorServer(site) as server:
        base_url = server.base_url
        proc = run(crawl_cmd(base_url, tmp_path, out, "--log-level", "WARNING", "--full", store=store))
        assert proc.returncode == 0, proc.stderr[-3000:]
    yesterday = out.read_bytes()
    assert yesterday.count(b"\n") == len(expected_paths(site))
    # The server is gone: every request fails.
    proc = run(crawl_cmd(base_url, tmp_path, out, "--log-level", "WARNING", "--full", store=store))
    assert proc.returncode == 1
    assert out.read_bytes() == yesterday, "a failed run must not replace the published file"
    assert "output not published" in proc.stderr


def test_a_failed_run_keeps_its_records_for_the_next_run_and_the_store_does_not_learn_them(tmp_path):
    site = copy_mirror(tmp_path)
    expected = expected_paths(site)
    broken = set(sorted(expected)[::2])  # half the articles answer 500: error rate far above 1%
    out = tmp_path / "articles.jsonl"
    store = tmp_path / "st.sqlite"
    jobdir = tmp_path / "job"
    with failing_server(site, broken) as server:
        cmd = crawl_cmd(server.base_url, tmp_path, out, "--jobdir", str(jobdir), "--log-level", "WARNING",
                        "-s", "RETRY_TIMES=0", store=store)
        proc = run(cmd)
        assert proc.returncode == 1, proc.stderr[-3000:]
        assert "error rate" in proc.stderr
        assert not out.exists(), "a failed run publishes nothing"
        part = out.with_name(out.name + ".part")
        kept = read_jsonl(part)
        assert len(kept) == len(expected) - len(broken)
        assert _stored(store) == 0, "the store must not learn articles of an unpublished run"
        server.failing = set()  # the backend is fixed
        proc = run(cmd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    counts = Counter(urlsplit(r["url"]).path for r in read_jsonl(out))
    assert set(counts) == expected and max(counts.values()) == 1
    assert summary_of(out)["totals"]["recovered_from_partial_output"] == len(kept)
    assert _stored(store) == len(expected)


def test_feed_uri_parameters_name_one_file_per_run(tmp_path):
    site = copy_mirror(tmp_path)
    template = tmp_path / "out" / "%(name)s-%(date)s.jsonl"
    with MirrorServer(site) as server:
        proc = run(crawl_cmd(server.base_url, tmp_path, template, "--log-level", "WARNING", "--store", "",
                             "--summary", str(tmp_path / "out" / "%(name)s-%(date)s.summary.json")))
    assert proc.returncode == 0, proc.stderr[-3000:]
    today = datetime.now(timezone.utc).date().isoformat()
    names = sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.endswith(".lock"))
    assert names == [f"investchn-{today}.jsonl", f"investchn-{today}.summary.json"], names
    assert len(read_jsonl(tmp_path / "out" / names[0])) == len(expected_paths(site))


def test_a_killed_and_resumed_job_writes_one_file_named_by_its_first_start(tmp_path):
    site = copy_mirror(tmp_path)
    outdir = tmp_path / "out"
    template = outdir / "%(name)s" / "%(time)s.jsonl"
    jobdir = tmp_path / "job"
    with slow_server(site, delay=0.1) as server:
        cmd = crawl_cmd(server.base_url, tmp_path, template, "--jobdir", str(jobdir), "--log-level", "WARNING",
                        store=tmp_path / "st.sqlite")
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            parts = []
            deadline = time.monotonic() + 60
            while not parts and proc.poll() is None and time.monotonic() < deadline:
                parts = list(outdir.glob("investchn/*.part"))
                time.sleep(0.05)
            assert parts, "the crawl should have started writing"
            assert wait_for_lines(parts[0], 3, proc) >= 3
        finally:
            proc.kill()
            proc.wait(timeout=30)
        first_part = parts[0].name
        time.sleep(1.1)  # the resumed run starts in another second
        proc = run(cmd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted(p.name for p in (outdir / "investchn").iterdir() if not p.name.endswith(".lock"))
    assert files == [first_part[: -len(".part")], first_part[: -len(".part")] + ".summary.json"], files
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\+00-00\.jsonl", files[0]), files[0]
    counts = Counter(urlsplit(r["url"]).path for r in read_jsonl(outdir / "investchn" / files[0]))
    assert set(counts) == expected_paths(site) and max(counts.values()) == 1
    # The job published: a new run in the same job directory is a new job with a file of its own.
    assert not (jobdir / "zonecrawler.started").exists()


@pytest.mark.parametrize("append", [False, True])
def test_a_failed_run_appends_nothing(tmp_path, append):
    site = copy_mirror(tmp_path)
    out = tmp_path / "articles.jsonl"
    previous = b'{"id": "0000000000000001", "note": "yesterday"}\n'
    out.write_bytes(previous)
    broken = set(sorted(expected_paths(site))[::2])
    with failing_server(site, broken) as server:
        extra = ("--append",) if append else ()
        proc = run(crawl_cmd(server.base_url, tmp_path, out, "--log-level", "WARNING", "-s", "RETRY_TIMES=0",
                             *extra, store=tmp_path / "st.sqlite"))
    assert proc.returncode == 1
    assert out.read_bytes() == previous
