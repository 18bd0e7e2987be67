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


MALFORMED_HREFS = (
    "http://[SITE_URL]/news/202202/171099.html",       # a CMS placeholder never filled in
    "http://www.investchn.com:99999/news/202202/171098.html",  # port above 65535
    "http://www.investchn.com:8o/news/202202/171097.html",     # port not a number
    "http:///news/202202/171096.html",                 # no host
)


def test_malformed_links_are_skipped_one_by_one_and_counted():
    good = [f"/news/202202/1710{i:02d}.html" for i in range(10)]
    hrefs = good[:5] + list(MALFORMED_HREFS) + good[5:]
    html = "<html><body><ul>" + "".join(f'<li><a href="{h}">新闻{i}</a></li>' for i, h in enumerate(hrefs)) + "</ul></body></html>"
    listing = parse_listing(BASE + "/kfqxw/", html.encode("utf-8"), SITE)
    assert listing.articles == [BASE + path for path in good]
    assert listing.bad_links == list(MALFORMED_HREFS)


def test_a_malformed_base_href_falls_back_to_the_page_url():
    html = '<html><head><base href="http://[SITE_URL]/"></head><body><a href="/news/202202/171001.html">x</a></body></html>'
    assert parse_listing(BASE + "/kfqxw/", html.encode("utf-8"), SITE).articles == [BASE + "/news/202202/171001.html"]


def test_the_spider_skips_and_counts_links_scrapy_refuses():
    from types import SimpleNamespace

    from zonecrawler.crawl.spiders.sites import SiteSpider

    spider = SiteSpider(site="investchn")
    counts: dict = {}
    spider.crawler = SimpleNamespace(stats=SimpleNamespace(inc_value=lambda k, n=1: counts.__setitem__(k, counts.get(k, 0) + n)))
    urls = [BASE + "/news/202202/171001.html", "http://\ud800.example/news/202202/171002.html", BASE + "/news/202202/171003.html"]
    requests = list(spider._article_requests(urls, SITE))
    assert [r.url for r in requests] == [urls[0], urls[2]]
    assert counts == {"zonecrawler/bad_links/investchn": 1}


def test_links_to_the_sites_host_on_another_port_are_not_the_sites():
    html = ('<a href="http://127.0.0.1:8001/news/202202/171001.html">a</a>'
            '<a href="http://127.0.0.1:8002/news/202202/171002.html">b</a>'
            '<a href="https://www.investchn.com/news/202202/171003.html">c</a>'
            '<a href="http://www.investchn.com:8080/news/202202/171004.html">d</a>')
    mirror = SITE.rebased("http://127.0.0.1:8001")
    assert parse_listing("http://127.0.0.1:8001/kfqxw/", html.encode(), mirror).articles == [
        "http://127.0.0.1:8001/news/202202/171001.html"]
    assert parse_listing(BASE + "/kfqxw/", html.encode(), SITE).articles == [BASE + "/news/202202/171003.html"]


_BASES = ("http://www.example.gov.cn/xwzx/2024/t1.html", "https://A.example.com:8443/a/b/", "http://127.0.0.1:8000/news/202202/1.html")
_HREFS = (
    "/kfqxw/index_2.html", "/a/../b.html", "/./x", "/x?b=2&a=1#frag", "//cdn.example.com/x.html", "//", "///x",
    "//h:0/x", "http://other.cn/p.html#top", "HTTPS://Other.CN/P", "http://h:99999/x", "http://[SITE_URL]/news/1.html",
    "../up.html", "./same.html", "rel.html?x=1", "?page=3", "#only", "ftp://files.example.com/x", "http:/x",
    "/a\\b", "https://h/a/../b?#", "http://h?", "/中文/路径.html", "/x?utm_source=wx&id=5",
)


def _reference_link(base: str, href: str):
    """absolute_link as urljoin defines it: the slow path for every href."""
    from urllib.parse import urldefrag, urljoin, urlsplit

    from zonecrawler.normalize.urls import canonicalize_url

    link = canonicalize_url(urldefrag(urljoin(base, href))[0])
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return None
    if not parts.hostname or parts.port == 0:
        raise ValueError(href)
    return link


def test_fast_link_joining_gives_what_urljoin_gives():
    from zonecrawler.extract.links import _origin, absolute_link

    for base in _BASES:
        origin = _origin(base)
        assert origin is not None
        for href in _HREFS:
            try:
                want = _reference_link(base, href)
            except ValueError:
                want = "ValueError"
            try:
                got = absolute_link(base, href, origin)
            except ValueError:
                got = "ValueError"
            assert got == want, (base, href)
