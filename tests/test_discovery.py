"""Discovery without URL patterns, pure parts: link blocks, pagination, TRS/Hanweb pagers, roles, shapes, feeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, INVESTCHN_SITE
from zonecrawler.extract import article as article_mod
from zonecrawler.extract import discovery
from zonecrawler.extract.discovery import analyze_page
from zonecrawler.extract.feeds import feed_links
from zonecrawler.extract.hanweb import hanweb_column
from zonecrawler.extract.listing import parse_listing
from zonecrawler.extract.pagination import link_pagination, trs_pages
from zonecrawler.extract.roles import ARTICLE, LIST, OTHER, PageFacts, page_role
from zonecrawler.extract.urlpatterns import ShapeLearner, learn_patterns
from zonecrawler.goldens import golden_cases
from zonecrawler.siteconfig import get_site, site_from_dict

B = "https://zone.example.cn"


def _page(body: str, head: str = "") -> str:
    return f'<html><head><meta charset="utf-8"><title>园区动态</title>{head}</head><body>{body}</body></html>'


def _items(prefix: str, n: int, dated: bool = True, start: int = 1) -> str:
    return "".join(
        f'<li><a href="{prefix}{i}.html">开发区第{i}项重点工作推进情况通报</a>'
        + (f"<span>2024-03-{i:02d}</span>" if dated else "") + "</li>"
        for i in range(start, start + n))


# --- the main block of headline links -----------------------------------------------------------

NAV = '<div class="nav"><a href="/">首页</a><a href="/gk/">园区概况</a><a href="/dt/">园区动态</a><a href="/zs/">招商引资</a></div>'
FRIENDS = ('<div class="yqlj"><h3>友情链接</h3><ul>' + "".join(
    f'<li><a href="http://gov{i}.example.cn/">某某市人民政府门户网站{i}</a></li>' for i in range(6)) + "</ul></div>")
FOOTER = '<div class="footer"><a href="/about/">关于我们网站的介绍</a><a href="/map/">网站地图导航页面</a> 版权所有</div>'


def test_main_block_wins_over_navigation_sidebar_friend_links_and_footer():
    sidebar = f'<div class="side"><h3>热点新闻</h3><ul>{_items("/hot/", 8)}</ul></div>'
    main = f'<div class="main"><ul class="list">{_items("/dt/2024/", 5)}</ul><div class="page"><a href="index_2.html">下一页</a></div></div>'
    html = _page(NAV + sidebar + main + FRIENDS + FOOTER)
    found = analyze_page(f"{B}/dt/", html).discovered
    assert found.articles == [f"{B}/dt/2024/{i}.html" for i in range(1, 6)]
    assert found.dated == 5
    assert found.pages == [f"{B}/dt/index_2.html"]


def test_the_block_beside_the_pager_wins_on_a_last_page_with_one_article():
    # The sidebar has more, dated links; the list's last page shows one article above its pager.
    sidebar = f'<div class="left"><div class="t">通知公告</div><ul class="sidelist">{_items("/tzgg/", 8)}</ul></div>'
    main = ('<div class="right"><ul class="newslist"><li><a href="/dt/202106/1342.html">开发区召开上半年经济运行分析会</a>'
            '<span>2021-06-18</span></li></ul><div class="pages"><a href="index.html">首页</a> <a href="index.html">上一页</a> '
            '<a href="index.html">1</a> <span>2</span></div></div>')
    found = analyze_page(f"{B}/dt/index_2.html", _page(f'<div id="main">{sidebar}{main}</div>')).discovered
    assert found.articles == [f"{B}/dt/202106/1342.html"]
    assert found.pages == [f"{B}/dt/index.html"]


def test_a_list_split_into_groups_is_one_block():
    groups = "".join(f'<div class="cnt"><ul class="list_txt">{_items("/a/", 5, start=1 + 5 * g)}</ul></div>'
                     '<span class="hr"></span>' for g in range(4))
    found = analyze_page(f"{B}/roll/", _page(NAV + f'<div id="panel">{groups}</div>')).discovered
    assert found.articles == [f"{B}/a/{i}.html" for i in range(1, 21)]


def test_category_tags_and_truncated_headlines():
    items = "".join(
        f'<li><a href="/c/{i}/">[社会]</a> <a href="/n/{i}.html" title="一条被截短的很长很长的新闻标题第{i}条">一条被截短的很长很长...</a>'
        f"<span>2024-01-0{i}</span></li>" for i in range(1, 6))
    found = analyze_page(f"{B}/news/", _page(f"<ul>{items}</ul>")).discovered
    assert found.articles == [f"{B}/n/{i}.html" for i in range(1, 6)]
    assert found.titles[0] == "一条被截短的很长很长的新闻标题第1条"


def test_no_block_on_a_page_of_menus_only():
    found = analyze_page(f"{B}/", _page(NAV + FOOTER)).discovered
    assert found.articles == []


def test_sub_lists_are_folders_below_the_list():
    html = _page(f'<div class="sub"><a href="/dt/nanjing/">南京</a> <a href="/dt/suzhou/index.html">苏州</a> '
                 f'<a href="/other/">别处</a></div><ul>{_items("/dt/2024/", 5)}</ul>')
    found = analyze_page(f"{B}/dt/", html).discovered
    assert found.sublists == [f"{B}/dt/nanjing/", f"{B}/dt/suzhou/index.html"]


# --- pagination -----------------------------------------------------------------------------------

def _anchors(pairs):
    return [(B + href if href.startswith("/") else href, text) for href, text in pairs]


def test_next_last_and_range_between_numbered_pages():
    found = link_pagination(f"{B}/dt/", _anchors([("/dt/index_2.html", "2"), ("/dt/index_2.html", "下一页"),
                                                   ("/dt/index_7.html", "尾页")]), limit=200)
    assert found.pages == [f"{B}/dt/index_{n}.html" for n in range(2, 8)]
    assert found.next_pages == [f"{B}/dt/index_2.html"]
    assert {"next", "last", "numbered"} <= set(found.kinds)


def test_page_parameters_on_the_lists_own_path():
    found = link_pagination(f"{B}/list.jsp?cat=5", _anchors([
        ("/list.jsp?cat=5&page=2", "2"), ("/list.jsp?cat=5&page=4", "末页"), ("/list.jsp?cat=9&page=2", "2"),
        ("/art.jsp?id=77", "某条新闻标题足够长"),
    ]), limit=200)
    assert f"{B}/list.jsp?cat=5&page=3" in found.pages and f"{B}/list.jsp?cat=5&page=4" in found.pages
    assert f"{B}/art.jsp?id=77" not in found.pages
    found = link_pagination(f"{B}/news/list.aspx", _anchors([("/news/list.aspx?pageNo=2", "»")]), limit=200)
    assert found.pages == [f"{B}/news/list.aspx?pageNo=2"]


def test_first_page_link_is_the_lists_not_the_sites_home():
    found = link_pagination(f"{B}/dt/index_3.html", _anchors([("/", "首页"), ("/dt/index.html", "首页"),
                                                               ("/dt/index_2.html", "上一页")]), limit=200)
    assert f"{B}/" not in found.pages
    assert f"{B}/dt/index.html" in found.pages and f"{B}/dt/index_2.html" in found.pages


def test_range_is_bounded_by_the_limit():
    found = link_pagination(f"{B}/dt/", _anchors([("/dt/index_2.html", "2"), ("/dt/index_99999.html", "尾页")]), limit=5)
    assert len(found.pages) == 5


@pytest.mark.parametrize("script,expected", [
    ('createPageHTML(4, 0, "index", "html");', ["index_1.html", "index_2.html", "index_3.html"]),
    ("var countPage = 3;\nvar currentPage = 1;\ncreatePageHTML(countPage, currentPage, 'index', 'shtml');", ["index_2.shtml"]),
    ("createPageHTML('page_div', 3, 2, 'index', 'htm', 45);", ["index_1.htm"]),
])
def test_trs_create_page_html(script, expected):
    assert trs_pages(f"{B}/col/gzdt/index_1.html", f"<script>{script}</script>", 200) == [f"{B}/col/gzdt/{n}" for n in expected]


def test_trs_pager_definition_and_bounds():
    definition = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){ }"
    assert trs_pages(f"{B}/a/", f"<script>{definition}</script>", 200) == []
    assert len(trs_pages(f"{B}/a/", '<script>createPageHTML(100000, 0, "index", "html")</script>', 10)) == 10


HANWEB_PAGE = """<div id="div1"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=2&columnid=55&unitid=901&permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2024/3/1/art_55_1.html" title="园区召开第一次项目调度会">园区召开第一次项目调度会</a><span>2024-03-01</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2024/3/2/art_55_2.html">园区召开第二次项目调度会</a><span>2024-03-02</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#div1').jpage({perPage: 2, totalRecord: 7, groupSize: 1, proxyUrl: '/module/web/jpage/dataproxy.jsp'});</script>"""


def test_hanweb_records_and_dataproxy_pages_with_the_columns_parameters():
    column = hanweb_column(f"{B}/col/col55/index.html", HANWEB_PAGE, 200)
    assert len(column.records) == 2
    proxy = f"{B}/module/web/jpage/dataproxy.jsp?"
    assert column.pages == [
        proxy + "columnid=55&endrecord=4&permissiontype=0&perpage=2&startrecord=3&unitid=901&webid=2",
        proxy + "columnid=55&endrecord=6&permissiontype=0&perpage=2&startrecord=5&unitid=901&webid=2",
        proxy + "columnid=55&endrecord=7&permissiontype=0&perpage=2&startrecord=7&unitid=901&webid=2",
    ]
    found = analyze_page(f"{B}/col/col55/index.html", _page(HANWEB_PAGE))
    assert found.role == LIST
    assert found.discovered.articles == [f"{B}/art/2024/3/1/art_55_1.html", f"{B}/art/2024/3/2/art_55_2.html"]
    assert "hanweb" in found.discovered.pager and found.discovered.pages[0].startswith(proxy)


def test_hanweb_dataproxy_answer_asks_for_the_next_group_until_the_total():
    answer = ('<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>5</totalrecord><recordset>'
              '<record><![CDATA[<li><a href="/art/2024/3/3/art_55_3.html">园区召开第三次项目调度会</a></li>]]></record>'
              '<record><![CDATA[<li><a href="/art/2024/3/4/art_55_4.html">园区召开第四次项目调度会</a></li>]]></record>'
              "</recordset></datastore>")
    url = f"{B}/module/web/jpage/dataproxy.jsp?columnid=55&endrecord=4&perpage=2&startrecord=3&unitid=901&webid=2"
    column = hanweb_column(url, answer, 200)
    assert column.pages == [f"{B}/module/web/jpage/dataproxy.jsp?columnid=55&endrecord=5&perpage=2&startrecord=5&unitid=901&webid=2"]
    last = url.replace("endrecord=4", "endrecord=6").replace("startrecord=3", "startrecord=5")
    assert hanweb_column(last, answer, 200).pages == []
    listing = parse_listing(url, answer, site_from_dict({"name": "h", "start_urls": [f"{B}/col/col55/index.html"],
                                                         "article_patterns": ["^/art/"], "list_patterns": ["dataproxy"]}))
    assert listing.articles == [f"{B}/art/2024/3/3/art_55_3.html", f"{B}/art/2024/3/4/art_55_4.html"]


# --- page roles -----------------------------------------------------------------------------------

def test_every_golden_article_page_is_an_article():
    cases = golden_cases(FIXTURES)
    assert len(cases) >= 80
    wrong = [c.name for c in cases if analyze_page(c.expected["url"], c.page_bytes()).role != ARTICLE]
    assert wrong == []


@pytest.mark.parametrize("site_dir,url", [
    (INVESTCHN_SITE / "kfqxw" / "index.html", "https://www.investchn.com/kfqxw/"),
    (INVESTCHN_SITE / "kfqxw" / "nanjing" / "index_2.html", "https://www.investchn.com/kfqxw/nanjing/index_2.html"),
    (FIXTURES / "sites/titleonly/site/yqdt/index_2.html", "https://www.example-zone.cn/yqdt/index_2.html"),
    (FIXTURES / "sites/hefei_hitech/site/xwzx/yqdt/index_2.html", "http://gxq.hefei.gov.cn/xwzx/yqdt/index_2.html"),
    (FIXTURES / "sites/trssite/site/xwzx/gzdt/index_1.html", "https://www.ycetdz.example.gov.cn/xwzx/gzdt/index_1.html"),
    (FIXTURES / "sites/hanwebsite/site/col/col7788/index.html", "https://www.czhitech.example.gov.cn/col/col7788/index.html"),
])
def test_fixture_list_pages_are_lists(site_dir: Path, url):
    assert analyze_page(url, site_dir.read_bytes()).role == LIST


def test_role_rules():
    article = PageFacts(title=True, body_chars=400, date_shown=True, labelled=True, block_items=6, block_dated=6)
    assert page_role(article) == ARTICLE  # a related-news block beside a labelled article
    assert page_role(PageFacts(title=True, body_chars=80, block_items=8, block_dated=8, block_chars=160)) == LIST
    assert page_role(PageFacts(title=True, body_chars=200, date_shown=True, block_items=8, block_dated=8,
                               block_chars=150)) == ARTICLE  # unlabelled article with a dated sidebar
    assert page_role(PageFacts(title=True, body_chars=300, body_in_block=True, block_items=10, block_dated=10)) == LIST
    assert page_role(PageFacts(block_items=1, paginated=True)) == LIST
    assert page_role(PageFacts(title=True, body_chars=10)) == OTHER


def test_analysis_parses_the_page_once(monkeypatch):
    calls = []
    real = discovery.parse
    monkeypatch.setattr(discovery, "parse", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr(article_mod, "parse", lambda *a, **k: pytest.fail("the extractor parsed the page again"))
    page = INVESTCHN_SITE / "news" / "202202" / "171001.html"
    analysis = analyze_page("https://www.investchn.com/news/202202/171001.html", page.read_bytes())
    assert analysis.role == ARTICLE and analysis.extraction.title
    assert len(calls) == 1


# --- learned URL patterns -------------------------------------------------------------------------

def test_learned_patterns_generalize_ids_and_dates_but_keep_column_ids():
    assert learn_patterns([f"{B}/art/2024/5/20/art_7788_90107.html", f"{B}/art/2023/11/8/art_7788_61.html"]) == [
        r"^/art/\d{4}/\d+/\d+/art_7788_\d+\.html$"]
    assert learn_patterns([f"{B}/szgyyq/yqdt/202306/9b2e6f3a.shtml", f"{B}/szgyyq/yqdt/202305/5e7d0b84.shtml"]) == [
        r"^/szgyyq/yqdt/\d{6}/[0-9A-Za-z]+\.shtml$"]
    lists = learn_patterns([f"{B}/yqdt/", f"{B}/yqdt/index_2.html", f"{B}/yqdt/index_3.html"], min_constant=1)
    assert sorted(lists) == [r"^/yqdt/$", r"^/yqdt/index_\d+\.html$"]


def test_learned_patterns_match_what_the_site_would_match():
    site = get_site("investchn")
    urls = [u for u in analyze_page("https://www.investchn.com/kfqxw/", (INVESTCHN_SITE / "kfqxw/index.html").read_bytes())
            .discovered.articles]
    learner = ShapeLearner()
    for url in urls:
        learner.add(url)
    (pattern,) = learner.patterns()
    assert all(re.search(pattern, u.split("investchn.com", 1)[1]) for u in urls)
    assert all(site.is_article(u) for u in urls)
    assert learner.matches("https://www.investchn.com/news/201901/123.html")
    assert not learner.matches("https://www.investchn.com/kfqxw/index_2.html")


# --- feeds ----------------------------------------------------------------------------------------

def test_rss_and_atom_feed_links():
    rss = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://zone.example.cn/</link>'
           b"<item><title>a</title><link>/news/1.html</link></item>"
           b'<item><title>b</title><guid isPermaLink="true">https://zone.example.cn/news/2.html</guid></item>'
           b"</channel></rss>")
    assert feed_links(rss, f"{B}/rss.xml") == [f"{B}/news/1.html", f"{B}/news/2.html"]
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="https://zone.example.cn/n/3.html"/>'
            b'<link rel="edit" href="/edit/3"/></entry></feed>')
    assert feed_links(atom, f"{B}/atom.xml") == [f"{B}/n/3.html"]
    assert feed_links(b"not xml at all <<<", f"{B}/rss.xml") == []
    head = '<link rel="alternate" type="application/rss+xml" href="/rss.xml">'
    assert analyze_page(f"{B}/dt/", _page(f"<ul>{_items('/dt/', 5)}</ul>", head)).discovered.feeds == [f"{B}/rss.xml"]
