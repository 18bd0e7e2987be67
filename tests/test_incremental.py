"""Incremental crawls over loopback: known article pages are never downloaded again, nothing is emitted twice."""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest

from tests.crawlkit import Baseline, article_hits, crawl_cmd, expected_paths, read_jsonl, run, summary_of
from zonecrawler.cli.mirror import MirrorServer


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    base = Baseline(tmp_path_factory.mktemp("baseline"))
    yield base
    base.close()


def _path(url: str) -> str:
    return urlsplit(url).path


def _paths(records) -> list[str]:
    return sorted(_path(r["url"]) for r in records)


def _add_article(site, template: str, new_path: str, list_page: str, marker: str | None) -> None:
    """Copy an article to ``new_path`` (with ``marker`` written into its text, or verbatim) and link it from ``list_page``."""
    html = (site / template.lstrip("/")).read_text("utf-8")
    if marker:
        body_start = html.index('<section class="news-text">')
        p = html.index("<p", body_start)
        p = html.index(">", p) + 1
        html = html[:p] + f"{marker}。" + html[p:]
    target = site / new_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(html, "utf-8")
    listing = site / list_page.lstrip("/")
    text = listing.read_text("utf-8")
    first = text.index('<a href="/news/')
    listing.write_text(text[:first] + f'<a href="{new_path}">{marker or "转载"}</a></li><li>' + text[first:], "utf-8")


def test_baseline_crawl_emits_every_article_and_fills_the_store(baseline):
    assert _paths(baseline.records) == sorted(expected_paths(baseline.site))
    summary = summary_of(baseline.output)
    assert summary["status"] == "ok" and summary["totals"]["new"] == len(baseline.records)
    with sqlite3.connect(baseline.store) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == len(baseline.records)


def test_second_run_fetches_no_known_article_and_emits_nothing(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    out = tmp_path / "run2.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, store=store))
    # Zero new articles from a site that had some is a warning, not a failure.
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning: investchn: no new articles" in proc.stderr
    assert article_hits(baseline.server) == []  # not one known article page downloaded
    assert read_jsonl(out) == []
    summary = summary_of(out)
    assert summary["status"] == "warning"
    assert summary["totals"]["new"] == 0 and summary["totals"]["known"] > 0
    # Lists are still walked, but pagination stops at the first page of known articles.
    assert {"/kfqxw/", "/tzxw/", "/kfqxw/nanjing/"} <= set(baseline.server.hits)
    assert not [p for p in baseline.server.hits if "index_" in p], baseline.server.hits


def test_new_articles_are_found_and_only_they_are_fetched(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    _add_article(site, "/news/202203/051011.html", "/news/202411/011101.html", "/kfqxw/index.html", "新增一")
    _add_article(site, "/news/202203/051011.html", "/news/202411/021102.html", "/kfqxw/index_2.html", "新增二")
    out = tmp_path / "run2.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    new = ["/news/202411/011101.html", "/news/202411/021102.html"]
    # Page 1 holds a new article, so page 2 is walked too and its new article found.
    assert _paths(read_jsonl(out)) == new
    assert sorted(article_hits(baseline.server)) == new
    summary = summary_of(out)
    assert (summary["status"], summary["totals"]["new"]) == ("ok", 2)


def test_stop_on_known_page_can_be_switched_off(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    out = tmp_path / "run2.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, "-s", "ZONECRAWLER_STOP_ON_KNOWN_PAGE=False", store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "/kfqxw/index_3.html" in baseline.server.hits  # every list page walked ...
    assert article_hits(baseline.server) == []  # ... and still no known article downloaded


def test_full_run_ignores_the_store(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    out = tmp_path / "full.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, "--full", store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    assert _paths(records) == sorted(expected_paths(site))
    assert len({r["id"] for r in records}) == len(records)
    assert summary_of(out)["full"] is True


def test_changed_article_is_reemitted_when_asked(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    page = site / "news" / "202203" / "051011.html"
    page.write_text(page.read_text("utf-8").replace("签约总额达450亿元。", "签约总额达460亿元（更正）。", 1), "utf-8")
    args = ("--emit-changed", "-s", "ZONECRAWLER_STOP_ON_KNOWN_PAGE=False")
    out = tmp_path / "changed.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, *args, store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = read_jsonl(out)
    assert [_path(r["url"]) for r in records] == ["/news/202203/051011.html"]
    assert "（更正）" in records[0]["body"]
    assert summary_of(out)["totals"]["changed"] == 1
    again = tmp_path / "again.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, again, *args, store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert read_jsonl(again) == []  # the store now holds the new content_hash


def test_republished_article_is_kept_once_and_other_urls_recorded(baseline, tmp_path):
    site, store = baseline.fresh(tmp_path)
    # A new story published at two URLs in the same run ...
    _add_article(site, "/news/202203/051011.html", "/news/202411/051105.html", "/kfqxw/index.html", "首发")
    _add_article(site, "/news/202411/051105.html", "/news/202411/061106.html", "/tzxw/index.html", None)
    # ... and a verbatim copy of an article an earlier run delivered.
    _add_article(site, "/news/202203/051011.html", "/news/202411/071107.html", "/kfqxw/index.html", None)
    out = tmp_path / "run2.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    emitted = _paths(read_jsonl(out))
    pair = {"/news/202411/051105.html", "/news/202411/061106.html"}
    assert len(emitted) == 1 and emitted[0] in pair
    with sqlite3.connect(store) as db:
        aliases = {_path(u): kept for u, kept in db.execute("SELECT url, kept_id FROM aliases")}
        kept_old = db.execute("SELECT id FROM articles WHERE url LIKE '%/news/202203/051011.html'").fetchone()[0]
    assert set(aliases) == (pair - set(emitted)) | {"/news/202411/071107.html"}
    assert aliases["/news/202411/071107.html"] == kept_old


def test_the_same_mirror_on_another_port_is_the_same_site(baseline, tmp_path):
    """Ids and the store use the site's own URLs, so a mirror served on a new port delivers nothing twice."""
    site, store = baseline.fresh(tmp_path)
    out = tmp_path / "moved.jsonl"
    with MirrorServer(site) as moved:
        assert moved.base_url != baseline.server.base_url
        proc = run(crawl_cmd(moved.base_url, tmp_path, out, store=store))
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert article_hits(moved) == []  # not one known article downloaded again
    assert read_jsonl(out) == []
    assert summary_of(out)["status"] == "warning"
    own = {r["canonical_url"] for r in baseline.records}
    assert all(u.startswith("https://www.investchn.com/news/") for u in own)
    with sqlite3.connect(store) as db:
        assert {u for (u,) in db.execute("SELECT canonical_url FROM articles")} == own


def test_a_site_that_moved_is_reported_as_duplicates_not_as_broken_markup(baseline, tmp_path):
    """Every article is back under a new URL with the same content (here: the store knew the site at
    http://investchn.com/): a warning naming the count and an example, not "no articles found"."""
    _site, store = baseline.fresh(tmp_path)
    with sqlite3.connect(store) as db:
        db.execute("UPDATE articles SET url=replace(canonical_url, 'https://www.', 'http://'),"
                   " canonical_url=replace(canonical_url, 'https://www.', 'http://')")
    out = tmp_path / "moved.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, out, store=store))
    summary = summary_of(out)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert summary["status"] == "warning" and summary["failures"] == []
    n = len(baseline.records)
    assert summary["sites"]["investchn"]["duplicates"] == {"of_stored": n, "in_run": 0}
    (warning,) = summary["warnings"]
    assert warning.startswith(f"investchn: {n} articles are duplicates of stored ones at other URLs (e.g. http")
    example_new, example_stored = warning.split("(e.g. ", 1)[1].split(")", 1)[0].split(" is ")
    assert _path(example_new) == _path(example_stored) and example_stored.startswith("http://investchn.com/")
    assert f"warning: {warning}" in proc.stderr
    assert read_jsonl(out) == []  # delivered before: not delivered again
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM aliases").fetchone()[0] == n
    # The new URLs are known now: the next run downloads none of them and only says "no new articles".
    baseline.server.hits.clear()
    again = tmp_path / "again.jsonl"
    proc = run(crawl_cmd(baseline.server.base_url, tmp_path, again, store=store))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert article_hits(baseline.server) == []
    assert summary_of(again)["warnings"] == [f"investchn: no new articles (it had {n} before)"]
