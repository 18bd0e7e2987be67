"""Real Scrapy crawls of the fixture mirror over loopback: every article exactly once, readable JSON Lines."""

from __future__ import annotations

import json
import subprocess
import sys
from urllib.parse import urlsplit

import jsonlines
import pytest

from tests.conftest import FIXTURES, INVESTCHN_SITE, run_scrapy
from zonecrawler.goldens import GOLDEN_KEYS, article_urls, golden_cases
from zonecrawler.siteconfig import get_site


def _paths(urls):
    return sorted(urlsplit(u).path for u in urls)


def test_scrapy_crawl_writes_every_article_once(investchn_mirror, tmp_path):
    out = tmp_path / "articles.jsonl"
    proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    with jsonlines.open(out) as reader:
        records = list(reader)
    expected = article_urls(INVESTCHN_SITE, investchn_mirror.base_url, get_site("investchn").is_article)
    assert len(expected) >= 20
    assert _paths(r["url"] for r in records) == _paths(expected)
    assert len({r["id"] for r in records}) == len(records)
    # Chinese is written as UTF-8, not \\u escapes.
    assert "六合经济开发区" in out.read_text("utf-8")
    # Only loopback was contacted, and nothing outside the mirror was requested.
    assert all(urlsplit(r["url"]).hostname == "127.0.0.1" for r in records)


def test_crawled_records_match_goldens(investchn_mirror, tmp_path):
    out = tmp_path / "articles.jsonl"
    proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    by_path = {urlsplit(r["url"]).path: r for r in jsonlines.open(out)}
    for case in golden_cases(FIXTURES):
        if case.site != "investchn":
            continue
        record = by_path[urlsplit(case.expected["url"]).path]
        for key in GOLDEN_KEYS:
            if key in ("url", "attachments"):
                continue  # these carry the mirror's host instead of www.investchn.com
            assert record[key] == case.expected[key], f"{case.name}: {key}"


def test_extraction_workers_and_engine_tuning_change_nothing_in_the_output(investchn_mirror, tmp_path):
    """The same crawl with pages extracted in the crawl process under Scrapy's engine defaults
    (CONCURRENT_ITEMS 100, Python's garbage-collector settings), and in two worker processes
    with zonecrawler's tuning."""
    scrapy_defaults = ["-s", "CONCURRENT_ITEMS=100", "-s", "ZONECRAWLER_GC_FREEZE=False", "-s", "ZONECRAWLER_GC_THRESHOLD=0"]
    outputs = {}
    for workers, tuning in ((0, scrapy_defaults), (2, [])):
        out = tmp_path / f"w{workers}.jsonl"
        proc = run_scrapy(["crawl", "investchn", "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out),
                           "-s", f"ZONECRAWLER_EXTRACT_WORKERS={workers}", *tuning])
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs[workers] = {r["url"]: {k: v for k, v in r.items() if k != "crawled_at"} for r in jsonlines.open(out)}
        worker_stats = [line for line in proc.stderr.splitlines() if "zonecrawler/extract_worker/" in line]
        assert len(worker_stats) == 2 * workers  # peak RSS and CPU seconds per worker
    assert len(outputs[0]) >= 20
    assert outputs[2] == outputs[0]


def test_demo_command(tmp_path):
    out = tmp_path / "demo.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "zonecrawler.cli", "demo", "-o", str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert f"wrote {len(records)} records to {out}" in proc.stdout
    seed = next(r for r in records if r["url"].endswith("/news/202202/171001.html"))
    assert (seed["date"], seed["source"], seed["zone"]["raw"]) == ("2022-02-17", "六合经济开发区", "江苏南京六合经济开发区")


def test_scrapy_check_contracts_pass_on_mirror(investchn_mirror):
    proc = run_scrapy(["check", "investchn"], env={"ZONECRAWLER_BASE_URL": investchn_mirror.base_url})
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-3000:]
    assert "Ran 2 contracts" in output or "contracts in" in output
    assert "OK" in output


def test_scrapy_check_fails_when_markup_breaks(tmp_path):
    """Contracts are real: a mirror whose article lost its labels and body fails them."""
    import shutil

    from zonecrawler.cli.mirror import MirrorServer

    broken = tmp_path / "site"
    shutil.copytree(INVESTCHN_SITE, broken)
    (broken / "news" / "202202" / "171001.html").write_text("<html><body><p>gone</p></body></html>", "utf-8")
    with MirrorServer(broken) as server:
        proc = run_scrapy(["check", "investchn"], env={"ZONECRAWLER_BASE_URL": server.base_url})
    assert proc.returncode != 0
    assert "FAIL" in proc.stdout + proc.stderr


@pytest.mark.parametrize("spider_args", [["sites", "-a", "site=investchn"]])
def test_generic_spider_crawls_investchn_too(investchn_mirror, tmp_path, spider_args):
    out = tmp_path / "generic.jsonl"
    proc = run_scrapy(["crawl", *spider_args, "-a", f"base_url={investchn_mirror.base_url}", "-O", str(out)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = article_urls(INVESTCHN_SITE, investchn_mirror.base_url, get_site("investchn").is_article)
    assert _paths(r["url"] for r in jsonlines.open(out)) == _paths(expected)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def test_crawl_completes_when_its_extraction_worker_freezes(tmp_path):
    """SIGSTOP the extraction worker as soon as it starts: the watchdog replaces it and no article is lost."""
    import os
    import signal
    import time

    from tests.crawlkit import slow_server

    out = tmp_path / "out.jsonl"
    with slow_server(INVESTCHN_SITE, delay=0.02) as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "scrapy", "crawl", "investchn", "-a", f"base_url={server.base_url}", "-O", str(out),
             "-s", "ZONECRAWLER_EXTRACT_WORKERS=1", "-s", "ZONECRAWLER_EXTRACT_TIMEOUT=1", "-s", "ZONECRAWLER_STORE="],
            cwd=FIXTURES.parent, stderr=subprocess.PIPE, text=True,
        )
        frozen = None
        try:
            deadline = time.monotonic() + 60
            while frozen is None and time.monotonic() < deadline and proc.poll() is None:
                frozen = next((p for p in _children(proc.pid) if "zonecrawler.crawl.extractworker" in _cmdline(p)), None)
                time.sleep(0.01)
            assert frozen is not None, "no extraction worker started"
            os.kill(frozen, signal.SIGSTOP)
            _, log = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
            if frozen is not None:
                try:
                    os.kill(frozen, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    assert proc.returncode == 0, log[-3000:]
    assert f"extraction worker {frozen} answered nothing for" in log
    assert "'finish_reason': 'finished'" in log and "Traceback" not in log
    expected = article_urls(INVESTCHN_SITE, server.base_url, get_site("investchn").is_article)
    assert _paths(r["url"] for r in jsonlines.open(out)) == _paths(expected)
