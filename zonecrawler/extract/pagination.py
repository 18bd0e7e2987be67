"""Pagination of a list page without URL patterns: what a reader clicks, and two script pagers.

Pure: takes a parsed page (its anchors) and the page's raw text.  Recognised:

* links a reader clicks: 下一页/下页/后页/下一頁 (next), 尾页/末页/最后一页 (last), numbered links
  (``2``, ``[3]``, ``第4页``);
* links shaped like another page of the same list: ``?page=N`` / ``pageNo=N`` (and similar
  parameters) on the page's own path, ``index_N.html`` / ``list_N.html`` beside the page;
* a range: when numbered or last-page links show pages ``index_2`` … ``index_9``, the pages in
  between are added (a pager that shows 首页 上一页 下一页 尾页 only);
* TRS WCM: ``createPageHTML(总页数, 当前页, "index", "html")`` (pages ``index.html``,
  ``index_1.html`` …), literal numbers or ``var`` names set to numbers;
* Hanweb (大汉) jpage columns: see :mod:`zonecrawler.extract.hanweb`.

Everything is bounded by ``limit`` (the site's ``max_list_pages``).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

NEXT_PAGE_TEXT = re.compile(
    r"^(?:下一页|下页|下一頁|下頁|后页|后一页|後頁|下一页\s*>+|>|›|»|>>|next(?:\s*page)?\s*>*)$", re.I)
LAST_PAGE_TEXT = re.compile(r"^(?:尾页|末页|最后一页|最末页|尾頁|末頁|最後一頁|>\||last(?:\s*page)?\s*>*)$", re.I)
PREV_PAGE_TEXT = re.compile(r"^(?:上一页|上页|前页|前一页|上一頁|上頁|首页|首頁|<|‹|«|<<|prev(?:ious)?(?:\s*page)?|first(?:\s*page)?)$", re.I)
NUMBER_TEXT = re.compile(r"^(?:[\[【(（]\s*)?(?:第\s*)?(\d{1,4})(?:\s*页)?(?:\s*[\]】)）])?$")
PAGE_PARAMS = frozenset(
    "page pageno page_no pagenum pagenumber pageindex page_index pn p curpage cur_page currentpage current "
    "currpage pageid".split())
_PAGE_FILE = re.compile(r"^(?P<stem>[A-Za-z]+)_(?P<n>\d{1,5})(?P<ext>\.[A-Za-z]{2,5})$")
_INDEX_FILE = re.compile(r"^(?P<stem>[A-Za-z]+)(?P<ext>\.[A-Za-z]{2,5})$")
_SHORT_TEXT = 8  # a pager link's text is short (a headline with "_2.html" in its link is no pager)

# TRS WCM: createPageHTML(10, 0, "index", "html") or createPageHTML('pagediv', 10, 0, 'index', 'html', 150)
_TRS_CALL = re.compile(r"createPageHTML\s*\(([^()]{1,300})\)")
_JS_VAR = r"(?:var|let|const)?\s*{name}\s*=\s*['\"]?(\d{{1,5}})['\"]?\s*[;,\n]"


@dataclass
class Pagination:
    """Further pages of one list, in page order, and how the page showed them."""

    pages: list[str] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, url: str, kind: str, page_url: str) -> None:
        if url != page_url and url not in self.pages:
            self.pages.append(url)
        if kind not in self.kinds:
            self.kinds.append(kind)


def _dir(path: str) -> str:
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def _file(path: str) -> str:
    return "" if path.endswith("/") else posixpath.basename(path)


def _page_param(query: str) -> tuple[str, int] | None:
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key.lower() in PAGE_PARAMS and value.isdigit():
            return key, int(value)
    return None


def _without(query: str, key: str) -> list[tuple[str, str]]:
    return [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != key]


def page_shape(page_url: str, link: str):
    """How ``link`` is another page of the list at ``page_url``: a (template, number) pair, or None.

    ``("file", dir, stem, ext)`` for ``index_N.html`` beside the page, ``("param", path, key, rest)``
    for ``?page=N`` on the page's own path.
    """
    page, other = urlsplit(page_url), urlsplit(link)
    if (page.scheme, page.netloc) != (other.scheme, other.netloc):
        return None
    hit = _page_param(other.query)
    if hit is not None and other.path == page.path:
        key, number = hit
        rest = tuple(sorted(_without(other.query, key)))
        own = tuple(sorted(_without(page.query, key)))
        if rest == own:
            return ("param", other.path, key, rest), number
    if _dir(other.path) == _dir(page.path) and not other.query:
        m = _PAGE_FILE.match(_file(other.path))
        if m:
            own = _file(page.path)
            own_stem = (_PAGE_FILE.match(own) or _INDEX_FILE.match(own))
            if own == "" or (own_stem and own_stem.group("stem") == m.group("stem")):
                return ("file", _dir(other.path), m.group("stem"), m.group("ext")), int(m.group("n"))
    return None


def _same_list(page_url: str, link: str) -> bool:
    """``link`` is the list's first page: its folder or an index file in the page's folder."""
    page, other = urlsplit(page_url), urlsplit(link)
    if _dir(other.path) != _dir(page.path) or other.query:
        return False
    return _file(other.path) == "" or bool(_INDEX_FILE.match(_file(other.path)))


def _shape_url(shape: tuple, number: int, page_url: str) -> str:
    parts = urlsplit(page_url)
    if shape[0] == "param":
        _, path, key, rest = shape
        query = urlencode(sorted([*rest, (key, str(number))]))
        return parts._replace(path=path, query=query, fragment="").geturl()
    _, directory, stem, ext = shape
    return parts._replace(path=f"{directory}{stem}_{number}{ext}", query="", fragment="").geturl()


def link_pagination(page_url: str, anchors: list[tuple[str, str]], limit: int) -> Pagination:
    """Pagination shown as links: ``anchors`` are (canonical URL, visible text) on the page, in order.

    ``page_url`` must be canonical, like the anchors' URLs.
    """
    found = Pagination()
    host = urlsplit(page_url).netloc
    shapes: dict[tuple, set[int]] = {}
    for link, text in anchors:
        if urlsplit(link).netloc != host or link == page_url:
            continue
        text = text.strip()
        shape = page_shape(page_url, link)
        if text and NEXT_PAGE_TEXT.match(text):
            found.add(link, "next", page_url)
            if link not in found.next_pages:
                found.next_pages.append(link)
        elif text and LAST_PAGE_TEXT.match(text):
            found.add(link, "last", page_url)
        elif text and NUMBER_TEXT.match(text):
            found.add(link, "numbered", page_url)
        elif text and PREV_PAGE_TEXT.match(text) and (shape is not None or _same_list(page_url, link)):
            found.add(link, "prev", page_url)  # 首页/上一页 of the same list (not the site's home page)
        elif shape is not None and len(text) <= _SHORT_TEXT:
            found.add(link, "page_" + shape[0][0], page_url)
        else:
            continue
        if shape is not None:
            shapes.setdefault(shape[0], set()).add(shape[1])
    # Fill the range the pager shows (1 … 尾页) when it shows only some of its pages.
    for shape, numbers in shapes.items():
        low, high = min(numbers), max(numbers)
        if high - low >= limit:
            high = low + limit - 1
        for number in range(low, high + 1):
            url = _shape_url(shape, number, page_url)
            if url != page_url and url not in found.pages:
                found.pages.append(url)
    numbers = {}
    for link in found.pages:
        shape = page_shape(page_url, link)
        numbers[link] = shape[1] if shape is not None else -1
    found.pages.sort(key=numbers.get)  # page order (links without a number first, as found)
    del found.pages[limit:]
    return found


def _trs_value(arg: str, text: str) -> int | None:
    arg = arg.strip().strip("'\"")
    if arg.isdigit():
        return int(arg)
    if re.fullmatch(r"[A-Za-z_$][\w$]*", arg):
        m = re.search(_JS_VAR.format(name=re.escape(arg)), text)
        return int(m.group(1)) if m else None
    return None


def trs_pages(page_url: str, text: str, limit: int) -> list[str]:
    """Pages of a TRS WCM list from its ``createPageHTML(总页数, 当前页, "index", "html")`` call.

    Page 0 is ``index.html`` (the column's own address, where a crawl of it starts: not returned),
    page k is ``index_k.html``, beside the current page.  The call may
    name variables (``createPageHTML(countPage, currentPage, "index", "html")``) set to numbers in
    the page, and newer versions put a pager element id first and a record count last.
    """
    for m in _TRS_CALL.finditer(text):
        args = [a.strip() for a in m.group(1).split(",")]
        numbers, strings = [], []
        for arg in args:
            quoted = len(arg) >= 2 and arg[0] in "'\"" and arg[-1] == arg[0]
            if quoted and not arg[1:-1].isdigit():
                if numbers:  # names after the counts: prefix, extension
                    strings.append(arg[1:-1])
                continue
            value = _trs_value(arg, text)
            if value is None:
                break
            numbers.append(value)
        if len(numbers) < 2 or len(strings) < 2 or not re.fullmatch(r"[\w.-]+", strings[0] + strings[1]):
            continue
        total, current = numbers[0], numbers[1]
        prefix, ext = strings[0], strings[1].lstrip(".")
        pages = []
        for k in range(1, min(total, limit + 1)):  # page 0 is the column itself, where a crawl starts
            if k != current:
                pages.append(urljoin(page_url, f"{prefix}_{k}.{ext}"))
        return pages[:limit]
    return []
