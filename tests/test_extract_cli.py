"""``python -m zonecrawler.extract``: one page in, one UTF-8 JSON record out; selectors from the registry."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES, REPO
from zonecrawler.extract.article import extract_article
from zonecrawler.siteconfig import site_from_dict

SEED = FIXTURES / "investchn" / "site" / "news" / "202202" / "171001.html"


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "zonecrawler.extract", *args], cwd=REPO, capture_output=True, timeout=120)


def test_prints_one_utf8_record():
    proc = _run(str(SEED), "--url", "https://www.investchn.com/news/202202/171001.html")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert "\\u" not in out and out.count("\n") == 1
    record = json.loads(out)
    assert record["title"].startswith("六合经济开发区召开") and record["date"] == "2022-02-17"
    assert record["source"] == "六合经济开发区" and record["zone"]["city"] == "南京市"


def test_gbk_page_without_declaration():
    page = FIXTURES / "investchn" / "site" / "news" / "202111" / "081008.html"
    raw = page.read_bytes()
    assert b"charset" not in raw.lower()
    record = json.loads(_run(str(page)).stdout)
    assert record["url"].startswith("file://")
    assert "广州" in record["title"] and record["date"]


def test_selector_layer_wins_and_is_recorded():
    html = (
        "<html><head><title>页面标题-投促中国</title></head><body><h1>页面标题</h1>"
        "<div class='meta'>发布时间：2022-02-17 来源：甲</div><span class='real-src'>乙报</span>"
        "<div><p>正文第一段，内容很长很长，足够被识别为正文。</p><p>正文第二段，内容同样足够长。</p></div></body></html>"
    )
    site = site_from_dict({"name": "x", "start_urls": ["https://a.cn/"], "article_patterns": ["x"],
                           "selectors": {"source": "span.real-src", "title": "xpath://title/text()"}})
    result = extract_article("https://a.cn/1.html", html, site=site)
    assert result.source == "乙报" and result.provenance["source"] == "selector"
    assert result.title == "页面标题-投促中国" and result.provenance["title"] == "selector"
    generic = extract_article("https://a.cn/1.html", html)
    assert generic.source == "甲" and generic.provenance["source"] == "label"
    assert generic.title == "页面标题" and generic.provenance["title"] == "visible"
