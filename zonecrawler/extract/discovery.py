"""One page, no URL patterns: its role, its fields, and the links a crawl should follow from it.

Pure.  :func:`analyze_page` parses the page once and hands the same tree to the link-block
finder, the pagination readers and the article extractor; :func:`~zonecrawler.extract.roles.page_role`
then decides from what they found.  :func:`discover_links` is the link part alone (used for
list pages of sites that have patterns, to notice when the patterns match nothing).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from zonecrawler.extract.article import Extraction, extract_tree
from zonecrawler.extract.decode import decode_html
from zonecrawler.extract.dom import parse
from zonecrawler.extract.hanweb import hanweb_column
from zonecrawler.extract.linkblocks import Block, find_block, headline_text, is_headline
from zonecrawler.extract.links import absolute_link, page_anchors
from zonecrawler.extract.pagination import link_pagination, trs_pages
from zonecrawler.extract.roles import facts_of, page_role
from zonecrawler.normalize.urls import canonicalize_url
from zonecrawler.siteconfig import Site

DEFAULT_LIMIT = 200
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+xml")
_INDEX_NAMES = ("index", "default", "list")


@dataclass
class Discovered:
    """Links found on a page by what it shows."""

    articles: list[str] = field(default_factory=list)    # the main block's headline links
    titles: list[str] = field(default_factory=list)
    dated: int = 0                                        # of those, items showing a date
    pages: list[str] = field(default_factory=list)       # further pages of this list
    next_pages: list[str] = field(default_factory=list)  # 下一页 targets among them
    pager: list[str] = field(default_factory=list)       # how: next, last, numbered, page_param, page_file, trs, hanweb
    sublists: list[str] = field(default_factory=list)    # lists below this list's folder (/kfqxw/ -> /kfqxw/nanjing/)
    feeds: list[str] = field(default_factory=list)       # RSS/Atom links in the head
    links: list[str] = field(default_factory=list)       # every link on the page (canonical), page order


@dataclass
class PageAnalysis:
    """A page's role, its article fields (when it is an article) and its discovered links."""

    role: str
    extraction: Extraction
    discovered: Discovered


def _list_dir(path: str) -> str:
    return path if path.endswith("/") else posixpath.dirname(path) + "/"


def _is_index(path: str) -> bool:
    name = posixpath.basename(path)
    return path.endswith("/") or any(name.startswith(n + ".") for n in _INDEX_NAMES)


def _feeds(root, page_url: str) -> list[str]:
    found = []
    for link in root.iter("link"):
        if (link.get("type") or "").lower().split(";")[0].strip() in _FEED_TYPES and link.get("href"):
            try:
                url = absolute_link(page_url, link.get("href").strip())
            except ValueError:
                continue
            if url and url not in found:
                found.append(url)
    return found


def _canonical(url: str, page_url: str) -> str | None:
    try:
        return absolute_link(page_url, url)
    except ValueError:
        return None


@dataclass
class ScriptLinks:
    """Links a page's scripts hold: TRS / Hanweb pager pages and Hanweb records ((URL, headline))."""

    pages: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    records: list[tuple[str, str]] = field(default_factory=list)
    hanweb: bool = False


def script_links(page_url: str, text: str, limit: int = DEFAULT_LIMIT) -> ScriptLinks:
    """Pages of a TRS ``createPageHTML`` pager or a Hanweb column, and the Hanweb column's records.

    ``page_url`` is canonical; the links returned are canonical too.
    """
    found = ScriptLinks()
    for page in trs_pages(page_url, text, limit):
        page = _canonical(page, page_url)
        if page and page not in found.pages and page != page_url:
            found.pages.append(page)
            if "trs" not in found.kinds:
                found.kinds.append("trs")
    column = hanweb_column(page_url, text, limit)
    if column is None:
        return found
    found.hanweb = True
    fragment = parse("<html><body>" + "".join(f"<div>{r}</div>" for r in column.records) + "</body></html>")
    seen = set()
    for a, link, t in page_anchors(fragment, page_url):
        t = headline_text(a, t)
        if link not in seen and (is_headline(t) or not t):
            seen.add(link)
            found.records.append((link, t))
    for page in column.pages:
        page = _canonical(page, page_url)
        if page and page not in found.pages:
            found.pages.append(page)
    if column.pages:
        found.kinds.append("hanweb")
    return found


def discover_links(url: str, root, text: str, anchors: list[tuple[object, str, str]], limit: int = DEFAULT_LIMIT
                   ) -> tuple[Discovered, Block, bool]:
    """Links on a list page found without patterns: ``(discovered, the main block, has Hanweb records)``.

    ``root`` is the parsed page before scripts are stripped, ``text`` the page's decoded text,
    ``anchors`` its :func:`~zonecrawler.extract.listing.page_anchors`.
    """
    page_url = canonicalize_url(urldefrag(url)[0])
    found = Discovered(links=[link for _, link, _ in anchors], feeds=_feeds(root, page_url))
    pagination = link_pagination(page_url, [(link, t) for _, link, t in anchors], limit)
    pages, kinds = list(pagination.pages), list(pagination.kinds)
    scripted = script_links(page_url, text, limit)
    for page in scripted.pages:
        if page not in pages:
            pages.append(page)
    kinds += [k for k in scripted.kinds if k not in kinds]
    block = Block(links=[u for u, _ in scripted.records], titles=[t for _, t in scripted.records])
    if not block.links:
        block = find_block(anchors, root, page_url, set(pages))
    found.articles, found.titles, found.dated = list(block.links), list(block.titles), block.dated
    found.pages, found.next_pages, found.pager = pages[:limit], pagination.next_pages, kinds
    # Sub-lists: folders (or index pages) below this list's folder, not in the block, not pages of it.
    here = urlsplit(page_url)
    folder = _list_dir(here.path)
    taken = set(found.articles) | set(found.pages) | {page_url}
    if folder != "/":
        for _, link, _t in anchors:
            parts = urlsplit(link)
            if (link in taken or parts.netloc != here.netloc or parts.query or not parts.path.startswith(folder)
                    or _list_dir(parts.path) == folder or not _is_index(parts.path) or link in found.sublists):
                continue
            found.sublists.append(link)
    return found, block, scripted.hanweb


def analyze_page(url: str, html: bytes | str, site: Site | None = None, http_charset: str | None = None, *,
                 limit: int | None = None, now=None) -> PageAnalysis:
    """Role, fields and links of one page, from one parse."""
    encoding = None
    if isinstance(html, bytes):
        html, encoding = decode_html(html, http_charset)
    root = parse(html, url)
    bad: list[str] = []
    anchors = page_anchors(root, url, bad)
    limit = limit or (site.max_list_pages if site is not None else DEFAULT_LIMIT)
    found, block, records = discover_links(url, root, html, anchors, limit)
    extraction, parts = extract_tree(url, root, encoding=encoding, site=site, now=now, links=list(found.links))
    extraction.bad_links = bad
    role = page_role(facts_of(extraction, parts.body_el, block, bool(found.pages), records))
    block.container = None
    return PageAnalysis(role, extraction, found)
