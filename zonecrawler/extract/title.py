"""The article title: the visible headline that matches ``<title>``, else ``<title>`` itself.

Site suffixes (``-投促中国``, ``_开发区新闻_投促中国``) are stripped; sidebar and
link titles are never candidates.
"""

from __future__ import annotations

import re

from zonecrawler.extract.dom import element_positions, iter_elements, own_text, tag_of, text_content
from zonecrawler.normalize.text import clean_line, squash

# A separator before a site suffix: _ | ｜ · , a spaced dash, a lone ASCII hyphen not
# between digits, or a single em dash (a doubled —— introduces a Chinese subtitle).
_SEPARATOR = re.compile(r"\s*(?:[_|｜·]|\s[-–—]\s|(?<!\d)-(?!\d)|(?<!—)—(?!—))\s*")
_HEADINGS = {"h1": 3, "h2": 2, "h3": 1, "h4": 1}
_MAX_SUFFIX = 20
_MAX_RAW = 1000  # longer raw text cannot clean down to a 150-character title
_HEADING_REACH = 5  # elements between a heading and the meta line below it
_BLOCK_REACH = 3
_BELOW_META = 10  # elements after the meta line still considered for the title


def strip_site_suffix(page_title: str, known: tuple[str, ...] = ()) -> str:
    """Drop trailing ``_栏目_站点`` parts from a ``<title>`` text."""
    title = clean_line(page_title)
    while True:
        seps = list(_SEPARATOR.finditer(title))
        if not seps:
            return title
        last = seps[-1]
        head, tail = title[: last.start()].strip(), title[last.end():].strip()
        if not tail:
            title = head
            continue
        is_known = any(tail == k or k in tail for k in known)
        looks_like_site = len(tail) <= _MAX_SUFFIX and not re.search(r"\d", tail)
        if len(head) < 4 or not (is_known or looks_like_site):
            return title
        title = head


def _similarity(candidate: str, page_title: str) -> int:
    c, t = squash(candidate), squash(page_title)
    if not c or not t:
        return 0
    if c == t:
        return 3
    if len(c) >= 6 and (t.startswith(c) or c.startswith(t)):
        return 2
    if len(c) >= 6 and c in t and len(c) * 2 >= len(t):
        return 1
    return 0


def _in_link(el) -> bool:
    return tag_of(el) == "a" or any(tag_of(a) == "a" for a in el.iterancestors())


def title_candidates(root, exclude: set, last: int | None = None):
    """(element, text, heading_weight) for every short visible text block outside links.

    With ``last``, only the first ``last + 1`` elements in document order are looked at.
    """
    for pos, el in enumerate(iter_elements(root)):
        if last is not None and pos > last:
            return
        tag = tag_of(el)
        if tag in ("title", "head", "html", "body") or el in exclude:
            continue
        own = own_text(el)
        if len(own) < 4 or len(own) > _MAX_RAW or len(clean_line(own)) < 4:
            continue
        raw = text_content(el)
        if len(raw) > _MAX_RAW:
            continue
        text = clean_line(raw)
        if not 4 <= len(text) <= 150 or _in_link(el):
            continue
        yield el, text, _HEADINGS.get(tag, 0)


def choose_title(root, page_title: str | None, meta_line, exclude: set, positions: dict | None = None):
    """Return ``(element or None, title or None, layer)``.

    Preference: a visible block matching ``<title>`` (closest to the meta line), then a
    heading right above the meta line, then ``<title>`` itself, then any block right above
    the meta line (or the first <h1> on a page without one).
    """
    positions = positions if positions is not None else element_positions(root)
    meta_pos = positions.get(meta_line, None)
    best = None
    heading_above = None
    block_above = None
    # A headline sits above the meta line, or just below it on a few layouts.
    last = meta_pos + _BELOW_META if meta_pos is not None else None
    for el, text, weight in title_candidates(root, exclude, last):
        pos = positions[el]
        sim = _similarity(text, page_title) if page_title else 0
        if sim:
            distance = abs(meta_pos - pos) if meta_pos is not None else pos
            key = (sim, weight, -distance)
            if best is None or key > best[0]:
                best = (key, el, text)
        elif meta_pos is not None and pos < meta_pos:
            if weight and meta_pos - pos <= _HEADING_REACH:
                heading_above = (el, text)
            if meta_pos - pos <= _BLOCK_REACH:
                block_above = (el, text)
        elif meta_pos is None and weight == 3 and block_above is None:
            block_above = (el, text)
    if best is not None:
        return best[1], best[2], "visible"
    if heading_above is not None:
        return heading_above[0], heading_above[1], "visible"
    if page_title:
        return None, page_title, "html_title"
    if block_above is not None:
        return block_above[0], block_above[1], "visible"
    return None, None, "none"
