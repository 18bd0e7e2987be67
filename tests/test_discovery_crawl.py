"""Crawls without URL patterns, end to end over loopback: every fixture site, script pagers, a pattern
that matches nothing, sitemaps and feeds, and the calendar trap."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import jsonlines
import pytest

from tests import faultserver as fs
from tests.conftest import FIXTURES, INVESTCHN_SITE, REPO, run_scrapy
from tests.crawlkit import read_jsonl
from zonecrawler.cli.mirror import MirrorServer
from zonecrawler.extract.listing import parse_listing
from zonecrawler.goldens import GOLDEN_KEYS, golden_cases
from zonecrawler.siteconfig import get_site

SITES = ["investchn", *sorted(p.name for p in (FIXTURES / "sites").iterdir() if (p / "site").is_dir())]
_PATTERN_LINE = re.compile(r"(?m)^(?:article_patterns|list_patterns)\s*=.*$")


def _mirror(name: str) -> Path:
    return INVESTCHN_SITE if name == "investchn" else FIXTURES / "sites" / name / "site"


def entry_without_patterns(name: str, folder: Path) -> Path:
    """The site's registry entry with its article and list patterns deleted, in a user sites folder."""
    text = Path(get_site(name).source_file).read_text("utf-8")
    stripped = _PATTERN_LINE.sub("", text)
    assert stripped != text and "_patterns" not in re.sub(r"(?m)^#.*$", "", stripped)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(stripped, "utf-8")
    return folder


def _check_golden(records: dict, name: str) -> None:
    cases = [c for c in golden_cases(FIXTURES) if c.site == name]
    assert len(cases) >= 3
    assert sorted(records) == sorted(urlsplit(c.expected["url"]).path for c in cases)
    for case in cases:
        record = records[urlsplit(case.expected["url"]).path]
        for key in GOLDEN_KEYS:
            if key not in ("url", "attachments"):  # these carry the mirror's host
                assert record[key] == case.expected[key], f"{case.name}: {key}"


@pytest.mark.parametrize("name", SITES)
def test_site_without_patterns_yields_the_same_records(name, tmp_path):
    sites = entry_without_patterns(name, tmp_path / "sites")
    out, summary = tmp_path / "out.jsonl", tmp_path / "summary.json"
    with MirrorServer(_mirror(name)) as server:
        proc = run_scrapy(["crawl", "sites", "-a", f"site={name}", "-a", f"base_url={server.base_url}", "-O", str(out),
                           "-s", f"ZONECRAWLER_SUMMARY_FILE={summary}"], env={"ZONECRAWLER_SITES_DIR": str(sites)})
        hits = list(server.hits)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    records = {urlsplit(r["url"]).path: r for r in jsonlines.open(out)}
    _check_golden(records, name)  # the goldens are what the crawl with patterns yields (test_sites_e2e)
    report = json.loads(summary.read_text("utf-8"))
    assert report["status"] == "ok", report["failures"] + report["warnings"]
    assert report["sites"][name]["discovery"]["mode"] == "discovery"
    assert all(not p.startswith("/kfqxw/") or p.count("/") <= 3 for p in hits)  # never left the lists it knows
    if name == "trssite":
        assert "trs" in report["sites"][name]["discovery"]["pager"]
    if name == "hanwebsite":
        assert "hanweb" in report["sites"][name]["discovery"]["pager"]
        assert sum(p.endswith("/dataproxy.jsp") for p in hits) == 2


def test_script_pagers_are_the_only_way_to_some_articles():
    """TRS pages name their other pages only in createPageHTML; Hanweb records 4-7 exist only in dataproxy answers."""
    trs = FIXTURES / "sites" / "trssite" / "site" / "xwzx" / "gzdt"
    for page in trs.glob("index*.html"):
        assert not re.search(r'href="[^"]*index_\d', page.read_text("utf-8"))
    column = (FIXTURES / "sites" / "hanwebsite" / "site" / "col" / "col7788" / "index.html").read_text("utf-8")
    proxied = [c for c in golden_cases(FIXTURES) if c.site == "hanwebsite" and urlsplit(c.expected["url"]).path not in column]
    assert len(proxied) == 4


def test_fixture_lists_match_their_patterns_so_pattern_crawls_never_fall_back():
    for name in SITES:
        site = get_site(name)
        for page in _mirror(name).rglob("index*.html"):
            rel = "/" + page.relative_to(_mirror(name)).as_posix()
            url = site.start_urls[0].split("/", 3)[0] + "//" + urlsplit(site.start_urls[0]).netloc + rel
            if site.is_list(url) or site.is_list(url.rsplit("/", 1)[0] + "/"):
                listing = parse_listing(url, page.read_bytes(), site)
                assert listing.articles and listing.discovered is None, url


def test_a_pattern_that_matches_nothing_still_yields_every_article_and_a_health_warning(tmp_path):
    text = Path(get_site("investchn").source_file).read_text("utf-8")
    text = re.sub(r"(?m)^article_patterns\s*=.*$", "article_patterns = ['^/articles/\\\\d+\\\\.htm$']", text)
    (tmp_path / "sites").mkdir()
    (tmp_path / "sites" / "investchn.toml").write_text(text, "utf-8")
    out = tmp_path / "out.jsonl"
    with MirrorServer(INVESTCHN_SITE) as server:
        proc = subprocess.run(
            [sys.executable, "-m", "zonecrawler.cli", "crawl", "investchn", "-a", f"base_url={server.base_url}",
             "-o", str(out), "--store", ""], cwd=REPO, capture_output=True, text=True, timeout=180,
            env={**os.environ, "ZONECRAWLER_SITES_DIR": str(tmp_path / "sites")})
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    assert len(records) == len([c for c in golden_cases(FIXTURES) if c.site == "investchn"]) == 28
    summary = json.loads(out.with_name(out.name + ".summary.json").read_text("utf-8"))
    assert summary["status"] == "warning"
    (warning,) = summary["warnings"]
    assert "article_patterns matched no link" in warning and r"^/news/\d{6}/\d+\.html$" in warning
    assert summary["sites"]["investchn"]["discovery"]["reason"] == "patterns_matched_nothing"
    assert proc.stderr.count("crawling investchn by discovery") == 1


# --- sitemaps and feeds ---------------------------------------------------------------------------

def _article(n: int) -> str:
    return (f'<html><head><meta charset="utf-8"><title>开发区新闻第{n}篇</title></head><body>'
            f'<h1>开发区召开第{n}次重点项目推进会</h1><div class="info">发布时间：2024-04-{n:02d}　来源：开发区管委会</div>'
            f'<div class="content"><p>近日，开发区召开第{n}次重点项目推进会，听取各项目的建设进度汇报，协调解决项目推进中遇到的困难和问题。</p>'
            f"<p>会议要求，各部门要强化服务意识，倒排工期，确保项目按时竣工投产，为全年经济发展打下坚实基础。</p></div>"
            "</body></html>")


def _feed_site(root: Path, base: str, decoy: str, robots_sitemap: bool) -> None:
    (root / "news").mkdir(parents=True)
    items = "".join(f'<li><a href="/news/{n}.html">开发区召开第{n}次重点项目推进会</a><span>2024-04-{n:02d}</span></li>'
                    for n in (1, 2))
    (root / "news" / "index.html").write_text(
        '<html><head><meta charset="utf-8"><title>开发区新闻</title>'
        '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml"></head>'
        f'<body><ul class="list">{items}</ul></body></html>', "utf-8")
    for n in (1, 2, 3, 4):
        (root / "news" / f"{n}.html").write_text(_article(n), "utf-8")
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n" + (f"Sitemap: {base}/sitemap_index.xml\n" if robots_sitemap else ""),
                                     "utf-8")
    index = (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap><sitemap><loc>{decoy}/sitemap-other.xml</loc></sitemap>"
             "</sitemapindex>")
    (root / ("sitemap_index.xml" if robots_sitemap else "sitemap.xml")).write_text(index, "utf-8")
    (root / "sitemap-news.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{base}/news/1.html</loc></url><url><loc>{base}/news/3.html</loc></url>"
        f"<url><loc>{decoy}/news/9.html</loc></url></urlset>", "utf-8")
    (root / "rss.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>开发区新闻</title><link>{base}/news/</link>'
        f"<item><title>第4篇</title><link>{base}/news/4.html</link></item>"
        f"<item><title>别处</title><link>{decoy}/news/8.html</link></item></channel></rss>", "utf-8")


@pytest.mark.parametrize("robots_sitemap", [True, False], ids=["robots-sitemap-line", "default-sitemap-xml"])
def test_sitemaps_and_feeds_add_articles_on_the_site_only(robots_sitemap, tmp_path):
    root, decoy_root = tmp_path / "site", tmp_path / "decoy"
    root.mkdir()
    decoy_root.mkdir()
    for n in (8, 9):
        (decoy_root / "news").mkdir(exist_ok=True)
        (decoy_root / "news" / f"{n}.html").write_text(_article(n), "utf-8")
    (decoy_root / "sitemap-other.xml").write_text("<urlset/>", "utf-8")
    sites = tmp_path / "sites"
    sites.mkdir()
    with MirrorServer(root) as server, MirrorServer(decoy_root) as decoy:
        _feed_site(root, server.base_url, decoy.base_url, robots_sitemap)
        (sites / "feedsite.toml").write_text(
            f'name = "feedsite"\nstart_urls = ["{server.base_url}/news/"]\nallowed_domains = ["127.0.0.1"]\n', "utf-8")
        out = tmp_path / "out.jsonl"
        proc = run_scrapy(["crawl", "sites", "-a", "site=feedsite", "-a", f"base_url={server.base_url}", "-O", str(out)],
                          env={"ZONECRAWLER_SITES_DIR": str(sites)})
        hits, decoy_hits = list(server.hits), list(decoy.hits)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(urlsplit(r["url"]).path for r in read_jsonl(out)) == [f"/news/{n}.html" for n in (1, 2, 3, 4)]
    assert decoy_hits == []  # another port is another site: its sitemap and pages are not fetched
    assert ("/sitemap_index.xml" if robots_sitemap else "/sitemap.xml") in hits and "/rss.xml" in hits


# --- traps stay bounded ---------------------------------------------------------------------------

def test_calendar_trap_stays_bounded_without_patterns(tmp_path):
    sites = tmp_path / "sites"
    sites.mkdir()
    (sites / "trap.toml").write_text(
        f'name = "trap"\nstart_urls = ["http://127.0.0.1{fs.TRAP_PATH}?date=2024-01-01"]\n',
        "utf-8")
    out = tmp_path / "out.jsonl"
    limit = 5
    with fs.FaultServer(INVESTCHN_SITE) as server:
        proc = run_scrapy(["crawl", "sites", "-a", "site=trap", "-a", f"base_url={server.base_url}", "-O", str(out),
                           "-s", f"ZONECRAWLER_MAX_LIST_PAGES={limit}", "-s", "DOWNLOAD_TIMEOUT=2",
                           "-s", "ZONECRAWLER_ROBOTSTXT_TIMEOUT=1", "-s", "ZONECRAWLER_MAX_ERROR_RATE=1"],
                          env={"ZONECRAWLER_SITES_DIR": str(sites)}, timeout=170)
        trap_requests = server.requests_to(fs.TRAP_PATH)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 1 <= trap_requests <= limit + 2
    assert "list page limit 5 reached" in proc.stderr
