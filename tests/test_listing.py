"""List pages: article links, pagination (下一页) and region sub-lists found on fixture list pages."""

from __future__ import annotations

from tests.conftest import INVESTCHN_SITE
from zonecrawler.extract.listing import parse_listing
from zonecrawler.siteconfig import get_site

BASE = "https://www.investchn.com"
SITE = get_site("investchn")


def _listing(path: str):
    file = INVESTCHN_SITE / path.lstrip("/")
    if path.endswith("/"):
        file = file / "index.html"
    return parse_listing(BASE + path, file.read_bytes(), SITE)


def test_first_list_page_has_articles_and_next_page():
    listing = _listing("/kfqxw/")
    assert len(listing.articles) >= 5
    assert all(SITE.is_article(u) for u in listing.articles)
    assert f"{BASE}/kfqxw/index_2.html" in listing.next_pages
    assert f"{BASE}/kfqxw/index_2.html" in listing.lists


def test_region_sub_list_is_followed():
    listing = _listing("/kfqxw/")
    assert f"{BASE}/kfqxw/nanjing/" in listing.lists


def test_pagination_chain_reaches_every_list_page():
    seen, queue = set(), ["/kfqxw/"]
    while queue and len(seen) < 50:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        for url in _listing(path).next_pages:
            queue.append(url[len(BASE):])
    assert {"/kfqxw/", "/kfqxw/index_2.html", "/kfqxw/index_3.html"} <= seen


def test_links_are_unique_and_offsite_links_dropped():
    html = (
        '<a href="/news/202202/171001.html">a</a><a href="/news/202202/171001.html#top">a again</a>'
        '<a href="https://other.example.com/news/202202/171001.html">offsite</a>'
        '<a href="javascript:void(0)">js</a><a href="/kfqxw/index_2.html">下一页</a>'
    )
    listing = parse_listing(BASE + "/kfqxw/", html, SITE)
    assert listing.articles == [f"{BASE}/news/202202/171001.html"]
    assert listing.next_pages == [f"{BASE}/kfqxw/index_2.html"]
