"""Crawl health for cron: the summary JSON's numbers, and a non-zero exit when a site breaks."""

from __future__ import annotations

import json
import re

from tests.crawlkit import copy_mirror, crawl_cmd, expected_paths, failing_server, read_jsonl, run, summary_of
from zonecrawler.cli.mirror import MirrorServer

SUMMARY_KEYS = {"pages_fetched", "list_pages", "article_pages", "articles_extracted", "articles_emitted", "new",
                "changed", "known", "rejected", "rejected_reasons", "coverage", "errors", "error_rate", "http_status"}


def test_markup_change_makes_the_crawl_fail_loudly(tmp_path):
    """The site redesigned: article text, title and dates are no longer in the HTML (a JS shell)."""
    site = copy_mirror(tmp_path)
    articles = sorted(expected_paths(site))
    for path in articles[: len(articles) // 2]:
        page = site / path.lstrip("/")
        html = page.read_text("latin-1")  # some pages are GB2312: edit ASCII markup, keep the bytes
        html = re.sub(r"<body.*</body>", '<body><div id="app"></div></body>', html, flags=re.S | re.I)
        page.write_text(re.sub(r"<title>.*?</title>", "<title></title>", html, flags=re.S | re.I), "latin-1")
    out = tmp_path / "out.jsonl"
    with MirrorServer(site) as server:
        proc = run(crawl_cmd(server.base_url, tmp_path, out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    summary = summary_of(out)
    assert json.loads(proc.stdout) == summary  # printed and written
    assert summary["status"] == "fail" and summary["exit_code"] == 1
    coverage = summary["sites"]["investchn"]["coverage"]
    assert coverage["body"] < 0.9 and coverage["title"] < 0.95
    assert any("body present in" in f for f in summary["failures"])
    assert "UNHEALTHY: investchn: body present in" in proc.stderr
    # The one-line-per-site INFO summary an operator reads in the log.
    assert re.search(r"INFO: investchn: \d+ pages, \d+ articles extracted \(\d+ new", proc.stderr)
    assert "crawl health: FAIL" in proc.stderr


def test_summary_counts_rejects_errors_and_coverage(tmp_path):
    site = copy_mirror(tmp_path)
    articles = sorted(expected_paths(site))
    # One article whose title breaks the schema (over 500 characters) ...
    page = site / "news" / "202203" / "051011.html"
    html = page.read_text("utf-8")
    long_title = "超长标题" * 140
    html = re.sub(r"<h2>.*?</h2>", f"<h2>{long_title}</h2>", html, count=1, flags=re.S)
    page.write_text(re.sub(r"<title>.*?</title>", f"<title>{long_title}</title>", html, flags=re.S), "utf-8")
    # ... and two whose server keeps failing.
    failing = {"/news/202204/181012.html", "/news/202206/301013.html"}
    out = tmp_path / "out.jsonl"
    with failing_server(site, failing) as server:
        proc = run(crawl_cmd(server.base_url, tmp_path, out, "-s", "RETRY_TIMES=1"))
    summary = summary_of(out)
    s = summary["sites"]["investchn"]
    assert SUMMARY_KEYS <= set(s)
    n_ok = len(articles) - len(failing)
    assert s["article_pages"] == len(articles)  # the failing ones answered 500
    assert s["pages_fetched"] == s["list_pages"] + s["article_pages"] + 1  # + robots.txt
    assert s["articles_extracted"] == n_ok
    # The run failed (error rate), so nothing is published: its records wait in the partial output.
    assert not out.exists()
    part = out.with_name(out.name + ".part")
    assert s["rejected"] == 1 and s["articles_emitted"] == s["new"] == n_ok - 1 == len(read_jsonl(part))
    assert any(reason.startswith("title:") for reason in s["rejected_reasons"])
    assert s["errors"] == {"HTTP 500": 2} and s["http_status"] == {"500": 2}
    assert s["coverage"]["date"] == 1.0 and s["coverage"]["title"] == 1.0
    assert set(s["coverage"]) >= {"title", "date", "source", "zone", "body"}
    # 2 errors in ~39 requests is above the default 1 % error-rate limit: cron must hear about it.
    assert s["error_rate"] > 0.01
    assert summary["status"] == "fail" and proc.returncode == 1
    assert any("error rate" in f for f in summary["failures"])


def test_dates_removed_from_the_markup_fail_the_crawl(tmp_path):
    """The issue's own example: the site stops printing dates; URLs carry no whole day, so coverage drops."""
    site = copy_mirror(tmp_path)
    day = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?: \d{2}:\d{2}(?::\d{2})?)?")
    for path in expected_paths(site):
        page = site / path.lstrip("/")
        # ASCII digits never occur inside GBK multi-byte characters, so this edit keeps every page's bytes valid.
        page.write_text(day.sub("", page.read_text("latin-1")), "latin-1")
    out = tmp_path / "out.jsonl"
    with MirrorServer(site) as server:
        proc = run(crawl_cmd(server.base_url, tmp_path, out))
    assert proc.returncode == 1, proc.stderr[-3000:]
    summary = summary_of(out)
    assert summary["sites"]["investchn"]["coverage"]["date"] < 0.9
    assert any("date present in" in f for f in summary["failures"])
