"""The article links of a list page, without URL patterns: its main block of headline links.

Pure.  A list page shows its articles as a repeated block: many items of the same markup
(``<li>``, ``<tr>``, ``<div>``…), each holding one headline link and usually a date.  Each
headline link's *item* is its highest ancestor holding no other headline link; items with the
same parent and the same tag and class form a block (consecutive sibling lists of the same kind
are one block).  Blocks are scored by their headlines (length, a date in the item) and the
block of the page's main column wins: navigation, 友情链接, footers and sidebars (热点/推荐/排行)
are discounted by their markup and heading, and a block next to the page's pager, or whose
links live under the list's own folder, counts more.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from zonecrawler.extract.dom import bounded_text, tag_of
from zonecrawler.extract.pagination import LAST_PAGE_TEXT, NEXT_PAGE_TEXT, NUMBER_TEXT
from zonecrawler.normalize.dates import find_dates
from zonecrawler.normalize.text import clean_line

MIN_HEADLINE = 5          # characters; menu entries (首页, 园区概况) are shorter
MIN_ITEMS = 2
MIN_SCORE = 2.0           # two short undated links in a footer score ~0.2; two dated headlines ~7
_ITEM_TEXT_MAX = 400      # an item longer than this is no list item (its date is not looked for)
_NOT_HEADLINE = re.compile(r"^(?:更多|more|查看更多|详细|详情|阅读全文|全文|点击查看|>>|more\s*>+|\W+)$", re.I)
_TAG_TEXT = re.compile(r"^[\[【(（].{1,8}[\]】)）]$")  # [社会] 【通知】: a category tag beside the headline
_TRUNCATED = re.compile(r"(?:\.{2,}|…+)$")
_CHROME = re.compile(r"(?:^|[\s_-])(?:nav|navbar|menu|menus|topnav|foot|footer|bottom|friend|friendlink|links?|"
                     r"yqlj|copyright|banner|toolbar|share|breadcrumb|crumbs?|position|location)(?:$|[\s_-]|\d)", re.I)
_SIDE = re.compile(r"(?:^|[\s_-])(?:side|aside|hot|rank|recommend|tuijian|rmtj|phb|xgyd|related)", re.I)
_SIDE_HEADING = re.compile(r"友情链接|相关链接|热[点门]|排行|推荐|专题|图片新闻|视频")
_ITEM_TAGS = {"li", "tr", "dd", "dt", "article"}  # list items: an item never grows beyond one
_MAX_ITEM_DEPTH = 4
_HEADING_CHARS = 20


@dataclass
class Block:
    """The main block of headline links: article URLs in page order, and what the items showed."""

    links: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    dated: int = 0  # items that show a date
    score: float = 0.0
    container: object = field(default=None, repr=False, compare=False)  # the block's element (not pickled: cleared)

    @property
    def size(self) -> int:
        return len(self.links)


def headline_text(a, text: str) -> str:
    """The headline a link shows: its text, or its ``title`` when the text is cut short (``…``)."""
    title = clean_line(a.get("title") or "")
    if title and (not text or (_TRUNCATED.search(text) and len(title) > len(text) - 3)):
        return title
    return text


def is_headline(text: str) -> bool:
    return (len(text) >= MIN_HEADLINE and not _NOT_HEADLINE.match(text) and not _TAG_TEXT.match(text) and not NEXT_PAGE_TEXT.match(text)
            and not LAST_PAGE_TEXT.match(text) and not NUMBER_TEXT.match(text))


def _signature(el) -> tuple[str, str]:
    return tag_of(el), " ".join(sorted((el.get("class") or "").split()))


def _marks(el) -> str:
    return f"{el.get('id') or ''} {el.get('class') or ''}"


def _chrome_factor(container, root) -> float:
    """How much a block's place says it is page chrome: nav/footer 0.1, sidebar 0.4, else 1."""
    factor = 1.0
    for el in (container, *container.iterancestors()):
        if el is root:
            break
        tag = tag_of(el)
        if tag in ("nav", "footer", "header") or _CHROME.search(_marks(el)):
            return 0.1
        if tag == "aside" or _SIDE.search(_marks(el)):
            factor = min(factor, 0.4)
    return factor


def _heading_before(container) -> str:
    """The short text just before a block (its heading: 通知公告, 友情链接, 热点新闻 …)."""
    el = container
    for _ in range(4):  # a few steps back: previous siblings, then the parent's
        prev = el.getprevious()
        while prev is not None:
            if isinstance(prev.tag, str):
                text = bounded_text(prev, _HEADING_CHARS * 4)
                if text is not None and text.strip():
                    return clean_line(text)[:_HEADING_CHARS * 2]
                if text is None:
                    return ""
            prev = prev.getprevious()
        el = el.getparent()
        if el is None:
            return ""
        if el.text and el.text.strip():
            return clean_line(el.text)
    return ""


def _list_dir(url: str) -> str:
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def find_block(anchors: list[tuple[object, str, str]], root, page_url: str, pager_urls: set[str] = frozenset()) -> Block:
    """The main block of headline links among a page's ``anchors`` ((element, URL, text), page order).

    Returns an empty :class:`Block` when the page has no repeated block of headlines.
    """
    headlines = []
    for a, link, text in anchors:
        text = headline_text(a, text)
        if link not in pager_urls and is_headline(text):
            headlines.append((a, link, text))
    if not headlines:
        return Block()
    urls_below: dict = {}
    for a, link, _ in headlines:
        for el in (a, *a.iterancestors()):
            urls_below.setdefault(el, set()).add(link)
    groups: dict = {}
    for a, link, text in headlines:
        item = a
        parent = item.getparent()
        steps = 0
        while (parent is not None and len(urls_below[parent]) == 1 and tag_of(item) not in _ITEM_TAGS
               and steps < _MAX_ITEM_DEPTH):
            item, parent, steps = parent, parent.getparent(), steps + 1
        if parent is None:
            continue
        groups.setdefault(parent, []).append((item, link, text))
    # Containers of one kind under one parent (a list split into several <ul>s), or under sibling
    # wrappers of one kind (<div class="cnt"><ul>…</ul></div> repeated), are one block.
    by_parent: dict = {}
    for container in groups:
        by_parent.setdefault((container.getparent(), _signature(container)), []).append(container)
    by_wrapper: dict = {}
    for (parent, sig), containers in by_parent.items():
        grand = parent.getparent() if parent is not None else None
        by_wrapper.setdefault((grand, _signature(parent) if parent is not None else None, sig), []).append(containers)
    merged: dict = {}
    for (grand, _, _), families in by_wrapper.items():
        if grand is not None and len(families) > 1:
            containers = [c for family in families for c in family]
            merged[containers[0]] = [i for c in containers for i in groups[c]]
        else:
            for family in families:
                merged[family[0]] = [i for c in family for i in groups[c]]
    pager_depth = _pager_depths(anchors, pager_urls)
    page_dir = _list_dir(page_url)
    candidates = []
    for container, items in merged.items():
        common, _ = Counter(_signature(item) for item, _, _ in items).most_common(1)[0]
        items = [i for i in items if _signature(i[0]) == common]
        links, titles, dated, score, seen = [], [], 0, 0.0, set()
        for item, link, text in items:
            if link in seen:
                continue
            seen.add(link)
            item_text = bounded_text(item, _ITEM_TEXT_MAX) if item is not None else None
            has_date = bool(item_text and find_dates(item_text))
            links.append(link)
            titles.append(text)
            dated += has_date
            score += min(len(text), 40) / 10 + (2.0 if has_date else 0.0)
        score *= _chrome_factor(container, root)
        if _SIDE_HEADING.search(_heading_before(container)):
            score *= 0.4
        if sum(len(t) for t in titles) / len(titles) < 8:
            score *= 0.5
        if page_dir != "/" and sum(_list_dir(u).startswith(page_dir) for u in links) * 2 >= len(links):
            score *= 2
        candidates.append((container, Block(links=links, titles=titles, dated=dated, score=score, container=container)))
    # The block nearest the pager (deepest common ancestor with it) is the list the pager pages through.
    nearest = max((_common_depth(c, pager_depth) for c, _ in candidates), default=-1) if pager_depth else -1
    best = Block()
    for container, block in candidates:
        near = nearest > 0 and _common_depth(container, pager_depth) == nearest
        if near:
            block.score *= 3
        if block.size < MIN_ITEMS and not (near and (block.dated or len(block.titles[0]) >= 8)):
            continue  # one link is a list only as the last page of a paged list
        if block.score >= MIN_SCORE and block.score > best.score:
            best = block
    return best


def _pager_depths(anchors, pager_urls) -> dict:
    """The first pager link's ancestors, each with its depth (root 0)."""
    first = next((a for a, link, _ in anchors if link in pager_urls), None)
    if first is None:
        return {}
    chain = [first, *first.iterancestors()]
    return {el: len(chain) - 1 - i for i, el in enumerate(chain)}


def _common_depth(container, pager_depth: dict) -> int:
    for el in (container, *container.iterancestors()):
        if el in pager_depth:
            return pager_depth[el]
    return -1
