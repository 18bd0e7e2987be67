"""The breadcrumb a reader sees (``您现在的位置：首页 > 开发区新闻 > 南京``) as a list."""

from __future__ import annotations

import re

from zonecrawler.extract.dom import climb, elements_with_text, text_content
from zonecrawler.normalize.text import clean_line

_PREFIX = re.compile(
    r"^(?:您(?:现在|現在)?的?位置|当前位置|當前位置|现在位置|所在位置|位置)\s*[:：]?\s*"
)
_SEPARATOR = re.compile(r"\s*(?:[-—=]*>>?|»|＞|›|→|〉)\s*")
_HOME = re.compile(r"(?:首页|首頁|网站首页|主页)\s*(?:[-—=]*>|»|＞|›|→|〉)")
# "/" separates crumbs only in a trail that starts at the home page (dates use "/" too).
_HOME_SLASH = re.compile(r"^(?:首页|首頁|网站首页|主页)\s*/")
_SLASH = re.compile(r"\s*/\s*")
_MAX_LEN = 200
_CRUMB_MARK = re.compile(r"crumb|position|location|weizhi|dqwz|curpath|path", re.I)
_HOME_ITEM = re.compile(r"^(?:首页|首頁|网站首页|主页)$")
_MAX_ITEMS = 8
_MAX_ITEM = 20
# Text nodes worth climbing from: a home link or a "you are here" prefix.
_HINT = re.compile(r"首页|首頁|主页|位置")


def split_breadcrumb(text: str) -> list[str]:
    """``首页 > 开发区新闻 > 南京`` -> ``["首页", "开发区新闻", "南京"]`` (also ``首页 / 新闻 / 动态``)."""
    text = _PREFIX.sub("", clean_line(text))
    separator = _SLASH if _HOME_SLASH.match(text) else _SEPARATOR
    return [part for part in (p.strip() for p in separator.split(text)) if part]


def _list_breadcrumb(root):
    """A breadcrumb drawn as list items with CSS separators (``<ol class="breadcrumb"><li>首页</li>…``).

    Only an ordered list, or a list marked as a breadcrumb/position by its class, id or
    aria-label, counts: navigation menus are lists that start with 首页 too.
    """
    for el in root.iter("ol", "ul"):
        marks = " ".join(filter(None, (el.get(a) for a in ("class", "id", "aria-label"))))
        parent = el.getparent()
        if parent is not None:
            marks += " " + " ".join(filter(None, (parent.get(a) for a in ("class", "id", "aria-label"))))
        if el.tag != "ol" and not _CRUMB_MARK.search(marks):
            continue
        items = [clean_line(text_content(li)) for li in el.iter("li")]
        items = [item.strip(">»/ ") for item in items if item.strip(">»/ ")]
        if 2 <= len(items) <= _MAX_ITEMS and _HOME_ITEM.match(items[0]) and all(len(i) <= _MAX_ITEM for i in items):
            return el, items
    return None, []


def find_breadcrumb(root):
    """Return ``(element, items)`` for the page's breadcrumb, or ``(None, [])``."""
    best = None
    seen = set()
    for start in elements_with_text(root, _HINT):
        for el, raw in climb(start, _MAX_LEN * 2, seen):
            text = clean_line(raw)
            trail = _PREFIX.sub("", text)
            if len(text) > _MAX_LEN or not (
                _PREFIX.match(text) and _SEPARATOR.search(text) or _HOME.search(text) or _HOME_SLASH.match(trail)
            ):
                continue
            items = split_breadcrumb(text)
            if len(items) < 2:
                continue
            key = (len(items), -len(text))
            if best is None or key > best[0]:
                best = (key, el, items)
    return (best[1], best[2]) if best else _list_breadcrumb(root)
