"""Output, store and archive that cannot be written fail the crawl (issue 11, item 1).

Each crawl is a real ``zonecrawler crawl`` subprocess against the fixture mirror on 127.0.0.1.  Full
and refusing file systems come from the faultfs LD_PRELOAD shim (``tests/faultfs.c``), which works
without root.  After every failure: exit 1, one ``error:`` line naming the path and the OS error, no
traceback, the previously published file untouched, the store unchanged -- and the next run with a
working disk delivers every article.
"""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests import faultfs
from tests.conftest import REPO
from tests.crawlkit import CRAWL_TIMEOUT, copy_mirror, crawl_cmd, expected_paths, read_jsonl, run, summary_of
from zonecrawler.cli.mirror import MirrorServer

PREVIOUS = b'{"id": "0000000000000001", "note": "yesterday\'s complete file"}\n'


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    site = copy_mirror(tmp_path_factory.mktemp("mirror"))
    with MirrorServer(site) as server:
        server.expected = expected_paths(site)
        yield server


def _run(cmd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=CRAWL_TIMEOUT, env=env)


def _stored(store) -> int:
    if not store.exists():
        return 0
    with sqlite3.connect(store) as db:
        return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


def _assert_failed_cleanly(proc, *needles: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = _errors(proc.stderr)
    assert len(errors) == 1, proc.stderr[-3000:]
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _assert_next_run_delivers_everything(mirror, tmp_path, store):
    out = tmp_path / "good" / "articles.jsonl"
    proc = run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len(read_jsonl(out)) == len(mirror.expected)
    assert _stored(store) == len(mirror.expected)


def test_output_under_a_plain_file_fails_the_crawl_and_the_next_run_delivers(mirror, tmp_path):
    (tmp_path / "afile").write_text("x\n")
    out = tmp_path / "afile" / "out.jsonl"
    store = tmp_path / "st.sqlite"
    proc = run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", "--summary",
                         str(tmp_path / "summary.json"), store=store))
    line = _assert_failed_cleanly(proc, str(tmp_path / "afile"), "File exists")
    assert "out.jsonl" in line
    assert _stored(store) == 0, "the store must not learn articles that were never published"
    assert (tmp_path / "afile").read_text() == "x\n"
    summary = __import__("json").loads((tmp_path / "summary.json").read_text())
    assert summary["status"] == "fail" and summary["exit_code"] == 1
    _assert_next_run_delivers_everything(mirror, tmp_path, store)


@pytest.mark.parametrize("fault", [
    {"limit": 20_000},  # a full disk: writes are cut short, then ENOSPC
    {"fail": "fsync"},  # the disk reports an I/O error when the file is synced
    {"fail": "rename", "errno": 30},  # the final rename is refused (read-only file system)
], ids=["full", "fsync", "rename"])
def test_output_that_cannot_be_written_fails_the_crawl_and_keeps_the_previous_file(mirror, tmp_path, fault):
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "articles.jsonl"
    out.write_bytes(PREVIOUS)
    store = tmp_path / "st.sqlite"
    proc = _run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", "--summary",
                          str(tmp_path / "summary.json"), store=store),
                env=faultfs.env(outdir, match="articles.jsonl", **fault))
    expected_error = {"limit": "No space left on device", "fail": "Input/output error"}
    if fault.get("errno") == 30:
        expected_error = {"fail": "Read-only file system"}
    _assert_failed_cleanly(proc, str(out), *[v for k, v in expected_error.items() if k in fault])
    assert out.read_bytes() == PREVIOUS, "the previously published file must stay intact"
    assert _stored(store) == 0
    _assert_next_run_delivers_everything(mirror, tmp_path, store)


def test_archive_on_a_full_disk_fails_the_crawl(mirror, tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    out = tmp_path / "articles.jsonl"
    out.write_bytes(PREVIOUS)
    store = tmp_path / "st.sqlite"
    proc = _run(crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", "--archive", str(archive),
                          store=store), env=faultfs.env(archive, limit=30_000))
    _assert_failed_cleanly(proc, f"archive {archive}", "No space left on device")
    assert out.read_bytes() == PREVIOUS
    assert _stored(store) == 0
    assert summary_of(out)["status"] == "fail"


def test_store_that_cannot_be_written_fails_the_crawl_and_the_next_run_records_without_redelivering(mirror, tmp_path):
    from zonecrawler.storage.store import ArticleStore

    state = tmp_path / "state"
    store = state / "st.sqlite"
    ArticleStore(store).close()  # an existing, empty store
    out = tmp_path / "articles.jsonl"
    jobdir = tmp_path / "job"
    cmd = crawl_cmd(mirror.base_url, tmp_path, out, "--log-level", "WARNING", "--jobdir", str(jobdir), "--append",
                    store=store)
    proc = _run(cmd, env=faultfs.env(state, fail="write", match="-wal"))
    _assert_failed_cleanly(proc, str(store), "next run")
    # The output was published (the rename came first); the store could not record it ...
    assert len(read_jsonl(out)) == len(mirror.expected)
    assert _stored(store) == 0
    # ... so the next run records it from the publish intent before crawling, and delivers nothing again.
    proc = run(cmd)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _stored(store) == len(mirror.expected)
    records = read_jsonl(out)
    assert len(records) == len({r["id"] for r in records}) == len(mirror.expected)
    assert summary_of(out)["totals"]["recorded_from_interrupted_publish"] == len(mirror.expected)
