"""Layered article extraction: (url, html) -> fields, each with the layer that produced it.

Layers, first hit wins per field:
  1. ``selectors`` from the site's registry entry (CSS, or XPath prefixed ``xpath:``)
  2. government CMS meta tags (ArticleTitle, PubDate, ContentSource)
  3. JSON-LD NewsArticle, then OpenGraph
  4. visible labels (发布时间/来源/发布开发区 …) in the meta line
  5. the visible headline / main-content detector / a date next to the title
  6. last resorts: ``<title>`` without site suffix, a date in the URL
Pure: no Scrapy imports, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from parsel import Selector

from zonecrawler.extract import body as body_mod
from zonecrawler.extract.breadcrumb import find_breadcrumb, split_breadcrumb
from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.dom import (
    climb,
    element_positions,
    elements_with_text,
    lines,
    parse,
    selector,
    strip_invisible,
    tag_of,
    text_content,
    text_of,
)
from zonecrawler.extract.labels import ANY_LABEL_RE, BARE_LABEL_RE, LABEL_RE, split_bare_labels, split_labels
from zonecrawler.extract.links import page_links
from zonecrawler.extract.metadata import cms_meta, json_ld, opengraph
from zonecrawler.extract.title import choose_title, strip_site_suffix
from zonecrawler.normalize.dates import date_from_url, find_dates, parse_date
from zonecrawler.normalize.text import clean_line, join_paragraphs
from zonecrawler.siteconfig import Site

_META_LINE_MAX = 300
_KEY_FIELDS = {"date", "source", "zone"}
_LABEL_FIELDS = _KEY_FIELDS | {"author", "editor"}
_MIDNIGHT = "T00:00:00+08:00"
_MAX_VALUE = 60  # a label's value longer than this is article text, not metadata
_NEARBY_ELEMENTS = 60  # how far (in elements) from the meta line other labelled rows are taken
_NEAR_TITLE_CHARS = 300
_BARE_LINE_MAX = 200
DEFAULT_SUFFIXES = ("投促中国",)


@dataclass
class Extraction:
    """Raw fields of one article page plus, per field, the layer that produced it."""

    url: str
    title: str | None = None
    date: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    zone: str | None = None
    body: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)
    site_name: str | None = None
    encoding: str | None = None
    links: list[str] = field(default_factory=list)
    bad_links: list[str] = field(default_factory=list)  # hrefs skipped as malformed
    provenance: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value, layer: str) -> None:
        """Set a field unless a higher layer already did."""
        if value in (None, "", []) or getattr(self, name) not in (None, "", []):
            return
        setattr(self, name, value)
        self.provenance[name] = layer


def _select(sel: Selector, query: str) -> list:
    if query.startswith("xpath:"):
        return sel.xpath(query[len("xpath:"):])
    return sel.css(query)


def _selected_text(selection) -> str | None:
    parts = []
    for item in selection:
        root = item.root
        parts.append(text_of(root) if isinstance(getattr(root, "tag", None), str) else clean_line(str(root)))
    text = clean_line(" ".join(p for p in parts if p))
    return text or None


def _meta_date(value: str | None, now) -> str | None:
    """A metadata date; a midnight time (a CMS placeholder, not a shown time) keeps only the day."""
    parsed = parse_date(value or "", now=now)
    return parsed[:10] if parsed and parsed.endswith(_MIDNIGHT) else parsed


def _label_blocks(root) -> list[tuple[object, dict[str, str], int]]:
    """Short blocks carrying publish labels: ``(element, values, text length)``.

    A block whose values run long (a source "value" that is really the article) is a
    container of content, not a meta line, and is left out.
    """
    blocks = []
    seen: set = set()
    for start in elements_with_text(root, ANY_LABEL_RE):
        for el, raw in climb(start, _META_LINE_MAX * 3, seen):
            if LABEL_RE.search(raw):
                text = clean_line(raw)
                values = split_labels(text).values if len(text) <= _META_LINE_MAX else {}
            elif len(raw) <= _BARE_LINE_MAX and BARE_LABEL_RE.search(raw):
                text = text_of(el)  # cells joined with spaces: 发布时间 2022-02-17 来源 …
                values = split_bare_labels(text).values
            else:
                continue
            if not values.keys() & _LABEL_FIELDS or any(len(v) > _MAX_VALUE for v in values.values()):
                continue
            blocks.append((el, values, len(text)))
    return blocks


def find_meta_line(root, positions: dict | None = None):
    """The meta line (the block with the most publish labels, smallest first) and its values.

    Fields the meta line lacks are taken from the nearest other labelled block (a 发文日期
    row in an information table, a 发布开发区 row under the meta line, 责任编辑 after it).
    """
    blocks = _label_blocks(root)
    main = max(
        (b for b in blocks if _KEY_FIELDS & b[1].keys()), key=lambda b: (len(b[1]), -b[2]), default=None
    )
    if main is None:
        return None, {}
    values = dict(main[1])
    positions = positions if positions is not None else element_positions(root)
    here = positions[main[0]]
    for el, found, _ in sorted(blocks, key=lambda b: (abs(positions[b[0]] - here), b[2])):
        if abs(positions[el] - here) > _NEARBY_ELEMENTS:
            break
        for name, value in found.items():
            values.setdefault(name, value)
    return main[0], values


def _date_after(root, anchor, limit: int = _NEAR_TITLE_CHARS) -> str | None:
    """First date printed within ``limit`` characters after ``anchor`` in reading order."""
    seen = 0
    started = False
    for el in root.iter():
        if el is anchor:
            started = True
            continue
        if not started or not isinstance(el.tag, str):
            continue
        chunk = (el.text or "") + (el.tail or "")
        if not chunk.strip():
            continue
        found = find_dates(chunk)
        if found:
            return found[0][2]
        seen += len(chunk)
        if seen > limit:
            return None
    return None


def _date_before(root, anchor, limit: int = _NEAR_TITLE_CHARS) -> str | None:
    """Last date printed within ``limit`` characters before ``anchor`` in reading order."""
    chunks: list[str] = []
    for el in root.iter():
        if el is anchor:
            break
        if isinstance(el.tag, str):
            chunks.append(el.text or "")
        chunks.append(el.tail or "")
    tail = "".join(chunks)[-limit:]
    found = find_dates(tail)
    return found[-1][2] if found else None


def _common_ancestor(a, b):
    """The lowest element containing both ``a`` and ``b``."""
    ancestors = {a, *a.iterancestors()}
    return next((x for x in (b, *b.iterancestors()) if x in ancestors), None)


@dataclass
class Parts:
    """Where on the page the extractor found the article (for :mod:`zonecrawler.extract.roles`)."""

    title_el: object = None
    meta_el: object = None
    body_el: object = None


def extract_article(
    url: str,
    html: bytes | str,
    *,
    site: Site | None = None,
    http_charset: str | None = None,
    now=None,
) -> Extraction:
    """Extract an article's fields from its page. Never raises on odd HTML."""
    encoding = None
    if isinstance(html, bytes):
        html, encoding = decode_html(html, http_charset)
    return extract_tree(url, parse(html, url), encoding=encoding, site=site, now=now)[0]


def extract_tree(url: str, root, *, encoding: str | None = None, site: Site | None = None, now=None,
                 links: list[str] | None = None) -> tuple[Extraction, Parts]:
    """Extract an article's fields from an already parsed page (which is modified: scripts go).

    ``links``: the page's links when the caller has them already (else they are read here).
    """
    result = Extraction(url=url, encoding=encoding)
    selectors = site.selectors if site else {}
    sel = selector(root) if selectors else None
    suffixes = tuple(site.title_suffixes) + DEFAULT_SUFFIXES if site else DEFAULT_SUFFIXES

    # 1. per-site selectors
    for name in ("title", "date", "source", "zone", "author"):
        if name in selectors:
            value = _selected_text(_select(sel, selectors[name]))
            if name == "date":
                value = parse_date(value or "", now=now)
            result.set(name, value, "selector")
    if "breadcrumb" in selectors:
        result.set("breadcrumb", split_breadcrumb(_selected_text(_select(sel, selectors["breadcrumb"])) or ""), "selector")
    body_el = None
    if "body" in selectors:
        chosen = _select(sel, selectors["body"])
        body_el = chosen[0].root if chosen and isinstance(getattr(chosen[0].root, "tag", None), str) else None

    # 2-3. machine-readable metadata (read before scripts are stripped)
    cms, ld, og = cms_meta(root), json_ld(root), opengraph(root)
    # Links before anything is stripped, so a spider can follow 上一条/下一条 without parsing again.
    if links is None:
        links = [link for link, _ in page_links(root, url, with_text=False, bad=result.bad_links)]
    result.links = links
    result.site_name = cms.get("site_name") or ld.get("site_name") or og.get("site_name")
    if result.site_name:
        suffixes += (result.site_name,)
    if cms.get("column"):
        suffixes += (cms["column"],)
    for layer, data in (("cms_meta", cms), ("json_ld", ld), ("opengraph", og)):
        title = data.get("title")
        result.set("title", strip_site_suffix(title, suffixes) if title else None, layer)
        result.set("date", _meta_date(data.get("date"), now), layer)
        if layer == "cms_meta":
            result.set("source", data.get("source"), layer)
            result.set("author", data.get("author"), layer)

    strip_invisible(root)
    page_title_el = root.find(".//title")
    page_title = clean_line(text_content(page_title_el)) if page_title_el is not None else ""
    if page_title_el is not None:
        page_title_el.getparent().remove(page_title_el)
    page_title = strip_site_suffix(page_title, suffixes) if page_title else None
    if page_title in suffixes:  # <title> holds only the site's name
        page_title = None

    # 4. visible labels
    positions = element_positions(root)  # shared by the meta-line and title searches
    meta_el, labelled = find_meta_line(root, positions)
    result.set("date", parse_date(labelled.get("date", ""), now=now), "label")
    for name in ("source", "zone", "author", "editor"):
        result.set(name, labelled.get(name), "label")
    crumb_el, crumbs = find_breadcrumb(root)
    result.set("breadcrumb", crumbs, "breadcrumb")

    # 5. visible headline, dates near it, main content
    exclude = {e for e in (meta_el, crumb_el) if e is not None}
    title_el, title, title_layer = choose_title(root, page_title, meta_el, exclude, positions)
    if result.title and title_el is None:
        title_el, _, _ = choose_title(root, result.title, meta_el, exclude, positions)
    result.set("title", title, title_layer)
    if meta_el is not None:
        found = find_dates(clean_line(text_content(meta_el)))
        result.set("date", found[0][2] if found else None, "meta_line")
    if title_el is not None:
        result.set("date", _date_after(root, title_el), "near_title")

    skip = exclude | ({title_el} if title_el is not None else set())
    if body_el is None:
        body_el = body_mod.find_content(root, skip)
        body_layer = "content_detector"
    else:
        body_layer = "selector"
    if body_el is not None:
        result.set("body", join_paragraphs(body_mod.body_lines(body_el, skip, result.title)), body_layer)
        # The article region: body plus its title/meta line (attachments and 责任编辑 often sit beside the body).
        anchor = title_el if title_el is not None else meta_el
        scope = _common_ancestor(body_el, anchor) if anchor is not None else None
        if scope is None or scope is root or tag_of(scope) == "body":
            scope = body_el.getparent() if body_el.getparent() is not None else body_el
        result.set("attachments", body_mod.attachments(scope, url), body_layer)
        if result.attachments and result.body:
            result.body = body_mod.without_attachment_lines(result.body, result.attachments)
        result.set("date", _date_before(root, body_el), "before_body")
    result.set("body", join_paragraphs((ld.get("body") or "").split("\n")), "json_ld")

    # 6. last resorts
    result.set("date", date_from_url(url, now=now), "url")
    return result, Parts(title_el, meta_el, body_el)


def page_lines(html: str) -> list[str]:
    """Every visible line of a page (debugging aid for ``--lines``)."""
    root = parse(html)
    strip_invisible(root)
    return lines(root)
